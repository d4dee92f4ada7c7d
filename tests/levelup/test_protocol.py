"""The message a command prints for the server: every result and error survives the trip, and
a message of another version, or an error kind the protocol does not list, fails clearly."""

from __future__ import annotations

import json

import pytest

from levelup.errors import BusyError, DuplicateRowError, LevelupError, StoreError
from levelup.protocol import ERROR_KINDS, VERSION, Message, ProtocolError


def test_a_result_round_trips_as_one_line() -> None:
    message = Message({"built": True, "added": {"id": "user-pay", "tilesets": 2}})
    line = message.encode()
    assert "\n" not in line and json.loads(line)["version"] == VERSION
    back = Message.decode(line)
    assert back == message and back.ok
    assert back.body() == {"ok": True, "built": True, "added": {"id": "user-pay", "tilesets": 2}}


def test_an_input_error_keeps_its_kind_and_place() -> None:
    error = DuplicateRowError("two values for 2022", path="pay.csv", line=7, column="Value")
    error.columns = ["Code", "Year", "Value"]
    back = Message.decode(Message(error=error).encode()).error
    assert type(back) is DuplicateRowError and str(back) == str(error)
    assert (back.path, back.line, back.column, back.columns) == (
        "pay.csv",
        7,
        "Value",
        ["Code", "Year", "Value"],
    )


def test_every_listed_error_kind_round_trips() -> None:
    for name, kind in ERROR_KINDS.items():
        back = Message.decode(Message(error=kind("it went wrong")).encode())
        assert type(back.error) is kind and name == kind.__name__
        with pytest.raises(kind):
            back.raise_error()


def test_an_unlisted_subclass_travels_as_its_listed_parent() -> None:
    class ManifestTrouble(StoreError):
        pass

    back = Message.decode(Message(error=ManifestTrouble("old manifest")).encode()).error
    assert type(back) is StoreError and str(back) == "old manifest"
    assert type(Message.decode(Message(error=BusyError("busy")).encode()).error) is BusyError


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"protocol": "levelup", "version": 2, "ok": true, "result": {}}', "version 2"),
        ('{"protocol": "levelup", "ok": true, "result": {}}', "version None"),
        (
            '{"protocol": "levelup", "version": 1, "ok": false, "error": {"kind": "SystemExit"}}',
            "unknown error kind 'SystemExit'",
        ),
        ('{"protocol": "levelup", "version": 1, "ok": false}', "neither a result nor an error"),
        ('{"ok": true, "built": true}', "not a levelup message"),  # the unversioned old form
        ("Traceback (most recent call last):", "not a levelup message"),
        ("", "not a levelup message"),
    ],
)
def test_what_is_not_a_message_of_this_version_fails_clearly(line: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        Message.decode(line)
    assert issubclass(ProtocolError, LevelupError)
