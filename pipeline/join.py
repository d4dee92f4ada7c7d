"""Join tidy indicator rows to the boundary set that best matches their codes, level by level.

ONS back-series often carry today's codes for every past year, so the vintage follows the
codes, not the period: for each indicator and level every candidate set is scored by how many
of the indicator's codes it holds (directly or through a 1:1 recode) and the best one wins.
Codes that still do not match are kept with a reason: superseded (merger or split, successor
named), newer than the set (predecessors named), extra-regio (no polygon), another vintage,
or unknown. Nothing is guessed and nothing is dropped silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from boundaries.changes import CodeChanges
from boundaries.registry import BoundarySet, Level, Registry
from pipeline.catalogue import Indicator

CodeLoader = Callable[[BoundarySet], dict[str, str]]


@dataclass(frozen=True, slots=True)
class Match:
    """How one data code was found in a boundary set."""

    code: str
    how: str  # "exact" or "recode"


@dataclass(frozen=True, slots=True)
class SetChoice:
    """The set chosen for one indicator and level, with every candidate's score."""

    indicator: str
    level: str
    set_id: str
    scores: tuple[tuple[str, int, int], ...]  # (set id, matched, exact)


@dataclass
class JoinResult:
    """Joined rows, the coverage per year, unmatched codes with reasons, and set choices."""

    joined: pd.DataFrame
    coverage: pd.DataFrame
    unmatched: pd.DataFrame
    choices: list[SetChoice]


def resolve(code: str, codes: dict[str, str], changes: CodeChanges) -> Match | None:
    """Find `code` in a set directly or through a 1:1 recode (either direction)."""
    if code in codes:
        return Match(code, "exact")
    hits = sorted(c for c in changes.equivalents(code) if c in codes)
    return Match(hits[0], "recode") if len(hits) == 1 else None


class Explainer:
    """Give the reason a code has no polygon in a chosen set."""

    def __init__(self, registry: Registry, changes: CodeChanges, load_codes: CodeLoader) -> None:
        self.registry, self.changes, self.load_codes = registry, changes, load_codes

    def _named(self, codes: Iterable[str], level: str) -> str:
        names = dict(self.changes.names)
        for spec in self.registry.sets_for_level(level):
            for code, name in self.load_codes(spec).items():
                names.setdefault(code, name)
        return ", ".join(f"{c} {names.get(c, '')}".strip() for c in codes)

    def _same_level(self, codes: Iterable[str], level: str) -> list[str]:
        """Keep codes of `level` when there are any (a county is no district's predecessor)."""
        codes = list(codes)
        kept = [c for c in codes if self.registry.level(level).matches(c)]
        return kept or codes

    def explain(
        self, code: str, spec: BoundarySet, name: str = "", used: frozenset[str] = frozenset()
    ) -> tuple[str, str]:
        """Return (reason, detail) for a code not found in `spec`.

        `name` is the area's name in the data and `used` the set codes the data already
        matches: a same-named, otherwise unused polygon is mentioned as a hint (never applied).
        """
        codes = self.load_codes(spec)
        succession = self.changes.succession_of(code)
        if succession is not None:
            detail = succession.describe(self.changes.names)
            if succession.new:
                detail = f"{succession.kind} in {succession.year} into " + self._named(
                    self._same_level(succession.new, spec.level), spec.level
                )
            return "superseded", f"{detail}; {spec.id} has no polygon for the old code"
        predecessors = self._same_level(self.changes.predecessors_of(code), spec.level)
        if predecessors:
            held = [p for p in predecessors if p in codes]
            return "newer", (
                f"formed from {self._named(predecessors, spec.level)}; "
                f"{spec.id} predates it" + (" (it holds the predecessors)" if held else "")
            )
        if self.registry.no_polygon.match(code):
            return "no_polygon", self.registry.no_polygon_reason
        elsewhere = [
            s.id
            for s in self.registry.sets_for_level(spec.level)
            if s.id != spec.id and resolve(code, self.load_codes(s), self.changes)
        ]
        if elsewhere:
            return "other_vintage", f"not in {spec.id}; present in {', '.join(sorted(elsewhere))}"
        note = self.registry.level(spec.level).note
        detail = f"not in any shipped {spec.level} boundary set or code-change lookup"
        detail += f" ({note})" if note else ""
        namesakes = [
            c
            for c, n in codes.items()
            if name and n.casefold() == name.casefold() and c not in used
        ]
        if len(namesakes) == 1:
            detail += (
                f"; {spec.id} has an unmatched area with the same name ({namesakes[0]}) "
                "but no lookup links the codes, so it is not joined"
            )
        return "unknown", detail


