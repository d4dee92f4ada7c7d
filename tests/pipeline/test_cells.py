import math

import numpy as np
import pandas as pd
import pytest

from pipeline.cells import parse_cell, parse_column


@pytest.mark.parametrize(
    ("text", "value", "flag"),
    [
        ("12.5", 12.5, ""),
        ("38500 ", 38500.0, ""),
        ("4700p", 4700.0, "p"),
        ("-3.2 e", -3.2, "e"),
        ("1,335", 1335.0, ""),
        ("1,234,567.5", 1234567.5, ""),
        ("1e3", 1000.0, ""),
        (".5", 0.5, ""),
    ],
)
def test_numbers_and_flags(text: str, value: float, flag: str) -> None:
    assert parse_cell(text) == (value, flag)


@pytest.mark.parametrize(
    ("text", "flag"), [(":", ""), (": ", ""), (":e", "e"), ("", ""), ("x", "x"), ("NA", "na")]
)
def test_missing_markers_are_nan_with_flag(text: str, flag: str) -> None:
    parsed = parse_cell(text)
    assert parsed is not None and math.isnan(parsed[0]) and parsed[1] == flag


@pytest.mark.parametrize("text", ["abc", "12,5", "1,23", "inf", "nan", "12 apples", "£12"])
def test_garbage_is_rejected(text: str) -> None:
    assert parse_cell(text) is None


def test_column_marks_bad_cells_and_returns_floats() -> None:
    values, flags, ok = parse_column(pd.Series(["1", "2.5p", ":", "oops", "1,000"]))
    assert values.dtype == np.float64
    assert list(ok) == [True, True, True, False, True]
    assert values[0] == 1.0 and values[1] == 2.5 and math.isnan(values[2]) and values[4] == 1000
    assert list(flags[:2]) == ["", "p"]
