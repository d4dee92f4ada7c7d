"""Named groups of areas (groups.toml), and user groups from a CSV of group, title, code."""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from levelup.errors import CatalogueError, InputError
from levelup.ids import SLUG
from pipeline.readers.table import decode

GROUPS_TOML = Path(__file__).resolve().parent / "groups.toml"
CODE = re.compile(r"^[A-Za-z0-9_]{1,16}$")


@dataclass(frozen=True, slots=True)
class Membership:
    """A group's members in one code system and level; each member is its equivalent codes."""

    system: str
    level: str
    areas: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Group:
    """A named group of areas."""

    id: str
    title: str
    description: str
    members: tuple[Membership, ...]
    source: str = "shipped"

    def to_json(self) -> str:
        """The members as JSON (for the database)."""
        return json.dumps([asdict(m) for m in self.members])


def _group(raw: dict[str, Any], where: str, source: str) -> Group:
    try:
        if not SLUG.match(raw["id"]):
            raise CatalogueError(f"{where}: group id {raw['id']!r} is not a lower-case slug")
        members = tuple(
            Membership(m["system"], m["level"], tuple(tuple(a) for a in m["areas"]))
            for m in raw["members"]
        )
        return Group(raw["id"], raw["title"], raw.get("description", ""), members, source)
    except KeyError as exc:
        raise CatalogueError(f"{where}: group {raw.get('id')!r} lacks {exc}") from exc


def load_groups(path: Path = GROUPS_TOML) -> list[Group]:
    """The shipped named groups."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc
    return [_group(g, str(path), "shipped") for g in raw.get("group", [])]


def read_user_groups(path: Path, system_of: dict[str, str]) -> list[Group]:
    """Groups from a CSV with columns group, title, code (and optionally level).

    `system_of` maps a level id to its code system; the level of each group is taken from
    the `level` column or guessed from the first code by the caller-supplied patterns.
    """
    text, _ = decode(path)
    reader = csv.DictReader(io.StringIO(text))
    headers = {h.strip().lower(): h for h in reader.fieldnames or []}
    for needed in ("group", "code", "level"):
        if needed not in headers:
            raise InputError("required column is missing", path=path, line=1, column=needed)
    groups: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(reader, start=2):
        gid = row[headers["group"]].strip().lower()
        code = row[headers["code"]].strip()
        level = row[headers["level"]].strip()
        if not SLUG.match(gid):
            raise InputError(
                f"{gid!r} is not a group id (lower-case words and hyphens)",
                path=path,
                line=line,
                column=headers["group"],
            )
        if not CODE.match(code):
            raise InputError(
                f"{code!r} is not an area code", path=path, line=line, column=headers["code"]
            )
        if level not in system_of:
            raise InputError(
                f"unknown level {level!r} (one of {', '.join(system_of)})",
                path=path,
                line=line,
                column=headers["level"],
            )
        title = row.get(headers.get("title", ""), "").strip() if "title" in headers else ""
        entry = groups.setdefault(gid, {"title": title or gid, "level": level, "codes": []})
        if entry["level"] != level:
            raise InputError(
                f"group {gid!r} mixes levels {entry['level']} and {level}",
                path=path,
                line=line,
                column=headers["level"],
            )
        entry["codes"].append(code)
    return [
        Group(
            gid,
            e["title"],
            "user group",
            (Membership(system_of[e["level"]], e["level"], tuple((c,) for c in e["codes"])),),
            "user",
        )
        for gid, e in groups.items()
    ]
