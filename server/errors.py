"""One place mapping the error tree to HTTP statuses, with JSON bodies."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from levelup.errors import (
    BadRequestError,
    BusyError,
    CatalogueError,
    ConflictError,
    ForbiddenError,
    InputError,
    LevelupError,
    NotFoundError,
    StoreError,
    TooLargeError,
    UnknownBoundarySetError,
    UnknownIndicatorError,
)

LOG = logging.getLogger("levelup.server")

STATUS: dict[type[LevelupError], int] = {
    BadRequestError: 400,
    NotFoundError: 404,
    UnknownIndicatorError: 404,
    UnknownBoundarySetError: 404,
    CatalogueError: 404,
    ConflictError: 409,
    BusyError: 503,
    ForbiddenError: 403,
    InputError: 422,
    TooLargeError: 413,
    StoreError: 503,
}


def status_of(exc: LevelupError) -> int:
    """HTTP status for an error (most specific class wins; unknown -> 500)."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def error_document(status: int, message: str) -> dict[str, object]:
    """The JSON error document every route answers with: {"error": {"status", "message"}}."""
    return {"error": {"status": status, "message": message}}


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The JSON error response every route uses."""
    return JSONResponse(error_document(status, message), status_code=status, headers=headers)


async def levelup_error(request: Request, exc: Exception) -> Response:
    """Handler for LevelupError subclasses."""
    assert isinstance(exc, LevelupError)
    status = status_of(exc)
    if status >= 500:
        LOG.error("%s %s: %s", request.method, request.url.path, exc)
    return JSONResponse({"error": error_body(exc)}, status_code=status)  # CORS: cors.DataCors


def error_body(exc: LevelupError) -> dict[str, object]:
    """The error object of a JSON error response (with file, line and column for input)."""
    body: dict[str, object] = {"status": status_of(exc), "message": str(exc)}
    if isinstance(exc, InputError):  # say where in the file, for forms to point at
        body.update(file=exc.path, line=exc.line, column=exc.column, detail=exc.message)
    return body


async def http_error(request: Request, exc: Exception) -> Response:
    """Handler for Starlette's own HTTP errors (unknown route, wrong method)."""
    assert isinstance(exc, HTTPException)
    message = {
        404: f"no such resource: {request.url.path}",
        405: f"method {request.method} not allowed here",
    }.get(exc.status_code, exc.detail)
    return error_response(exc.status_code, message, dict(exc.headers or {}))


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """Last resort: log the bug and answer a JSON 500 (never a traceback)."""
    LOG.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "internal error; it has been logged")


HANDLERS = {LevelupError: levelup_error, HTTPException: http_error, Exception: unexpected_error}
