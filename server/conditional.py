"""Conditional and range requests (RFC 9110 §13 and §14) for one selected representation.

Pure functions: given the method, the request's header fields and the representation's
validators and length, `plan()` says what to answer — 200, 206 (one range, or several as
multipart/byteranges), 304, 412, 416 or 400 — with the header fields and the byte ranges to
send. Every body the server sends (tiles, JSON, extracts, downloads held in memory or read from
a file) is answered through it, so all of them behave the same.

Choices where the RFC leaves one: a GET with a Range is answered from the plain (identity)
copy even if gzip is accepted, so no client is handed a slice of a gzip stream (browsers ask
for ranges with identity anyway); a Range with another unit is ignored (200, as required); a
malformed bytes range is refused with 400; more than MAX_RANGES ranges are ignored (200);
overlapping or adjacent ranges are merged; several ranges left after merging are sent as
multipart/byteranges. Range is honoured for GET only; HEAD answers as a GET without Range.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime

MAX_RANGES = 50
NOT_MODIFIED_FIELDS = {"etag", "last-modified", "cache-control", "vary", "expires"}
CONDITIONS = frozenset(  # request fields (as ASGI names them) that can change an answer
    {b"if-match", b"if-none-match", b"if-modified-since", b"if-unmodified-since", b"range"}
)
TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')
RANGE_SPEC = re.compile(r"^([0-9]+)?-([0-9]+)?$")
HUGE = 1 << 62  # any position written with more digits than this is past every body


@dataclass(frozen=True, slots=True)
class Representation:
    """What is known of the body a request selected, before any of it is sent."""

    size: int
    media_type: str
    etag: str  # a strong entity tag with its quotes: '"abc"'
    last_modified: int | None  # seconds since the epoch
    headers: tuple[tuple[str, str], ...] = ()  # cache-control, content-encoding, vary…
    advertise_ranges: bool = True  # Accept-Ranges: bytes (ranges are served either way)


@dataclass(frozen=True, slots=True)
class Plan:
    """The answer: status, header fields and what to send, in order — literal bytes (multipart
    framing, error bodies) or inclusive (first, last) ranges of the representation."""

    status: int
    headers: tuple[tuple[str, str], ...]
    segments: tuple[bytes | tuple[int, int], ...]

    @property
    def length(self) -> int:
        """Content-Length of the answer."""
        return sum(s[1] - s[0] + 1 if isinstance(s, tuple) else len(s) for s in self.segments)


@functools.lru_cache(maxsize=64)
def http_date(seconds: float) -> str:
    """IMF-fixdate, e.g. 'Sun, 06 Nov 1994 08:49:37 GMT'."""
    return formatdate(seconds, usegmt=True)


def parse_date(value: str) -> int | None:
    """Seconds since the epoch of an HTTP-date, or None if it is not one."""
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:  # asctime() format: no zone, always GMT in HTTP
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


def entity_tags(value: str) -> list[tuple[bool, str]] | None:
    """(weak, opaque tag with quotes) for each tag in a list; None if malformed."""
    tags, position = [], 0
    while position < len(value):
        match = TAG.match(value, position)
        if match is None or match.end() == position:
            return None
        tags.append((bool(match[1]), match[2]))
        position = match.end()
    return tags


@functools.lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether Accept-Encoding allows gzip (named, x-gzip or `*`, with a q-value above 0)."""
    named, star = None, False
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, number = param.strip().partition("=")
            if key == "q":
                try:
                    weight = float(number)
                except ValueError:
                    weight = 0.0
        if coding.strip() in ("gzip", "x-gzip"):
            named = weight > 0 if named is None else named or weight > 0
        elif coding.strip() == "*":
            star = weight > 0
    return named if named is not None else star


def wants_gzip(fields: Mapping[str, str], method: str) -> bool:
    """Whether to send the gzip copy: accepted, and no byte range asked of a GET (ranges are
    cut from the plain copy, as browsers expect: they ask for ranges with identity)."""
    if method == "GET" and "range" in fields:
        return False
    return accepts_gzip(fields.get("accept-encoding", ""))


def _error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Plan:
    body = json.dumps(
        {"error": {"status": status, "message": message}}, separators=(",", ":")
    ).encode()
    return Plan(status, (("content-type", "application/json"), *headers), (body,))


def preconditions(method: str, fields: Mapping[str, str], rep: Representation) -> int | None:
    """304 or 412 when a precondition says so (RFC 9110 §13.2.2 steps 1-4), else None."""
    if_match = fields.get("if-match")
    if if_match is not None:
        tags = entity_tags(if_match) if if_match.strip() != "*" else [(False, rep.etag)]
        if not any(not weak and tag == rep.etag for weak, tag in tags or []):
            return 412
    elif "if-unmodified-since" in fields and rep.last_modified is not None:
        since = parse_date(fields["if-unmodified-since"])
        if since is not None and rep.last_modified > since:
            return 412
    if_none_match = fields.get("if-none-match")
    if if_none_match is not None:
        tags = entity_tags(if_none_match) or []
        if if_none_match.strip() == "*" or any(t == rep.etag for _, t in tags):
            return 304 if method in ("GET", "HEAD") else 412
    elif "if-modified-since" in fields and method in ("GET", "HEAD") and rep.last_modified:
        since = parse_date(fields["if-modified-since"])
        if since is not None and rep.last_modified <= since:
            return 304
    return None


