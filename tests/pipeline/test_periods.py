import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.periods import Period, parse_period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", Period(2019, 2019, "2019")),
        (" 2021 ", Period(2021, 2021, "2021")),
        ("2008-04", Period(2008, 2008, "Apr 2008")),
        ("2011-2012", Period(2011, 2012, "2011/12")),
        ("2020/21", Period(2020, 2021, "2020/21")),
        ("1999-2000", Period(1999, 2000, "1999/00")),
        ("2004-01-01T00:00:00/P1Y", Period(2004, 2004, "2004")),
        ("2011-01-01T00:00:00/P3Y", Period(2011, 2013, "2011\u20132013")),
        ("202021", Period(2020, 2021, "2020/21")),
        ("201820", Period(2018, 2020, "2018\u20132020")),
        ("2019 Q2", Period(2019, 2019, "2019 Q2")),
    ],
)
def test_published_period_formats(text: str, expected: Period) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["", "19", "2019-13", "20x9", "2020-2019", "P1Y", "abc"])
def test_unrecognised_periods_raise(text: str) -> None:
    with pytest.raises(ValueError):
        parse_period(text)


@given(st.integers(1900, 2090), st.integers(1, 5))
def test_iso_interval_round_trip(start: int, years: int) -> None:
    period = parse_period(f"{start}-01-01T00:00:00/P{years}Y")
    assert (period.start, period.end, period.year) == (start, start + years - 1, start + years - 1)
    assert parse_period(f"{period.start}-{period.end}").end == period.end


@given(st.integers(1900, 2090))
def test_financial_year_forms_agree(start: int) -> None:
    short = f"{start}/{str(start + 1)[2:]}"
    assert parse_period(short) == parse_period(f"{start}-{start + 1}")
    assert parse_period(short).label == short
