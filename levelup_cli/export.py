"""`levelup export`: the whole map as static files (z/x/y tiles or PMTiles)."""

from __future__ import annotations

from pathlib import Path

import click

from levelup_cli.common import data_dir_option, fails_cleanly, settings_for, year_range


@click.command()
@data_dir_option
@click.option(
    "--static",
    "static_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write z/x/y.pbf.gz tiles, JSON and the web client here (nginx gzip_static, CDN).",
)
@click.option(
    "--pmtiles",
    "pmtiles_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one PMTiles archive per tileset, JSON and the web client here (any static "
    "host with range requests).",
)
@click.option(
    "--base-url",
    default="",
    help="Public URL of the site, for TileJSON and styles used elsewhere (QGIS); "
    "default: links relative to each file.",
)
@click.option("--only", multiple=True, metavar="INDICATOR", help="Only these indicators.")
@click.option("--level", "levels", multiple=True, metavar="LEVEL", help="Only these levels.")
@click.option("--years", default=None, metavar="YYYY[-YYYY]", help="Only these years.")
@click.option("--no-areas", is_flag=True, help="Leave out the area pages (the click panel).")
@click.option("--all-geojson", is_flag=True, help="GeoJSON for every year (default: latest).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@fails_cleanly
def export(
    data_dir: Path | None,
    static_dir: Path | None,
    pmtiles_dir: Path | None,
    base_url: str,
    only: tuple[str, ...],
    levels: tuple[str, ...],
    years: str | None,
    no_areas: bool,
    all_geojson: bool,
    quiet: bool,
) -> None:
    """Export the built map as a static site: no Python server needed to serve it."""
    from server.export import Selection, export_site

    if (static_dir is None) == (pmtiles_dir is None):
        raise click.UsageError("give exactly one of --static DIR or --pmtiles DIR")
    if base_url and not base_url.startswith(("http://", "https://", "/")):
        raise click.BadParameter(
            f"{base_url!r} is not a URL; give e.g. https://maps.example.org or /levelup",
            param_hint="--base-url",
        )
    target, mode = (static_dir, "xyz") if static_dir is not None else (pmtiles_dir, "pmtiles")
    assert target is not None
    result = export_site(
        settings_for(data_dir).data_dir,
        target,
        mode=mode,
        base_url=base_url,
        selection=Selection(only, levels, year_range(years)),
        areas=not no_areas,
        all_geojson=all_geojson,
        progress=not quiet,
    )
    click.echo(
        f"exported {result.tilesets} tilesets ({result.mode}) to {result.target}: "
        f"{result.files:,} files, {result.bytes / 1e6:,.1f} MB in {result.seconds:.1f}s"
        + (f", {result.tiles:,} tiles" if result.tiles else "")
    )
