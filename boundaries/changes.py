"""Area code changes from the shipped lookups: 1:1 recodes, and mergers/splits to report."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from boundaries.registry import DATA_DIR
from levelup.errors import MissingColumnError, UnreadableFileError

LOOKUPS = DATA_DIR / "lookups"


@dataclass(frozen=True, slots=True)
class Recode:
    """The same area under a new code from `year` (None when the lookup gives no date)."""

    old: str
    new: str
    year: int | None
    source: str


@dataclass(frozen=True, slots=True)
class Succession:
    """An area replaced by others: a merger (one successor) or a split (several), or abolished."""

    old: str
    new: tuple[str, ...]
    year: int | None
    kind: str
    source: str

    def describe(self, names: dict[str, str]) -> str:
        """Human-readable sentence naming the successors."""
        when = f" in {self.year}" if self.year else ""
        if not self.new:
            return f"abolished{when}"
        listed = ", ".join(f"{code} {names.get(code, '')}".strip() for code in self.new)
        return f"{self.kind}{when} into {listed}"


@dataclass(slots=True)
class CodeChanges:
    """Every known code change, indexed for the join and for loading vintages."""

    recodes: list[Recode] = field(default_factory=list)
    successions: dict[str, Succession] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    _links: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _predecessors: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add_recode(self, recode: Recode) -> None:
        """Record a 1:1 recode (ignored if the pair is already known)."""
        if recode.new in self._links[recode.old]:
            return
        self.recodes.append(recode)
        self._links[recode.old].add(recode.new)
        self._links[recode.new].add(recode.old)

    def add_succession(self, succession: Succession) -> None:
        """Record a merger/split/abolition; a later source may only add missing successors."""
        known = self.successions.get(succession.old)
        if known is not None and (known.new or not succession.new):
            return
        if known is not None:
            succession = Succession(
                known.old,
                succession.new,
                known.year,
                succession.kind,
                f"{known.source}+{succession.source}",
            )
        self.successions[succession.old] = succession
        for new in succession.new:
            self._predecessors[new].add(succession.old)

    def equivalents(self, code: str) -> set[str]:
        """All codes linked to `code` by 1:1 recodes, in either direction (excluding itself)."""
        seen, todo = {code}, [code]
        while todo:
            for other in self._links.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen - {code}

    def as_of(self, code: str, year: int) -> str:
        """Follow dated 1:1 recodes forward up to `year` (used to bring a vintage up to date)."""
        current, seen = code, {code}
        while True:
            step = [
                r.new
                for r in self.recodes
                if r.old == current and r.year is not None and r.year <= year
            ]
            if not step or step[0] in seen:
                return current
            current = step[0]
            seen.add(current)

    def succession_of(self, code: str) -> Succession | None:
        """The merger/split that ended `code` (or an equivalent code), if any."""
        for candidate in (code, *sorted(self.equivalents(code))):
            if candidate in self.successions:
                return self.successions[candidate]
        return None

    def predecessors_of(self, code: str) -> list[str]:
        """Codes whose areas were merged or split into `code` (or an equivalent code)."""
        found: set[str] = set()
        for candidate in (code, *self.equivalents(code)):
            found |= self._predecessors.get(candidate, set())
        return sorted(found)


def _rows(path: Path, required: Iterable[str], delimiter: str = ",") -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise MissingColumnError(
                    "required column is missing", path=path, line=1, column=missing[0]
                )
            return [{k: (v or "").strip() for k, v in row.items()} for row in reader]
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(str(exc), path=path) from exc


def _add_ons_changes(changes: CodeChanges, path: Path) -> None:
    rows = _rows(path, ["oldcd", "oldnm", "newcd", "newnm", "type", "start"])
    successors: dict[str, list[str]] = defaultdict(list)
    meta: dict[str, tuple[int, str]] = {}
    for row in rows:
        old, new, kind, year = row["oldcd"], row["newcd"], row["type"], int(row["start"])
        changes.names.setdefault(old, row["oldnm"])
        if new:
            changes.names.setdefault(new, row["newnm"])
        same_type = bool(new) and old[:3] == new[:3]
        if kind == "new_code" or (kind == "new_geo" and same_type):
            changes.add_recode(Recode(old, new, year, "ons"))
        elif kind == "merger":
            successors[old].append(new)
            meta[old] = (year, "merger")
        elif kind == "termination":
            successors.setdefault(old, [])
            meta[old] = (year, "abolished")
        # new_geo between types (district -> combined authority) is membership, not a recode.
    for old, news in successors.items():
        year, kind = meta[old]
        kind = "split" if len(news) > 1 else kind
        changes.add_succession(Succession(old, tuple(news), year, kind, "ons"))


def _add_mysociety(changes: CodeChanges, path: Path) -> None:
    rows = _rows(
        path,
        [
            "local-authority-code",
            "gss-code",
            "former-gss-codes",
            "end-date",
            "replaced-by",
            "nice-name",
        ],
    )
    by_council = {row["local-authority-code"]: row["gss-code"] for row in rows}
    for row in rows:
        gss = row["gss-code"]
        if not gss:
            continue
        changes.names.setdefault(gss, row["nice-name"])
        for former in filter(None, (c.strip() for c in row["former-gss-codes"].split(","))):
            changes.add_recode(Recode(former, gss, None, "mysociety"))
        if row["end-date"]:
            news = tuple(by_council[c] for c in row["replaced-by"].split(",") if by_council.get(c))
            kind = "split" if len(news) > 1 else ("merger" if news else "abolished")
            year = int(row["end-date"][:4])
            changes.add_succession(Succession(gss, news, year, kind, "mysociety"))


def _add_nuts(changes: CodeChanges, path: Path, year: int, itl: bool = False) -> None:
    for row in _rows(path, ["oldId", "newId"], delimiter="\t"):
        old, new = row["oldId"], row["newId"]
        changes.add_recode(Recode(old, new, year, "eurostat"))
        if itl and old.startswith("UK") and new.startswith("UK"):
            # ITL 2021 codes are the NUTS 2016 codes with TL for UK, so the 2016 -> 2021 UK
            # recodes hold for them too. Never for older tables: ITL 2025 reuses codes (TLM32
            # is Glasgow City, where NUTS 2013 UKM32 was Dumfries and Galloway).
            changes.add_recode(Recode("TL" + old[2:], "TL" + new[2:], year, "eurostat (ITL)"))


def _add_itl1(changes: CodeChanges, path: Path) -> None:
    """ITL1 regions are English regions and nations under another code family."""
    for row in _rows(path, ["itl1", "gss", "name"]):
        changes.names.setdefault(row["itl1"], row["name"])
        changes.add_recode(Recode(row["gss"], row["itl1"], None, "ons (ITL1)"))


def load_changes(lookups: Path = LOOKUPS) -> CodeChanges:
    """Build the code-change index from the shipped lookup files."""
    changes = CodeChanges()
    _add_ons_changes(changes, lookups / "ons_ltla_changes_2018-2025.csv")
    _add_mysociety(changes, lookups / "mysociety_uk_local_authorities_current.csv")
    _add_nuts(changes, lookups / "nuts_recoded_2013_2016.tsv", 2016)
    _add_nuts(changes, lookups / "nuts_recoded_2016_2021.tsv", 2021, itl=True)
    _add_itl1(changes, lookups / "itl1_region_codes.csv")
    return changes


@cache
def default_changes() -> CodeChanges:
    """The code changes of the shipped lookups (read once per process)."""
    return load_changes()
