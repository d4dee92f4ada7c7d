"""The `levelup` command: a thin layer over the library functions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from levelup_cli.add import add, remove
from levelup_cli.common import data_dir_option, fails_cleanly, settings_for, year_range
from levelup_cli.export import export
from levelup_cli.index import index
from levelup_cli.run import run
from levelup_cli.serve import serve


@click.group()
@click.version_option(package_name="levelup")
def main() -> None:
    """levelup: levelling-up statistics on real boundaries, as tiles, extracts and a map."""


@main.command()
@data_dir_option
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="INDICATOR",
    help="Build tilesets of these indicators only (repeatable).",
)
@click.option("--years", default=None, metavar="YYYY[-YYYY]", help="Only these years.")
@click.option(
    "--level",
    "levels",
    multiple=True,
    metavar="LEVEL",
    help="Only these geography levels, e.g. lad, ctyua, rgn, nuts2 (repeatable).",
)
@click.option("--force", is_flag=True, help="Rebuild the selected tilesets even if unchanged.")
@click.option("--force-data", is_flag=True, help="Re-join the data even if unchanged.")
@click.option("--data-only", is_flag=True, help="Build the joined data but no tiles.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes encoding tilesets (default: CPU count, at most 4).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run the tileset work on a Dask cluster (e.g. tcp://10.0.0.5:8786, or 'local' for "
    "a LocalCluster of --workers processes); default: local processes.",
)
@click.option(
    "--flush-every",
    type=click.FloatRange(0.5),
    default=None,
    metavar="SECONDS",
    help="Rewrite the tiles manifest this often, so a running server shows each tileset as "
    "soon as it is written.",
)
@click.option(
    "--first",
    multiple=True,
    metavar="INDICATOR",
    help="Build these indicators' tilesets before any other (repeatable).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@fails_cleanly
def build(
    data_dir: Path | None,
    only: tuple[str, ...],
    years: str | None,
    levels: tuple[str, ...],
    force: bool,
    force_data: bool,
    data_only: bool,
    workers: int | None,
    scheduler: str | None,
    flush_every: float | None,
    first: tuple[str, ...],
    quiet: bool,
) -> None:
    """Join every shipped (and user) indicator into DATA_DIR/levelup.db, then build its tilesets."""
    from boundaries.registry import default_registry
    from pipeline.build import build_data
    from pipeline.catalogue import default_catalogue
    from pipeline.user_data import with_user_indicators

    if (
        scheduler
        and scheduler != "local"
        and not re.fullmatch(r"[a-z][a-z0-9+.-]*://\S+", scheduler)
    ):
        raise click.BadParameter(
            f"{scheduler!r} is not a scheduler address; give e.g. tcp://10.0.0.5:8786 or 'local'",
            param_hint="--scheduler",
        )
    settings = settings_for(data_dir)
    selected_years = year_range(years)
    catalogue = with_user_indicators(default_catalogue(), settings.data_dir)
    from pipeline.index.build import computed_ids

    computed = computed_ids(settings.data_dir)  # indexes and area types, made by the build
    for indicator in (*only, *first):  # fail before any work on a typo
        if indicator not in computed:
            catalogue.get(indicator)
    for level in levels:
        default_registry().level(level)
    result = build_data(settings.data_dir, force=force_data, progress=not quiet)
    if result.skipped:
        click.echo(f"data: up to date ({result.path}, checked in {result.seconds:.2f}s)")
    else:
        click.echo(
            f"data: {result.indicators} indicators, {result.observations:,} observations "
            f"joined on {result.sets} boundary sets in {result.seconds:.1f}s -> {result.path}"
        )
    if data_only:
        return
    from tiles.build import build_tiles

    tiles = build_tiles(
        settings.data_dir,
        only=only or None,
        years=selected_years,
        levels=levels or None,
        force=force,
        workers=workers,
        scheduler=scheduler,
        progress=not quiet,
        flush_every=flush_every,
        first=first,
    )
    click.echo(
        f"tiles: {tiles.planned} tilesets and {tiles.hex_planned} hex maps "
        f"({tiles.built} built, {tiles.skipped} up to date; hex maps "
        f"{tiles.hex_bytes / 1e6:,.1f} MB), "
        f"{tiles.tiles:,} tiles, {tiles.bytes / 1e6:,.1f} MB, {tiles.features:,} features "
        f"in {tiles.seconds:.1f}s; catalogue: {tiles.catalogue_tilesets:,} tilesets, "
        f"{tiles.catalogue_bytes / 1e6:,.1f} MB in {tiles.manifest.parent}"
    )
    from tiles.context import build_context

    context = build_context(settings.data_dir, force=force)
    click.echo(
        f"context: {'up to date' if context.skipped else f'{context.tiles:,} tiles, '}"
        f"{'' if context.skipped else f'{context.places:,} place names '}-> {context.path}"
    )


@main.command()
@data_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option("--years", is_flag=True, help="Also list every indicator x level x year.")
@click.option("--indicator", default=None, help="Only this indicator.")
@fails_cleanly
def report(data_dir: Path | None, as_json: bool, years: bool, indicator: str | None) -> None:
    """Print the coverage report of the last build."""
    from levelup import db
    from pipeline.report import coverage_report, format_report

    settings = settings_for(data_dir)
    if indicator:
        from pipeline.catalogue import default_catalogue
        from pipeline.user_data import with_user_indicators

        with_user_indicators(default_catalogue(), settings.data_dir).get(indicator)
    connection = db.open_readonly(settings.db_path)
    try:
        data = coverage_report(connection, indicator)
    finally:
        connection.close()
    if as_json:
        click.echo(json.dumps(data, indent=1))
    else:
        click.echo(format_report(data, years=years))


@main.group()
def groups() -> None:
    """Your own groups of areas (compare them in the web map and the API as group:ID)."""


@groups.command("add")
@data_dir_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@fails_cleanly
def groups_add(data_dir: Path | None, file: Path) -> None:
    """Add groups from a CSV with columns group, title, code, level (one row per member)."""
    from boundaries.registry import default_registry
    from pipeline.user_groups import add_user_groups

    added = add_user_groups(settings_for(data_dir).data_dir, file, default_registry())
    for group in added:
        members = group.members[0]
        click.echo(f"group:{group.id}  {group.title}  ({len(members.areas)} {members.level} areas)")


@groups.command("list")
@data_dir_option
@fails_cleanly
def groups_list(data_dir: Path | None) -> None:
    """List your groups."""
    from pipeline.user_groups import load_user_groups

    for group in load_user_groups(settings_for(data_dir).data_dir):
        members = group.members[0]
        click.echo(f"group:{group.id}  {group.title}  ({len(members.areas)} {members.level} areas)")


@groups.command("remove")
@data_dir_option
@click.argument("group_id")
@fails_cleanly
def groups_remove(data_dir: Path | None, group_id: str) -> None:
    """Remove one of your groups."""
    from pipeline.user_groups import remove_user_group

    remove_user_group(settings_for(data_dir).data_dir, group_id)
    click.echo(f"removed group:{group_id}")


main.add_command(add)
main.add_command(remove)
main.add_command(export)
main.add_command(run)
main.add_command(index)
main.add_command(serve)
