"""Whether a built database is current: the digest of every input that can change it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import boundaries
import levelup
import pipeline
from boundaries.registry import Registry
from levelup import db
from pipeline.catalogue import Catalogue, Indicator, default_catalogue
from pipeline.user_data import user_digest, user_index_digest, with_user_indicators


def _code_files() -> list[Path]:
    roots = [Path(m.__file__).parent for m in (boundaries, pipeline, levelup) if m.__file__]
    return sorted(p for root in roots for p in root.rglob("*") if p.suffix in (".py", ".toml"))


def input_hash(
    catalogue: Catalogue,
    registry: Registry,
    indicators: Iterable[Indicator],
    data_dir: Path | None = None,
) -> str:
    """A digest of every input that can change the output: data, catalogues and code, and
    the user's index definitions under `data_dir`."""
    digest = hashlib.sha256(f"{levelup.__version__}:{db.SCHEMA_VERSION}".encode())
    for path in _code_files():
        digest.update(path.read_bytes())
    for catalogue_files in (registry.sources, catalogue.sources):
        for entry in sorted(catalogue_files.files.values(), key=lambda e: e.path):
            digest.update(f"{entry.path}:{entry.sha256}".encode())
    indicators = list(indicators)
    digest.update(",".join(i.id for i in indicators).encode())
    digest.update(user_digest(indicators).encode())
    if data_dir is not None:
        digest.update(user_index_digest(data_dir).encode())
    return digest.hexdigest()


def stored_hash(path: Path) -> str | None:
    """The input hash a built database records (None when there is no readable database)."""
    if not path.is_file():
        return None
    try:
        connection = db.open_readonly(path)
    except levelup.errors.StoreError:
        return None
    try:
        return db.read_meta(connection).get("input_hash")
    finally:
        connection.close()


def current_hash(data_dir: Path, registry: Registry) -> str:
    """The input hash a full build of `data_dir` (shipped and user data) would record now."""
    catalogue = with_user_indicators(default_catalogue(), data_dir)
    return input_hash(catalogue, registry, list(catalogue.indicators.values()), data_dir)
