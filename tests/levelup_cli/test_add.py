"""`levelup add` and `levelup remove` from the command line: previews, exit codes, messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from levelup.errors import InputError
from levelup.protocol import Message
from levelup_cli.main import main
from tests.pipeline.byod.tables import messy_tidy, messy_wide
from tests.pipeline.byod.test_ingest import BAD_TABLES, _bad_tables, snapshot


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_add_shows_what_it_found_then_builds(own_data_dir: Path, registry) -> None:
    path = messy_wide(registry).write(own_data_dir.parent)
    dry = run("add", path, "--dry-run", "--data-dir", own_data_dir)
    assert dry.exit_code == 0, dry.output
    for text in (
        "wide (one column per year)",
        '"AREA CODE"',
        "lad-2022",
        "matched:    30 of 30 codes (100.0%)",
        "national: E92000001",
    ):
        assert text in dry.output
    assert not (own_data_dir / "user" / "indicators").exists() or not list(
        (own_data_dir / "user" / "indicators").iterdir()
    )
    added = run(
        "add",
        path,
        "--id",
        "pay",
        "--title",
        "Median pay",
        "--source",
        "Council",
        "--yes",
        "-q",
        "--data-dir",
        own_data_dir,
    )
    assert added.exit_code == 0, added.output
    assert "added pay: 3 tilesets" in added.output
    again = run("add", path, "--id", "pay", "--yes", "--data-dir", own_data_dir)
    assert again.exit_code == 1 and "--replace" in again.output
    listed = run("report", "--indicator", "pay", "--data-dir", own_data_dir)
    assert listed.exit_code == 0 and "pay/value" in listed.output
    removed = run("remove", "pay", "--data-dir", own_data_dir)
    assert removed.exit_code == 0 and "removed pay (3 tilesets)" in removed.output


def test_json_preview(own_data_dir: Path, registry) -> None:
    path = messy_tidy(registry).write(own_data_dir.parent)
    out = run("add", path, "--dry-run", "--json", "--data-dir", own_data_dir)
    report = Message.decode(out.output)
    assert report.ok and not report.result["built"]
    assert report.result["preview"]["ignored_rows"][0]["reason"] == "a total row"


@pytest.mark.parametrize("case", BAD_TABLES)
def test_bad_tables_exit_non_zero(case: str, own_data_dir: Path, registry) -> None:
    table, _, message = _bad_tables(registry)[case]
    path = table.write(own_data_dir.parent)
    before = snapshot(own_data_dir)
    result = run("add", path, "--yes", "--data-dir", own_data_dir)
    assert result.exit_code == 1
    assert result.output.startswith(f"levelup: error: {path}") and message in result.output
    as_json = Message.decode(run("add", path, "--json", "--data-dir", own_data_dir).output)
    assert isinstance(as_json.error, InputError) and as_json.error.path == str(path)
    assert snapshot(own_data_dir) == before


def test_bad_arguments(own_data_dir: Path, registry, tmp_path: Path) -> None:
    path = messy_tidy(registry).write(tmp_path)
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    cases = [
        (["add", big], "big.csv: 200.0 MB is over the 20 MB limit"),
        (["add", path, "--id", "../../etc"], "must be lower-case letters"),
        (["add", path, "--level", "parish"], "unknown geography level 'parish'"),
        (["add", tmp_path / "missing.csv"], "no such file"),
        (["remove", "gdp-per-head"], "cannot be removed"),
        (["remove", "../levelup.db"], "no user indicator"),
    ]
    for args, message in cases:
        result = run(*args, "--data-dir", own_data_dir)
        assert result.exit_code == 1, args
        assert message in result.output, (args, result.output)
    nothing = run("add", path, "--yes", "--data-dir", tmp_path / "nowhere")
    assert nothing.exit_code == 1 and "run 'levelup build' first" in nothing.output
