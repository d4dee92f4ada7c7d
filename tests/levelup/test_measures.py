import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from levelup.measures import cv, dispersion, gini, group_value, inequality, theil, top_bottom


def test_hand_computed_examples() -> None:
    # |10-25|*1 + |20-25|*1 + |30-25|*2 = 30 over weight 4 = 7.5, i.e. 30% of 25
    assert dispersion([10, 20, 30], [1, 1, 2], 25) == pytest.approx(30.0)
    assert cv([10, 20, 30]) == pytest.approx(100 * math.sqrt(200 / 3) / 20)
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert gini([5, 5, 5]) == 0
    assert theil([1, 3]) == pytest.approx(0.5 * 0.5 * math.log(0.5) + 0.5 * 1.5 * math.log(1.5))
    assert theil([7, 7]) == pytest.approx(0.0)
    assert top_bottom([1, 2, 3, 4, 5]) == pytest.approx(5.0)
    # one region holds 60% of people: the top fifth is all in it, the bottom fifth is 1 and 2
    assert top_bottom([1, 2, 3, 4, 5], [1, 1, 1, 1, 6]) == pytest.approx(5 / 1.5)


def test_weights_matter_and_missing_values_are_skipped() -> None:
    assert gini([1, 9], [1, 9]) == pytest.approx(144 / (2 * 100 * 8.2))  # 9 of 10 people rich
    assert gini([1, 9], [1, 9]) < gini([1, 9]) == pytest.approx(0.4)
    assert dispersion([10, float("nan"), 30], None, 20) == pytest.approx(50.0)
    result = inequality([10, 20, 30], None, 20)
    assert (
        result.regions == 3
        and not result.weighted
        and result.dispersion == pytest.approx(100 * (10 + 0 + 10) / 3 / 20)
    )


@given(st.lists(st.floats(1, 1e6), min_size=2, max_size=30), st.floats(1.01, 50))
def test_measures_are_scale_free_and_bounded(values, factor) -> None:
    scaled = [v * factor for v in values]
    assert gini(scaled) == pytest.approx(gini(values), abs=1e-9)
    assert 0 <= gini(values) < 1
    assert theil(values) >= -1e-12 and top_bottom(values) >= 1 - 1e-9
    assert cv(scaled) == pytest.approx(cv(values), rel=1e-6, abs=1e-9)


def test_groups_are_aggregated_from_their_parts() -> None:
    parts = group_value([10, 20], totals=[10, 60], populations=[1, 3])
    assert parts.value == pytest.approx(17.5) and parts.method == "total ÷ population of members"
    weighted = group_value([10, 20], populations=[1, 3], kind="per-head")
    assert weighted.value == pytest.approx(17.5) and "weighted" in weighted.method
    for refused in (
        group_value([10, 20, 40]),  # a rate without denominators: never the median
        group_value([10, 20], populations=[1, 3]),  # not per head: population is no weight
        group_value([10, 20], populations=[1, float("nan")], kind="per-head"),
        group_value([10, 20], totals=[10, float("nan")], populations=[1, 3]),
    ):
        assert math.isnan(refused.value) and refused.method.startswith("not aggregated")
    assert group_value([5, 7], kind="total").value == 12
    missing = group_value([5, float("nan")])
    assert math.isnan(missing.value) and missing.present == 1 and "incomplete" in missing.method