def _if_range_holds(value: str, rep: Representation, now: float) -> bool:
    """If-Range: an entity tag must match strongly; a date must equal a strong Last-Modified
    (one at least a second before now)."""
    value = value.strip()
    if value.startswith(('"', "W/")):
        tags = entity_tags(value)
        return tags is not None and len(tags) == 1 and not tags[0][0] and tags[0][1] == rep.etag
    date = parse_date(value)
    return (
        date is not None
        and rep.last_modified is not None
        and date == rep.last_modified
        and rep.last_modified <= now - 1
    )


def _position(digits: str) -> int:
    return int(digits) if len(digits) <= 18 else HUGE


def byte_ranges(value: str, size: int) -> list[tuple[int, int]] | str | None:
    """Satisfiable inclusive ranges of a `Range: bytes=…` value, merged and sorted; an error
    message if it is malformed; None if it is to be ignored (another unit, too many ranges)."""
    unit, equals, spec = value.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None if equals and unit.strip() else "the Range header must be bytes=first-last"
    items = [item.strip() for item in spec.split(",") if item.strip()]  # empty ones allowed
    if len(items) > MAX_RANGES:
        return None
    if not items:
        return "the Range header names no range: use bytes=first-last"
    wanted: list[tuple[int, int]] = []
    for item in items:
        match = RANGE_SPEC.match(item)
        if match is None or (match[1] is None and match[2] is None):
            return f"malformed range {item[:40]!r}: use first-last, first- or -suffix"
        if match[1] is None:  # the last N bytes
            suffix = _position(match[2])
            if suffix > 0 and size > 0:
                wanted.append((max(0, size - suffix), size - 1))
            continue
        first = _position(match[1])
        last = _position(match[2]) if match[2] is not None else size - 1
        if match[2] is not None and last < first:
            return f"malformed range {item!r}: it ends before it starts"
        if first < size:
            wanted.append((first, min(last, size - 1)))
    merged: list[tuple[int, int]] = []
    for first, last in sorted(wanted):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _ranges(rep: Representation) -> tuple[tuple[str, str], ...]:
    return (("accept-ranges", "bytes"),) if rep.advertise_ranges else ()


def _validators(rep: Representation) -> tuple[tuple[str, str], ...]:
    dated = (("last-modified", http_date(rep.last_modified)),) if rep.last_modified else ()
    return (("etag", rep.etag), *dated, *rep.headers)


def plan(
    method: str, fields: Mapping[str, str], rep: Representation, now: float | None = None
) -> Plan:
    """What to answer a GET or HEAD of `rep`; `fields` has lower-case names."""
    now = time.time() if now is None else now
    validators = _validators(rep)
    status = preconditions(method, fields, rep)
    if status == 304:
        return Plan(304, tuple(h for h in validators if h[0] in NOT_MODIFIED_FIELDS), ())
    if status == 412:
        return _error(412, "precondition failed: the representation has changed", validators)
    whole = Plan(
        200,
        (("content-type", rep.media_type), *_ranges(rep), *validators),
        ((0, rep.size - 1),) if rep.size else (),
    )
    header = fields.get("range")
    if method != "GET" or header is None:
        return whole
    if "if-range" in fields and not _if_range_holds(fields["if-range"], rep, now):
        return whole
    ranges = byte_ranges(header, rep.size)
    if ranges is None:
        return whole
    if isinstance(ranges, str):
        return _error(400, ranges, _ranges(rep))
    if not ranges:
        return _error(
            416,
            f"range {header.strip()[:60]} is beyond the {rep.size} bytes available",
            (*_ranges(rep), ("content-range", f"bytes */{rep.size}")),
        )
    if len(ranges) == 1:
        first, last = ranges[0]
        return Plan(
            206,
            (
                ("content-type", rep.media_type),
                *_ranges(rep),
                ("content-range", f"bytes {first}-{last}/{rep.size}"),
                *validators,
            ),
            (ranges[0],),
        )
    # the same on every worker for one representation, and never found inside it
    boundary = "levelup-" + hashlib.sha1(rep.etag.encode()).hexdigest()[:24]
    segments: list[bytes | tuple[int, int]] = []
    for first, last in ranges:
        segments.append(
            f"\r\n--{boundary}\r\ncontent-type: {rep.media_type}\r\n"
            f"content-range: bytes {first}-{last}/{rep.size}\r\n\r\n".encode()
        )
        segments.append((first, last))
    segments.append(f"\r\n--{boundary}--\r\n".encode())
    media = f"multipart/byteranges; boundary={boundary}"
    return Plan(
        206,
        (("content-type", media), *_ranges(rep), *validators),
        tuple(segments),
    )
