"""User groups kept under DATA_DIR/user/groups.json (written atomically; the server reads it)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from boundaries.registry import Registry
from levelup import db
from levelup.atomic import write_text_atomic
from levelup.errors import InputError, NotFoundError
from pipeline.groups import Group, Membership, read_user_groups

USER_GROUPS = Path("user") / "groups.json"


def load_user_groups(data_dir: Path) -> list[Group]:
    """Groups saved by `levelup groups add` (none when there is no file)."""
    path = data_dir / USER_GROUPS
    if not path.is_file():
        return []
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [
        Group(
            g["id"],
            g["title"],
            g["description"],
            tuple(
                Membership(m["system"], m["level"], tuple(tuple(a) for a in m["areas"]))
                for m in g["members"]
            ),
            "user",
        )
        for g in raw
    ]


def _save(data_dir: Path, groups: list[Group]) -> None:
    body = [{**asdict(g), "members": [asdict(m) for m in g.members]} for g in groups]
    write_text_atomic(data_dir / USER_GROUPS, json.dumps(body, indent=1))


def add_user_groups(data_dir: Path, path: Path, registry: Registry) -> list[Group]:
    """Read groups from a CSV, check every code exists at its level, and save them."""
    system_of = {level.id: level.system for level in registry.levels.values()}
    groups = read_user_groups(path, system_of)
    if not groups:
        raise InputError("no groups in the file", path=path)
    connection = db.open_readonly(db.db_path(data_dir))
    try:
        shipped = {r[0] for r in connection.execute("SELECT id FROM groups")}
        for group in groups:
            if group.id in shipped:
                raise InputError(f"group id {group.id!r} is taken by a shipped group", path=path)
            membership = group.members[0]
            for (code,) in membership.areas:
                found = connection.execute(
                    "SELECT 1 FROM areas a JOIN boundary_sets b ON b.id = a.set_id "
                    "WHERE a.code = ? AND b.level = ? LIMIT 1",
                    (code, membership.level),
                ).fetchone()
                if found is None:
                    raise InputError(
                        f"group {group.id!r}: {code} is not a {membership.level} "
                        "area in the built data",
                        path=path,
                    )
    finally:
        connection.close()
    kept = [g for g in load_user_groups(data_dir) if g.id not in {n.id for n in groups}]
    _save(data_dir, kept + groups)
    return groups


def remove_user_group(data_dir: Path, group_id: str) -> None:
    """Delete one saved group."""
    groups = load_user_groups(data_dir)
    if group_id not in {g.id for g in groups}:
        raise NotFoundError(f"no user group {group_id!r}")
    _save(data_dir, [g for g in groups if g.id != group_id])
