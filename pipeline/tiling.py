"""The seam through which adding or removing a user's data tiles it: the pipeline sits below
the tiles package, so whoever calls it (the CLI, a test) hands in the tile builder."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class TileSummary(Protocol):
    """What a tile build reports back (tiles.build.TileBuild has these and more)."""

    @property
    def planned(self) -> int:
        """Tilesets selected."""

    @property
    def tiles(self) -> int:
        """Tiles written."""

    @property
    def bytes(self) -> int:
        """Bytes written."""


class BuildTiles(Protocol):
    """Build (or bring up to date) the tilesets of the named indicators in a data directory."""

    def __call__(
        self,
        data_dir: Path,
        *,
        only: Iterable[str] | None = ...,
        workers: int | None = ...,
        progress: bool = ...,
    ) -> TileSummary:
        """Build and report."""


@dataclass(frozen=True)
class Tiler:
    """Builds an indicator's tilesets, or drops them (returning how many went)."""

    build: BuildTiles
    drop: Callable[[Path, str], int]
