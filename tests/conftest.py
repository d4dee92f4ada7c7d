"""Shared fixtures: the shipped registry and catalogue, and one real data build per session."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from boundaries.changes import CodeChanges, default_changes
from boundaries.registry import Registry, default_registry
from pipeline.build import DataBuild, build_data
from pipeline.catalogue import Catalogue, default_catalogue


@pytest.fixture(scope="session")
def registry() -> Registry:
    return default_registry()


@pytest.fixture(scope="session")
def changes() -> CodeChanges:
    return default_changes()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return default_catalogue()


@pytest.fixture(scope="session")
def data_build(tmp_path_factory: pytest.TempPathFactory) -> DataBuild:
    """The full shipped data, built once for the whole test session."""
    return build_data(tmp_path_factory.mktemp("build"), force=True)


def write_catalogue(root: Path, files: dict[str, str], indicators: str) -> Path:
    """Write a tiny catalogue (TOML + data files + sources.toml) under `root`; return the TOML."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, text in files.items():
        path = data / name
        path.write_text(text, encoding="utf-8")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        entries.append(
            f'[[file]]\npath = "{name}"\ntitle = "t"\npublisher = "Test publisher"\n'
            f'licence = "OGL-3"\nattribution = "ons"\norigin = "tests"\nsha256 = "{digest}"\n'
        )
    (data / "sources.toml").write_text(
        '[licences.OGL-3]\ntitle = "Open Government Licence v3.0"\nurl = "https://x"\n'
        '[attributions]\nons = "Source: Office for National Statistics"\n\n' + "\n".join(entries),
        encoding="utf-8",
    )
    toml = root / "indicators.toml"
    toml.write_text('[themes]\neconomy = "Economy"\n\n' + textwrap.dedent(indicators), "utf-8")
    return toml
