"""The message a `levelup` command run with --json prints as its last line, and the server's
upload endpoints read: one versioned definition, encoded and decoded here only.

    {"protocol": "levelup", "version": 1, "ok": true, "result": {...}}
    {"protocol": "levelup", "version": 1, "ok": false,
     "error": {"kind": "DuplicateRowError", "message": ..., "detail": ..., "file": ...,
               "line": ..., "column": ..., "columns": [...]}}

A message of another version, an error kind not listed in ERROR_KINDS, or a line that is no
message at all is a ProtocolError, never a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from levelup.errors import (
    BadRequestError,
    BadValueError,
    BusyError,
    CatalogueError,
    ConflictError,
    DuplicateRowError,
    ForbiddenError,
    InputError,
    LevelupError,
    MissingColumnError,
    NotFoundError,
    SchedulerError,
    StoreError,
    TooLargeError,
    UnknownBoundarySetError,
    UnknownIndicatorError,
    UnreadableFileError,
)

PROTOCOL = "levelup"
VERSION = 1
ERROR_KINDS: dict[str, type[LevelupError]] = {
    kind.__name__: kind
    for kind in (
        LevelupError,
        InputError,
        UnreadableFileError,
        MissingColumnError,
        BadValueError,
        DuplicateRowError,
        CatalogueError,
        UnknownBoundarySetError,
        UnknownIndicatorError,
        NotFoundError,
        BadRequestError,
        ConflictError,
        ForbiddenError,
        BusyError,
        TooLargeError,
        StoreError,
        SchedulerError,
    )
}
"""Every error a message may carry, by the name it travels under."""


class ProtocolError(LevelupError):
    """A line that is not a message of this protocol version."""


@dataclass(frozen=True, slots=True)
class Message:
    """One command's outcome: its result fields when it succeeded, else the error it raised."""

    result: dict[str, Any] = field(default_factory=dict)
    error: LevelupError | None = None
    version: int = VERSION

    @property
    def ok(self) -> bool:
        """Whether the command succeeded."""
        return self.error is None

    def body(self) -> dict[str, Any]:
        """The result as the API answers it: {"ok": true, ...result}."""
        return {"ok": True, **self.result}

    def raise_error(self) -> None:
        """Raise the error the command reported (nothing when it succeeded)."""
        if self.error is not None:
            raise self.error

    def encode(self) -> str:
        """The message as one line of JSON."""
        head: dict[str, Any] = {"protocol": PROTOCOL, "version": self.version, "ok": self.ok}
        if self.error is None:
            return json.dumps({**head, "result": self.result})
        return json.dumps({**head, "error": _error_fields(self.error)})

    @classmethod
    def decode(cls, line: str) -> Message:
        """Read one line; ProtocolError when it is not a message of this version."""
        try:
            raw = json.loads(line)
        except ValueError:
            raise ProtocolError(f"not a levelup message: {line[:80]!r}") from None
        if not isinstance(raw, dict) or raw.get("protocol") != PROTOCOL:
            raise ProtocolError(f"not a levelup message: {line[:80]!r}")
        if raw.get("version") != VERSION:
            raise ProtocolError(
                f"a levelup message of version {raw.get('version')!r}; this levelup reads "
                f"version {VERSION}"
            )
        if raw.get("ok") is True and isinstance(raw.get("result"), dict):
            return cls(result=raw["result"])
        if raw.get("ok") is False and isinstance(raw.get("error"), dict):
            return cls(error=_error_from(raw["error"]))
        raise ProtocolError("a levelup message with neither a result nor an error")


def _error_fields(error: LevelupError) -> dict[str, Any]:
    # an error kind the protocol does not list travels as its nearest listed ancestor
    kind = next(c.__name__ for c in type(error).__mro__ if ERROR_KINDS.get(c.__name__) is c)
    fields: dict[str, Any] = {"kind": kind, "message": str(error)}
    if isinstance(error, InputError):
        fields.update(
            detail=error.message,
            file=error.path,
            line=error.line,
            column=error.column,
            columns=error.columns,
        )
    return fields


def _error_from(fields: dict[str, Any]) -> LevelupError:
    kind = ERROR_KINDS.get(str(fields.get("kind")))
    if kind is None:
        raise ProtocolError(f"unknown error kind {str(fields.get('kind'))[:60]!r}")
    if issubclass(kind, InputError):
        error = kind(
            str(fields.get("detail") or fields.get("message")),
            path=fields.get("file"),
            line=fields.get("line"),
            column=fields.get("column"),
        )
        error.columns = fields.get("columns")
        return error
    return kind(str(fields.get("message", "")))
