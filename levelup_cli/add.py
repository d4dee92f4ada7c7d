"""`levelup add` and `levelup remove`: bring your own table of area codes and values."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from levelup.errors import LevelupError, StoreError
from levelup.protocol import Message
from levelup_cli.common import data_dir_option, fail, settings_for, tiler


def _direction(polarity: str) -> str:
    if polarity == "neither":
        return "neither higher nor lower is better"
    return f"{polarity} is better"


def _percent(share: float) -> str:
    return f"{100 * share:.1f}%"


def describe(summary: dict[str, Any]) -> list[str]:
    """The detection preview as lines of text."""
    s = summary
    shape = {
        "tidy": "tidy (one row per area and period)",
        "wide-years": "wide (one column per year)",
        "wide-indicators": "wide (one column per measure)",
    }[s["format"]]
    period = f'"{s["period_column"]}"' if s["period_column"] else f"given as {s['period']}"
    if s["format"] == "wide-years":
        period = "the column headers"
    values = ", ".join(f'"{c}"' for c in s["value_columns"])
    lines = [
        f"layout:     {shape}",
        f'codes:      "{s["code_column"]}"'
        + (f'  names: "{s["name_column"]}"' if s["name_column"] else ""),
        f"periods:    {period}  values: {values}",
        f"rows:       {s['rows']} with area codes, {s['values']} values, "
        f"{s['suppressed']} blank or suppressed",
    ]
    for row in s["ignored_rows"][:8]:
        times = f", {row['rows']} rows" if row["rows"] > 1 else ""
        lines.append(
            f"  skipped:  {row['text']!r} from line {row['line']}{times} ({row['reason']})"
        )
    if len(s["ignored_rows"]) > 8:
        lines.append(f"  skipped:  {len(s['ignored_rows']) - 8} more kinds of row")
    if s["comparators"]:
        lines.append(f"  national: {', '.join(s['comparators'])} (used for the index)")
    if s["other_levels"]:
        other = ", ".join(f"{n} {lv}" for lv, n in s["other_levels"].items())
        lines.append(f"  skipped:  codes of other levels ({other})")
    lines += [
        f"geography:  {s['level_label']} ({s['level']}) on {s['boundary_title']} "
        f"[{s['boundary_set']}]",
        f"years:      {', '.join(str(y) for y in s['years'])}",
        f"matched:    {s['matched']} of {s['codes']} codes ({_percent(s['match_rate'])})",
    ]
    for miss in s["unmatched"][:20]:
        detail = f": {miss['detail']}" if miss["detail"] else ""
        lines.append(f"  unmatched {miss['code']} ({miss['reason']}{detail})")
    if len(s["unmatched"]) > 20:
        lines.append(f"  ... and {len(s['unmatched']) - 20} more unmatched codes")
    variants = ", ".join(v["label"] for v in s["variants"])
    lines += [
        f'indicator:  {s["id"]} "{s["title"]}", unit {s["unit"] or "(none)"}, '
        f"{_direction(s['polarity'])}, {s['decimals']} decimals"
        + (" (replaces yours)" if s["replaces"] else ""),
        f"measures:   {variants}",
    ]
    lines += [f"note:       {n}" for n in s["notes"]]
    return lines


@click.command()
@data_dir_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "indicator_id", default=None, help="Indicator id (default: from the title).")
@click.option("--title", default=None, help="Title shown in the map (default: the file name).")
@click.option("--unit", default=None, help='Unit, such as "%" or "£" (default: guessed).')
@click.option(
    "--polarity",
    type=click.Choice(["higher", "lower", "neither"]),
    default="higher",
    show_default=True,
    help="Which way is better ('neither' for sizes such as population: ranked, never 'best').",
)
@click.option("--source", default="", help="Who published the data (shown as attribution).")
@click.option("--licence", default="", help="The data's licence.")
@click.option("--description", default="", help="A sentence about the data.")
@click.option("--decimals", type=click.IntRange(0, 6), default=None, help="Decimals shown.")
@click.option("--code-column", default=None, help="Column with area codes (default: detected).")
@click.option("--period-column", default=None, help="Column with periods (default: detected).")
@click.option("--period", default=None, help="One period for every row, such as 2023.")
@click.option("--value-column", "value_columns", multiple=True, help="Value column (repeatable).")
@click.option("--name-column", default=None, help="Column with area names.")
@click.option("--level", default=None, help="Geography level, such as lad or nuts2.")
@click.option("--replace", is_flag=True, help="Replace your indicator with the same id.")
@click.option("--no-wait", is_flag=True, help="Fail at once if another build is running.")
@click.option("--yes", "-y", is_flag=True, help="Build without asking.")
@click.option("--dry-run", is_flag=True, help="Show what was detected; build nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--name", "shown_name", default=None, hidden=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def add(data_dir: Path | None, file: Path, **options: Any) -> None:
    """Add a CSV or XLSX table keyed by area codes as a new indicator, and tile it.

    Tidy tables (code, period, value) and wide ones (a column per year or per measure) are
    detected; what was found is shown before anything is built (in a terminal you are asked
    to confirm; elsewhere, or with --yes, it builds straight away).
    """
    as_json = options["as_json"]
    try:
        _add(settings_for(data_dir), file, options)
    except LevelupError as exc:
        fail(exc, as_json)


def _add(settings: Any, file: Path, options: dict[str, Any]) -> None:
    from boundaries.changes import default_changes
    from boundaries.registry import default_registry
    from pipeline.byod.ingest import commit, discard, prepare
    from pipeline.byod.spec import Details

    registry, changes = default_registry(), default_changes()
    details = Details(
        indicator_id=options["indicator_id"],
        title=options["title"],
        unit=options["unit"],
        polarity=options["polarity"],
        source=options["source"].strip(),
        licence=options["licence"].strip(),
        description=options["description"].strip(),
        decimals=options["decimals"],
    )
    keys = ("code_column", "period_column", "period", "name_column", "level")
    overrides: dict[str, Any] = {k: options[k] for k in keys if options[k]}
    if options["value_columns"]:
        overrides["value_columns"] = list(options["value_columns"])
    dry_run, as_json = options["dry_run"], options["as_json"]
    db_path = settings.db_path
    if not dry_run and not db_path.is_file():
        raise StoreError(f"no built data in {settings.data_dir}: run 'levelup build' first")
    staged = prepare(
        file,
        settings.data_dir,
        registry,
        changes,
        details=details,
        overrides=overrides,
        name=options["shown_name"],
        limit_mb=settings.max_upload_mb,
        replace=options["replace"],
    )
    summary = staged.summary(registry)
    if not as_json:
        click.echo("\n".join(describe(summary)))
    go = not dry_run and (options["yes"] or not sys.stdin.isatty() or click.confirm("Build it?"))
    if not go:
        discard(staged)
        if as_json:
            click.echo(Message({"built": False, "preview": summary}).encode())
        return
    added = commit(
        staged,
        settings.data_dir,
        registry,
        changes,
        tiler(),
        progress=not options["quiet"],
        wait=not options["no_wait"],
    )
    if as_json:
        click.echo(
            Message(
                {
                    "built": True,
                    "preview": summary,
                    "added": {
                        "id": added.indicator,
                        "tilesets": added.tilesets,
                        "tiles": added.tiles,
                        "bytes": added.bytes,
                        "seconds": round(added.seconds, 2),
                    },
                }
            ).encode()
        )
    else:
        click.echo(
            f"added {added.indicator}: {added.tilesets} tilesets, {added.tiles:,} tiles, "
            f"{added.bytes / 1e6:,.1f} MB in {added.seconds:.1f}s "
            f"({'replaced' if added.replaced else 'new'}); see it with 'levelup serve'"
        )


@click.command()
@data_dir_option
@click.argument("indicator_id")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--no-wait", is_flag=True, help="Fail at once if another build is running.")
def remove(data_dir: Path | None, indicator_id: str, as_json: bool, no_wait: bool) -> None:
    """Remove one of your indicators (its data, tilesets and saved table)."""
    from boundaries.registry import default_registry
    from pipeline.byod.ingest import remove as remove_user

    try:
        dropped = remove_user(
            settings_for(data_dir).data_dir,
            indicator_id,
            default_registry(),
            tiler(),
            wait=not no_wait,
        )
    except LevelupError as exc:
        fail(exc, as_json)
    if as_json:
        click.echo(Message({"removed": indicator_id, "tilesets": dropped}).encode())
    else:
        click.echo(f"removed {indicator_id} ({dropped} tilesets)")
