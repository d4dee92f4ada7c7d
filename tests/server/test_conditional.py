"""RFC 9110 conditional and range requests, as pure functions (server.conditional)."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from server.conditional import (
    HUGE,
    Representation,
    accepts_gzip,
    byte_ranges,
    entity_tags,
    parse_date,
    plan,
    wants_gzip,
)

REP = Representation(100, "application/json", '"abc"', 1_700_000_000, (("cache-control", "x"),))
NOW = 1_800_000_000.0


def fields_of(answer) -> dict[str, str]:
    return dict(answer.headers)


def test_dates_in_the_three_formats_and_nonsense() -> None:
    assert parse_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777
    assert parse_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777  # obsolete RFC 850
    assert parse_date("Sun Nov  6 08:49:37 1994") == 784111777  # asctime: GMT
    assert parse_date("yesterday") is None and parse_date("") is None


def test_entity_tag_lists() -> None:
    assert entity_tags('"a", W/"b" ,"c"') == [(False, '"a"'), (True, '"b"'), (False, '"c"')]
    assert entity_tags("abc") is None and entity_tags('"a" "b"') is None


@pytest.mark.parametrize(
    ("header", "gzip"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("x-gzip", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.0, *", False),  # named with q=0 beats the wildcard
        ("*;q=0", False),
        ("identity", False),
        ("", False),
        ("deflate, gzip;q=0.5", True),
    ],
)
def test_accept_encoding(header: str, gzip: bool) -> None:
    assert accepts_gzip(header) is gzip


def test_ranges_are_cut_from_the_plain_copy() -> None:
    assert wants_gzip({"accept-encoding": "gzip"}, "GET")
    assert not wants_gzip({"accept-encoding": "gzip", "range": "bytes=0-1"}, "GET")
    assert wants_gzip({"accept-encoding": "gzip", "range": "bytes=0-1"}, "HEAD")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", [(0, 9)]),
        ("bytes=90-", [(90, 99)]),
        ("bytes=-10", [(90, 99)]),
        ("bytes=-1000", [(0, 99)]),
        ("bytes=95-1000", [(95, 99)]),
        ("BYTES=0-0", [(0, 0)]),
        ("bytes=0-9, 5-19, 20-29", [(0, 29)]),  # overlapping and adjacent ranges merge
        ("bytes=50-59,0-9", [(0, 9), (50, 59)]),  # sorted
        ("bytes=0-1,,4-5", [(0, 1), (4, 5)]),  # empty list elements are allowed
        ("bytes=100-", []),
        ("bytes=-0", []),
        ("bytes=" + "9" * 40 + "-", []),
        ("bytes=0-" + "9" * 40, [(0, 99)]),
        ("items=0-9", None),  # another unit: ignored
        ("bytes=" + ",".join(["0-1"] * 51), None),  # too many: ignored
    ],
)
def test_byte_ranges(header: str, expected: object) -> None:
    assert byte_ranges(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=abc", "bytes=5-2", "bytes=", "bytes=-", "0-9", "="])
def test_malformed_byte_ranges_are_refused(header: str) -> None:
    assert isinstance(byte_ranges(header, 100), str)


def test_huge_is_beyond_any_body() -> None:
    assert HUGE > 1 << 60


def test_preconditions_in_the_rfcs_order() -> None:
    date = formatdate(REP.last_modified, usegmt=True)
    earlier = formatdate(REP.last_modified - 60, usegmt=True)
    cases = [
        ({}, 200),
        ({"if-none-match": '"abc"'}, 304),
        ({"if-none-match": 'W/"abc"'}, 304),  # weak comparison
        ({"if-none-match": '"x", "abc"'}, 304),
        ({"if-none-match": "*"}, 304),
        ({"if-none-match": '"x"'}, 200),
        ({"if-modified-since": date}, 304),
        ({"if-modified-since": earlier}, 200),
        ({"if-modified-since": "not a date"}, 200),
        ({"if-none-match": '"x"', "if-modified-since": date}, 200),  # INM wins
        ({"if-match": '"x"'}, 412),
        ({"if-match": 'W/"abc"'}, 412),  # strong comparison
        ({"if-match": '"abc"'}, 200),
        ({"if-match": "*"}, 200),
        ({"if-unmodified-since": earlier}, 412),
        ({"if-unmodified-since": date}, 200),
        ({"if-match": '"abc"', "if-unmodified-since": earlier}, 200),  # If-Match wins
        ({"if-match": '"x"', "if-none-match": '"abc"'}, 412),  # If-Match first
    ]
    for headers, status in cases:
        assert plan("GET", headers, REP, NOW).status == status, headers
        assert plan("HEAD", headers, REP, NOW).status == status, headers


def test_if_range() -> None:
    date = formatdate(REP.last_modified, usegmt=True)
    ask = {"range": "bytes=0-9"}
    assert plan("GET", {**ask, "if-range": '"abc"'}, REP, NOW).status == 206
    assert plan("GET", {**ask, "if-range": '"old"'}, REP, NOW).status == 200
    assert plan("GET", {**ask, "if-range": 'W/"abc"'}, REP, NOW).status == 200
    assert plan("GET", {**ask, "if-range": date}, REP, NOW).status == 206
    assert plan("GET", {**ask, "if-range": date}, REP, REP.last_modified + 0.5).status == 200
    assert plan("GET", {**ask, "if-range": "garbage"}, REP, NOW).status == 200
    stale = plan("GET", {"range": "bytes=abc", "if-range": '"old"'}, REP, NOW)
    assert stale.status == 200  # a Range that is not used is not judged


def test_answers_carry_what_they_must() -> None:
    whole = plan("GET", {}, REP, NOW)
    assert whole.segments == ((0, 99),) and whole.length == 100
    assert fields_of(whole)["etag"] == '"abc"' and fields_of(whole)["accept-ranges"] == "bytes"
    assert fields_of(whole)["last-modified"] == "Tue, 14 Nov 2023 22:13:20 GMT"
    not_modified = plan("GET", {"if-none-match": '"abc"'}, REP, NOW)
    assert not_modified.segments == () and "content-type" not in fields_of(not_modified)
    assert fields_of(not_modified)["cache-control"] == "x"
    one = plan("GET", {"range": "bytes=-10"}, REP, NOW)
    assert one.status == 206 and one.segments == ((90, 99),)
    assert fields_of(one)["content-range"] == "bytes 90-99/100"
    many = plan("GET", {"range": "bytes=0-1,10-11"}, REP, NOW)
    boundary = fields_of(many)["content-type"].split("boundary=")[1]
    framing = b"".join(s for s in many.segments if isinstance(s, bytes))
    assert framing.count(f"--{boundary}".encode()) == 3 and framing.endswith(b"--\r\n")
    assert b"content-range: bytes 10-11/100" in framing
    assert many.length == len(framing) + 4
    beyond = plan("GET", {"range": "bytes=100-"}, REP, NOW)
    assert beyond.status == 416 and fields_of(beyond)["content-range"] == "bytes */100"
    assert plan("HEAD", {"range": "bytes=0-1"}, REP, NOW).status == 200  # Range: GET only
    empty = Representation(0, "text/plain", '"e"', None)
    assert plan("GET", {}, empty, NOW).segments == ()
    assert plan("GET", {"range": "bytes=0-"}, empty, NOW).status == 416