def choose_set(
    codes: list[str], candidates: list[BoundarySet], changes: CodeChanges, load_codes: CodeLoader
) -> tuple[BoundarySet, tuple[tuple[str, int, int], ...]]:
    """The candidate set matching most codes (then most exactly, then listed first), and
    every candidate's (id, matched, exact) scores."""
    scores = []
    for rank, spec in enumerate(candidates):
        set_codes = load_codes(spec)
        matches = [resolve(c, set_codes, changes) for c in codes]
        matched = sum(m is not None for m in matches)
        exact = sum(m is not None and m.how == "exact" for m in matches)
        scores.append((matched, exact, -rank, spec))
    best = max(scores, key=lambda s: s[:3])
    return best[3], tuple((s[3].id, s[0], s[1]) for s in scores)


def _level_rows(tidy: pd.DataFrame, level: Level) -> pd.DataFrame:
    return tidy[tidy["code"].str.match(level.pattern.pattern)]


@dataclass
class LevelJoin:
    """One indicator joined at one level to one boundary set."""

    joined: pd.DataFrame
    coverage: pd.DataFrame
    unmatched: pd.DataFrame


def join_to_set(
    rows: pd.DataFrame,
    spec: BoundarySet,
    level: Level,
    registry: Registry,
    changes: CodeChanges,
    load_codes: CodeLoader,
    min_polygon_share: float = 0.5,
) -> LevelJoin:
    """Join tidy rows of one level to one given boundary set, explaining every miss."""
    explainer = Explainer(registry, changes, load_codes)
    set_codes = load_codes(spec)
    codes = sorted(rows["code"].unique())
    matches = {c: resolve(c, set_codes, changes) for c in codes}
    names = rows.drop_duplicates("code").set_index("code")["name"].astype(str).to_dict()
    used = frozenset(m.code for m in matches.values() if m is not None)
    reasons = {
        c: explainer.explain(c, spec, names.get(c, ""), used)
        for c, m in matches.items()
        if m is None
    }
    joined = _joined_rows(rows, matches, spec, level)
    return LevelJoin(
        joined=joined,
        coverage=_coverage(
            rows,
            joined,
            reasons,
            _stand_ins(reasons, changes),
            spec,
            level,
            len(set_codes),
            min_polygon_share,
        ),
        unmatched=_unmatched(rows, reasons, spec, level),
    )


