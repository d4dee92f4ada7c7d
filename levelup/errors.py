"""One error tree for the whole project; the server maps it to HTTP statuses in one place."""

from __future__ import annotations

from pathlib import Path


class LevelupError(Exception):
    """Base class of every error levelup raises on purpose."""


class InputError(LevelupError):
    """Bad input data: names the file and, where known, the line and column."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.columns: list[str] | None = None  # the table's headers, when it was read
        super().__init__(self.describe())

    def describe(self) -> str:
        """Return 'file, line N, column "C": message' with whatever location is known."""
        where = []
        if self.path is not None:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class UnreadableFileError(InputError):
    """A file is missing, not text, or cannot be decoded or parsed."""


class MissingColumnError(InputError):
    """A required column is absent from a table."""


class BadValueError(InputError):
    """A cell holds a value that is neither a number nor a known flag."""


class DuplicateRowError(InputError):
    """Two rows give different values for one area and period."""


class CatalogueError(LevelupError):
    """A catalogue or registry file (TOML) is malformed or inconsistent."""


class UnknownBoundarySetError(LevelupError):
    """A boundary set id is not in the registry."""


class UnknownIndicatorError(LevelupError):
    """An indicator id is not in the catalogue."""


class NotFoundError(LevelupError):
    """A requested resource (tileset, area, file) does not exist."""


class BadRequestError(LevelupError):
    """A request parameter is malformed or out of range."""


class ConflictError(LevelupError):
    """The request clashes with what exists (an id already taken, a shipped indicator)."""


class ForbiddenError(LevelupError):
    """The request is not allowed here (uploads switched off, a cross-site request)."""


class BusyError(LevelupError):
    """Another build holds the data directory; try again shortly."""


class TooLargeError(LevelupError):
    """A request or upload would exceed a configured limit."""


class StoreError(LevelupError):
    """A tile or data store file is missing, corrupt or from an incompatible build."""


class SchedulerError(LevelupError):
    """The Dask scheduler given to a build cannot be reached."""
