"""`levelup index`: add, list and remove your own composite indexes."""

from __future__ import annotations

from pathlib import Path

import click

from levelup.errors import LevelupError
from levelup.protocol import Message
from levelup_cli.common import data_dir_option, fail, settings_for, tiler


@click.group()
def index() -> None:
    """Your own composite indexes: a definition file (TOML, or JSON from the web map) of
    domains, pillars and measures with weights and directions. Start from the shipped one:
    GET /api/indexes/prosperity/definition.toml."""


@index.command("add")
@data_dir_option
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace your index with the same id.")
@click.option("--dry-run", is_flag=True, help="Check the definition; build nothing.")
@click.option("--no-wait", is_flag=True, help="Fail at once if another build is running.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--name", "shown_name", default=None, hidden=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
def add(
    data_dir: Path | None,
    file: Path,
    replace: bool,
    dry_run: bool,
    no_wait: bool,
    as_json: bool,
    shown_name: str | None,
    quiet: bool,
) -> None:
    """Compute an index from a definition file and tile it (its index, domains and pillars)."""
    from boundaries.changes import default_changes
    from boundaries.registry import default_registry
    from pipeline.index.user import add_index, prepare_index, require_database

    try:
        settings = settings_for(data_dir)
        require_database(settings.data_dir)
        definition = prepare_index(file, settings.data_dir, shown_name)
        if dry_run:
            checked = {"built": False, "id": definition.id, "title": definition.title}
            click.echo(
                Message(checked).encode() if as_json else f"{definition.id}: the definition is fine"
            )
            return
        added = add_index(
            definition,
            settings.data_dir,
            default_registry(),
            default_changes(),
            tiler(),
            replace=replace,
            wait=not no_wait,
            progress=not quiet and not as_json,
        )
    except LevelupError as exc:
        fail(exc, as_json)
    if as_json:
        click.echo(
            Message(
                {
                    "built": True,
                    "added": {
                        "id": added.id,
                        "title": added.title,
                        "replaced": added.replaced,
                        "years": added.years,
                        "areas": added.areas,
                        "tilesets": added.tilesets,
                        "seconds": round(added.seconds, 2),
                    },
                }
            ).encode()
        )
    else:
        span = f"{added.years[0]}-{added.years[-1]}" if added.years else "no years"
        click.echo(
            f"added index {added.id}: {added.areas} areas, {span}, {added.tilesets} tilesets "
            f"in {added.seconds:.1f}s ({'replaced' if added.replaced else 'new'})"
        )


@index.command("remove")
@data_dir_option
@click.argument("index_id")
@click.option("--no-wait", is_flag=True, help="Fail at once if another build is running.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def remove(data_dir: Path | None, index_id: str, no_wait: bool, as_json: bool) -> None:
    """Remove one of your indexes (its definition, scores and tilesets)."""
    from boundaries.registry import default_registry
    from levelup.ids import valid_user_id
    from pipeline.index.user import remove_index

    try:
        if not valid_user_id(index_id):
            raise LevelupError(f"{index_id[:60]!r} is not an index id")
        dropped = remove_index(
            settings_for(data_dir).data_dir,
            index_id,
            default_registry(),
            tiler(),
            wait=not no_wait,
        )
    except LevelupError as exc:
        fail(exc, as_json)
    if as_json:
        click.echo(Message({"removed": index_id, "tilesets": dropped}).encode())
    else:
        click.echo(f"removed index {index_id} ({dropped} tilesets)")


@index.command("list")
@data_dir_option
def list_indexes(data_dir: Path | None) -> None:
    """List the indexes in the built data."""
    from levelup import db

    try:
        connection = db.open_readonly(settings_for(data_dir).db_path)
    except LevelupError as exc:
        fail(exc, False)
    try:
        for index_id, title, source in connection.execute(
            "SELECT id, title, source FROM indexes ORDER BY source DESC, id"
        ):
            click.echo(f"{index_id}  {title}  ({source})")
    finally:
        connection.close()
