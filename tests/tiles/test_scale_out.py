"""Tilesets built on a Dask LocalCluster are tile-for-tile the local build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline.build import DataBuild
from tests.fingerprints import tile_fingerprints
from tiles.build import build_tiles


def _data_only(data_build: DataBuild, target: Path) -> Path:
    """A data directory holding the session's joined database and no tiles."""
    target.mkdir(parents=True)
    shutil.copyfile(data_build.path, target / "levelup.db")
    return target


# Two indicators, every level, five years: district, county, combined authority, region and
# NUTS 0-3 geometry, ONS and Eurostat data.
SCOPE = {"only": ["claimant-count", "eu-gdp-per-head"], "years": (2017, 2021)}


@pytest.mark.slow
def test_dask_local_cluster_build_is_byte_identical(data_build: DataBuild, tmp_path: Path) -> None:
    local = _data_only(data_build, tmp_path / "local")
    first = build_tiles(local, workers=2, **SCOPE)  # type: ignore[arg-type]
    assert first.built == first.planned + first.hex_planned and first.planned > 50

    on_dask = _data_only(data_build, tmp_path / "dask")  # with the geometry already cut
    shutil.copytree(local / "cache", on_dask / "cache", copy_function=os.link)
    second = build_tiles(on_dask, workers=2, scheduler="local", **SCOPE)  # type: ignore[arg-type]
    assert (second.planned, second.built, second.tiles, second.bytes) == (
        first.planned,
        first.built,
        first.tiles,
        first.bytes,
    )
    local_prints, dask_prints = tile_fingerprints(local), tile_fingerprints(on_dask)
    assert local_prints.keys() == dask_prints.keys()
    different = [k for k in local_prints if local_prints[k] != dask_prints[k]]
    assert not different, f"{len(different)} tilesets differ, e.g. {different[:3]}"
    assert (local / "tiles" / "manifest.json").read_bytes() == (
        on_dask / "tiles" / "manifest.json"
    ).read_bytes()
