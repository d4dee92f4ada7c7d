"""Query parameters parsed strictly: anything malformed is a 400 that names the parameter."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from starlette.requests import Request

from levelup.errors import BadRequestError

MAX_QUERY = 8192
MAX_CODES = 2000
CODE = re.compile(r"^[A-Za-z0-9_]{1,16}$")


def shown(value: str, limit: int = 40) -> str:
    """A user-supplied value, shortened for an error message."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def allowed(request: Request, *names: str) -> None:
    """Refuse unknown query parameters (names starting with '_' are ignored: cache-busters)."""
    for key in request.query_params:
        if key not in names and not key.startswith("_"):
            listing = ", ".join(names) if names else "none"
            raise BadRequestError(f"unknown parameter {shown(key)}; this endpoint takes: {listing}")


def query(request: Request, name: str) -> str | None:
    """One query parameter (None when absent); refuses overlong query strings."""
    if len(request.scope.get("query_string", b"")) > MAX_QUERY:
        raise BadRequestError(f"query string longer than {MAX_QUERY} characters")
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise BadRequestError(f"parameter {name!r} given more than once")
    return values[0].strip() if values else None


def choice(request: Request, name: str, allowed: Sequence[str], default: str | None) -> str:
    """A parameter that must be one of `allowed` (the default when absent)."""
    value = query(request, name) or default
    if value is None or value not in allowed:
        raise BadRequestError(
            f"parameter {name!r} must be one of: {', '.join(allowed)}"
            + (f" (got {value!r})" if value else "")
        )
    return value


def year(request: Request, name: str, allowed: Sequence[int], default: int | None) -> int:
    """A year that must be one of `allowed`."""
    text = query(request, name)
    if text is None:
        if default is None:
            raise BadRequestError(f"parameter {name!r} is required")
        return default
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) not in allowed:
        shown = ", ".join(str(y) for y in allowed)
        raise BadRequestError(f"parameter {name!r} must be one of the years: {shown}")
    return int(text)


def year_range(request: Request, name: str) -> tuple[int, int] | None:
    """'2019' or '2010-2020'."""
    text = query(request, name)
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text)
    if match is None:
        raise BadRequestError(f"parameter {name!r} must be a year or a range like 2010-2020")
    first, last = int(match[1]), int(match[2] or match[1])
    if first > last:
        raise BadRequestError(f"parameter {name!r}: the range ends before it starts")
    return first, last


def bbox(request: Request, name: str = "bbox") -> tuple[float, float, float, float] | None:
    """west,south,east,north in degrees."""
    text = query(request, name)
    if not text:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise BadRequestError(f"parameter {name!r} must be west,south,east,north") from None
    values = (west, south, east, north)
    if not all(math.isfinite(v) for v in values) or not (
        -180 <= west < east <= 180 and -90 <= south < north <= 90
    ):
        raise BadRequestError(
            f"parameter {name!r}: need -180 <= west < east <= 180 and -90 <= south < north <= 90"
        )
    return values


def codes(request: Request, name: str = "codes") -> list[str] | None:
    """A comma-separated list of area codes."""
    text = query(request, name)
    if not text:
        return None
    items = [c.strip() for c in text.split(",") if c.strip()]
    if len(items) > MAX_CODES:
        raise BadRequestError(f"parameter {name!r}: at most {MAX_CODES} codes")
    bad = [c for c in items if not CODE.match(c)]
    if bad:
        raise BadRequestError(f"parameter {name!r}: {shown(bad[0])} is not an area code")
    return items


def integer(request: Request, name: str, default: int, low: int, high: int) -> int:
    """A bounded integer."""
    text = query(request, name)
    if text is None:
        return default
    if not re.fullmatch(r"\d{1,6}", text) or not low <= int(text) <= high:
        raise BadRequestError(f"parameter {name!r} must be an integer from {low} to {high}")
    return int(text)
