"""Pieces every `levelup` command shares: clean failures, settings and the --data-dir option."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from levelup.errors import LevelupError
from levelup.protocol import Message
from levelup.settings import Settings
from pipeline.tiling import Tiler

F = TypeVar("F", bound=Callable[..., Any])


def fails_cleanly(func: F) -> F:
    """Print LevelupError as one clear line on stderr and exit 1 (no traceback)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LevelupError as exc:
            click.echo(f"levelup: error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def settings_for(data_dir: Path | None) -> Settings:
    """Settings from the environment, with --data-dir when given."""
    settings = Settings()
    return settings.model_copy(update={"data_dir": data_dir}) if data_dir else settings


data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The data directory builds write and other commands read (default: "
    "$LEVELUP_DATA_DIR or ./build).",
)


def year_range(value: str | None) -> tuple[int, int] | None:
    """A year or a range like 2019-2023 from the command line (None when not given)."""
    if not value:
        return None
    first, _, last = value.partition("-")
    try:
        years = (int(first), int(last or first))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a year or a range like 2019-2023") from None
    if years[0] > years[1]:
        raise click.BadParameter(f"{value!r}: the range ends before it starts")
    return years


def fail(exc: LevelupError, as_json: bool) -> NoReturn:
    """Report an error (as a protocol message with --json) and exit with status 1."""
    if as_json:
        click.echo(Message(error=exc).encode())
    else:
        click.echo(f"levelup: error: {exc}", err=True)
    sys.exit(1)


def tiler() -> Tiler:
    """The tile builder the pipeline's add and remove steps hand their indicator to."""
    from tiles.build import build_tiles, drop_tilesets

    return Tiler(build=build_tiles, drop=drop_tilesets)
