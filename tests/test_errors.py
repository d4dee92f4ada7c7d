"""An error reported as JSON by a child process is rebuilt as the same error."""

from __future__ import annotations

import json

from levelup.errors import (
    BusyError,
    DuplicateRowError,
    LevelupError,
    from_report,
    to_report,
)


def test_an_input_error_keeps_its_type_and_place() -> None:
    error = DuplicateRowError("two values for 2022", path="pay.csv", line=7, column="Value")
    error.columns = ["Code", "Year", "Value"]
    back = from_report(json.loads(json.dumps(to_report(error))))
    assert type(back) is DuplicateRowError and str(back) == str(error)
    assert (back.path, back.line, back.column, back.columns) == (
        "pay.csv",
        7,
        "Value",
        ["Code", "Year", "Value"],
    )


def test_other_errors_keep_their_type_and_unknown_types_stay_generic() -> None:
    back = from_report(to_report(BusyError("another build is running")))
    assert type(back) is BusyError and str(back) == "another build is running"
    for report in ({"type": "SystemExit", "message": "no"}, {"type": "Path"}, {}):
        assert type(from_report(report)) is LevelupError
