"""Whole-body responses with HTTP Range support (RFC 9110) for bytes held in memory."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from server.errors import error_response

RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")  # longer: malformed (and past int())


def ranged(
    request: Request, data: bytes, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    """200 with the body, 206 for one satisfiable range, 416 (JSON) for an unsatisfiable one.

    A malformed Range header, or several ranges, is ignored and the whole body is sent, as the
    standard allows. HEAD gets the headers (with Content-Length) and no body.
    """
    headers = {"Accept-Ranges": "bytes", **(headers or {})}
    size = len(data)
    header = request.headers.get("range", "").replace(" ", "")
    match = RANGE.match(header)
    if match and (match[1] or match[2]):
        first, last = match[1], match[2]
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
            valid = not last or int(last) >= start
        else:
            start, end, valid = max(0, size - int(last)), size - 1, int(last) > 0
        if valid and start < size:
            body = data[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
            return Response(
                b"" if request.method == "HEAD" else body,
                status_code=206,
                headers={**headers, "Content-Length": str(len(body))},
                media_type=media_type,
            )
        if valid:
            return error_response(
                416,
                f"range {header} is beyond the {size} bytes available",
                {**headers, "Content-Range": f"bytes */{size}"},
            )
    return Response(
        b"" if request.method == "HEAD" else data,
        headers={**headers, "Content-Length": str(size)},
        media_type=media_type,
    )