def join_indicator(
    indicator: Indicator,
    tidy: pd.DataFrame,
    registry: Registry,
    changes: CodeChanges,
    load_codes: CodeLoader,
    min_polygon_share: float = 0.5,
) -> JoinResult:
    """Join one indicator's tidy rows at every level of its code system.

    The set follows each year's codes: years that share one set of codes are joined to the
    set matching them best (the set best for the whole series wins ties), so a series that
    moves to new codes in its later years meets the boundaries of those years.
    """
    parts: list[LevelJoin] = []
    choices = []
    levels = [
        level
        for level in registry.levels.values()
        if level.system == indicator.system
        and (not indicator.levels or level.id in indicator.levels)
    ]
    by_level = {level.id: _level_rows(tidy, level) for level in levels}
    partial = _partial(by_level, [lv.id for lv in levels if lv.map])
    for level in levels:
        rows = by_level[level.id]
        candidates = registry.sets_for_level(level.id)
        if rows.empty or not candidates:
            continue
        overall, _ = choose_set(sorted(rows["code"].unique()), candidates, changes, load_codes)
        preferred = [overall, *(c for c in candidates if c.id != overall.id)]
        by_codes: dict[frozenset[str], list[int]] = {}
        for year, group in rows.groupby("year"):
            by_codes.setdefault(frozenset(group["code"]), []).append(int(str(year)))
        chosen: dict[str, tuple[list[int], tuple[tuple[str, int, int], ...]]] = {}
        for codes, years in by_codes.items():
            spec, scores = choose_set(sorted(codes), preferred, changes, load_codes)
            kept = chosen.setdefault(spec.id, ([], scores))
            kept[0].extend(years)
        for set_id, (years, scores) in chosen.items():
            choices.append(SetChoice(indicator.id, level.id, set_id, scores))
            part = rows[rows["year"].isin(years)]
            spec = registry.get(set_id)
            joined = join_to_set(
                part, spec, level, registry, changes, load_codes, min_polygon_share
            )
            parts.append(_unmap(joined, partial.get(level.id, set())))
    return JoinResult(
        joined=_concat([p.joined for p in parts]),
        coverage=_concat([p.coverage for p in parts]),
        unmatched=_concat([p.unmatched for p in parts]),
        choices=choices,
    )


def _partial(
    by_level: dict[str, pd.DataFrame], mapped: list[str]
) -> dict[str, set[tuple[str, int]]]:
    """(variant, year) pairs whose codes at a level are all codes of another mapped level that
    has more: upper-tier data (counties and unitaries) seen at district level, where a map
    would leave the shire districts grey. Those pairs are joined but not mapped there."""
    codes = {
        level: {key: frozenset(g["code"]) for key, g in rows.groupby(["variant", "year"])}
        for level, rows in by_level.items()
        if level in mapped and not rows.empty
    }
    out: dict[str, set[tuple[str, int]]] = {}
    for level, pairs in codes.items():
        for key, mine in pairs.items():
            for other, theirs in codes.items():
                wider = theirs.get(key)
                if other != level and wider is not None and mine < wider:
                    out.setdefault(level, set()).add((str(key[0]), int(str(key[1]))))
                    break
    return out


def _unmap(part: LevelJoin, pairs: set[tuple[str, int]]) -> LevelJoin:
    """The same join with the given (variant, year) pairs marked as not mapped."""
    if not pairs or part.coverage.empty:
        return part
    coverage = part.coverage.copy()
    keys = list(zip(coverage["variant"], coverage["year"], strict=True))
    coverage["mapped"] = coverage["mapped"].to_numpy() & np.array([k not in pairs for k in keys])
    return LevelJoin(part.joined, coverage, part.unmatched)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _joined_rows(
    rows: pd.DataFrame, matches: dict[str, Match | None], spec: BoundarySet, level: Level
) -> pd.DataFrame:
    hits = {code: match for code, match in matches.items() if match is not None}
    found = rows[rows["code"].isin(list(hits))].copy()
    found["source_code"] = found["code"]
    found["match"] = found["code"].map({code: m.how for code, m in hits.items()})
    found["code"] = found["code"].map({code: m.code for code, m in hits.items()})
    found["level"] = level.id
    found["set_id"] = spec.id
    # A current and a superseded code can both resolve to one polygon: keep the exact match.
    found = found.sort_values(["variant", "code", "year", "match"])
    return found.drop_duplicates(["variant", "code", "year"], keep="first").reset_index(drop=True)


def _stand_ins(reasons: dict[str, tuple[str, str]], changes: CodeChanges) -> dict[str, set[str]]:
    """For each unmatched code replaced by, or replacing, other areas: those areas' codes.

    A table can give an area under both its old and its new code in one year (a new unitary
    authority back-cast beside the districts it replaced); when the set holds the other
    codes and the table has them that year, the area is on the map and the code is covered.
    """
    out: dict[str, set[str]] = {}
    for code, (reason, _) in reasons.items():
        if reason == "newer":
            out[code] = set(changes.predecessors_of(code))
        elif reason == "superseded" and (succession := changes.succession_of(code)):
            out[code] = set(succession.new)
    return {code: others for code, others in out.items() if others}


