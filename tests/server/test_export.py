"""`levelup export` replaces its folder whole, so it refuses any folder where that loses data."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from levelup.errors import LevelupError
from levelup_cli.main import main
from server.export import MARKER, Selection, export_site
from tests.conftest import clone_data_dir

SMALL = Selection(only=("claimant-count",), levels=("rgn",), years=(2024, 2024))


def test_the_data_directory_and_foreign_folders_are_refused(data_dir: Path, tmp_path: Path) -> None:
    own = clone_data_dir(data_dir, tmp_path / "parent" / "data")
    before = sorted(p.name for p in own.iterdir())
    for target, reason in (
        (own, "holds the data directory"),
        (own.parent, "holds the data directory"),
        (own / "site", "is inside the data directory"),
    ):
        with pytest.raises(LevelupError, match=reason):
            export_site(own, target, mode="xyz", selection=SMALL)
    assert sorted(p.name for p in own.iterdir()) == before
    foreign = tmp_path / "www"
    foreign.mkdir()
    (foreign / "page.html").write_text("mine")
    with pytest.raises(LevelupError, match="not empty and not an earlier levelup export"):
        export_site(own, foreign, mode="pmtiles", selection=SMALL)
    assert (foreign / "page.html").read_text() == "mine"


def test_an_earlier_export_is_replaced(data_dir: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = export_site(data_dir, site, mode="xyz", selection=SMALL, areas=False)
    assert (site / MARKER).is_file() and first.tilesets == 1 and first.tiles > 100
    (site / "stale.txt").write_text("from before")
    second = export_site(data_dir, site, mode="pmtiles", selection=SMALL, areas=False)
    assert second.tilesets == 1 and not (site / "stale.txt").exists()
    assert not (site / "tiles" / "claimant-count.rate.rgn.2024").exists()  # xyz tiles gone
    assert list((site / "tiles").glob("*.pmtiles"))


def test_cli_checks_the_base_url_and_one_mode(data_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    common = ["export", "--data-dir", str(data_dir)]
    bad = runner.invoke(main, [*common, "--static", str(tmp_path / "s"), "--base-url", "x"])
    assert bad.exit_code == 2 and "is not a URL" in bad.output
    neither = runner.invoke(main, common)
    assert neither.exit_code == 2 and "exactly one of --static DIR" in neither.output
