"""What a user saved under the data directory, and its digests (part of a build's input hash).

DATA_DIR/user/indicators/{id}/ holds a user indicator's table as uploaded (under a fixed name),
its layout.json and indicator.json; DATA_DIR/user/indexes/{id}.toml a user index definition.
Ids are generated or checked slugs, so a user-supplied name never becomes a path."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from levelup.errors import CatalogueError, ConflictError, InputError, LevelupError
from levelup.ids import valid_user_id
from pipeline.catalogue import USER_THEME, Catalogue, Indicator, parse_indicator

LOG = logging.getLogger("levelup.user")
USER_INDICATORS = Path("user") / "indicators"
SPEC = "indicator.json"
USER_INDEXES = Path("user") / "indexes"


def user_root(data_dir: Path) -> Path:
    """Where user indicators live."""
    return data_dir / USER_INDICATORS


def slugify(text: str, limit: int = 40) -> str:
    """A lower-case slug from any text (accents folded, anything else becomes hyphens)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:limit].strip("-")
    return slug or "data"


def new_id(title: str, seed: str) -> str:
    """An id for an upload: user-, a slug of the title and a suffix from the title and `seed`
    (the stored file), so a preview and the build that follows agree."""
    suffix = hashlib.sha256(f"{seed}\n{title}".encode()).hexdigest()[:6]
    return f"user-{slugify(title, 30)}-{suffix}"


def valid_id(indicator_id: str) -> bool:
    """Whether an id can name a user indicator (and so a folder): a slug of at most 60."""
    return valid_user_id(indicator_id)


def check_id(indicator_id: str, shipped: set[str]) -> str:
    """Refuse ids that are not slugs or that belong to a shipped indicator."""
    if not valid_id(indicator_id):
        raise InputError(
            f"indicator id {indicator_id[:60]!r} must be lower-case letters, "
            "digits and hyphens (at most 60)"
        )
    if indicator_id in shipped:
        raise ConflictError(f"indicator id {indicator_id!r} belongs to a shipped indicator")
    return indicator_id


def indicator_from(spec: dict[str, Any], folder: Path) -> Indicator:
    """Build an Indicator from a saved spec, its sources pointing at the stored table."""
    stored = next((p for p in folder.iterdir() if p.stem == "table"), None)
    if stored is None:
        raise CatalogueError(f"{folder}: the saved table is missing")
    variants = [{**v, "file": str(stored), "reader": "user"} for v in spec["variant"]]
    themes = dict([USER_THEME])
    return parse_indicator(
        {**spec, "variant": variants}, str(folder / SPEC), None, themes, user_supplied=True
    )


def load_user_indicators(data_dir: Path) -> list[Indicator]:
    """Every saved user indicator, in id order (a broken one is logged and left out, so it
    cannot stop a build of everything else)."""
    root = user_root(data_dir)
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / SPEC).is_file()):
        try:
            spec = json.loads((folder / SPEC).read_text(encoding="utf-8"))
            out.append(indicator_from(spec, folder))
        except (ValueError, KeyError, TypeError, LevelupError) as exc:
            LOG.warning("skipping your indicator in %s: %s", folder, exc)
    return out


def user_digest(indicators: Iterable[Indicator]) -> str:
    """A digest of the saved files behind user indicators (part of a build's input hash)."""
    digest = hashlib.sha256()
    for indicator in indicators:
        if not indicator.user_supplied:
            continue
        folder = Path(indicator.variants[0].sources[0].file).parent
        digest.update(indicator.id.encode())
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def with_user_indicators(catalogue: Catalogue, data_dir: Path) -> Catalogue:
    """The catalogue plus every user indicator saved under `data_dir`."""
    users = {i.id: i for i in load_user_indicators(data_dir) if i.id not in catalogue.indicators}
    if not users:
        return catalogue
    return Catalogue(
        indicators={**catalogue.indicators, **users},
        themes={**catalogue.themes, USER_THEME[0]: USER_THEME[1]},
        sources=catalogue.sources,
    )


def user_index_dir(data_dir: Path) -> Path:
    """Where user index definitions live."""
    return data_dir / USER_INDEXES


def user_index_digest(data_dir: Path) -> str:
    """A digest of the saved user index definitions (part of a build's input hash)."""
    digest = hashlib.sha256()
    folder = user_index_dir(data_dir)
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else ():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