REASONS = ("superseded", "newer", "no_polygon", "other_vintage", "unknown")


def _coverage(
    rows: pd.DataFrame,
    joined: pd.DataFrame,
    reasons: dict[str, tuple[str, str]],
    stand_ins: dict[str, set[str]],
    spec: BoundarySet,
    level: Level,
    polygons: int,
    min_share: float,
) -> pd.DataFrame:
    """Per variant and year: codes, matches, misses by reason, values and whether mapped.

    Plain dictionaries over the columns: this runs for every indicator, level and set, and
    pandas' grouping on string keys costs more than the work itself.
    """
    codes: dict[tuple[str, int], set[str]] = {}
    for variant, year, code in zip(rows["variant"], rows["year"], rows["code"], strict=True):
        codes.setdefault((variant, int(year)), set()).add(code)
    shown: dict[tuple[str, int], set[str]] = {}
    valued: Counter[tuple[str, int]] = Counter()
    recoded: Counter[tuple[str, int]] = Counter()
    if not joined.empty:
        columns = (joined[c] for c in ("variant", "year", "source_code", "value", "match"))
        for variant, year, source, value, match in zip(*columns, strict=True):
            key = (variant, int(year))
            shown.setdefault(key, set()).add(source)
            valued[key] += value == value  # not NaN
            recoded[key] += match == "recode"
    indicator = rows["indicator"].iloc[0]
    records = []
    for key in sorted(codes):
        found = codes[key]
        counts = dict.fromkeys(REASONS, 0)
        covered = 0
        for code in found & reasons.keys():
            counts[reasons[code][0]] += 1
            others = stand_ins.get(code, set())
            covered += bool(others) and others <= shown.get(key, set())
        # codes found in the set (two codes of one area, e.g. W92000004 and TLL, are both
        # found although the area's row is kept once)
        matched = len(found) - sum(counts.values())
        with_value = valued[key]
        share = with_value / polygons if polygons else 0.0
        records.append(
            {
                "indicator": indicator,
                "variant": key[0],
                "level": level.id,
                "year": key[1],
                "set_id": spec.id,
                "codes": len(found),
                "matched": matched,
                "recoded": recoded[key],
                "with_value": with_value,
                **counts,
                "covered": covered,
                "match_rate": matched / len(found),
                "polygon_match_rate": matched / max(1, len(found) - counts["no_polygon"] - covered),
                "polygons": polygons,
                "polygon_share": share,
                "mapped": bool(level.map and polygons and share >= min_share),
            }
        )
    return pd.DataFrame.from_records(records)


def _unmatched(
    rows: pd.DataFrame, reasons: dict[str, tuple[str, str]], spec: BoundarySet, level: Level
) -> pd.DataFrame:
    if not reasons:
        return pd.DataFrame()
    missing = rows[rows["code"].isin(reasons)]
    records = []
    for (variant, code), group in missing.groupby(["variant", "code"], sort=True):
        reason, detail = reasons[str(code)]
        years = sorted(group["year"].unique())
        records.append(
            {
                "indicator": group["indicator"].iloc[0],
                "variant": variant,
                "level": level.id,
                "set_id": spec.id,
                "code": code,
                "name": group["name"].iloc[0],
                "first_year": int(years[0]),
                "last_year": int(years[-1]),
                "years": len(years),
                "reason": reason,
                "detail": detail,
            }
        )
    return pd.DataFrame.from_records(records)


def unclassified(tidy: pd.DataFrame, registry: Registry, system: str) -> pd.DataFrame:
    """Codes that belong to no level of the system (e.g. police force areas, city regions)."""
    if tidy.empty:
        return pd.DataFrame()
    codes = tidy[["indicator", "code", "name"]].drop_duplicates(["indicator", "code"])
    known = codes["code"].map(lambda c: any(True for _ in registry.levels_of(c, system)))
    return codes[~known].reset_index(drop=True)
