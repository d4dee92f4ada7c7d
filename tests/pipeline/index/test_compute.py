"""The index on a tiny example computed by hand, its missing-value rules and invariances."""

import numpy as np
import pandas as pd
import pytest

from pipeline.index.compute import compute_index
from pipeline.standing import add_standing
from tests.pipeline.index.helpers import definition, measure, observations

CODES = {"s": {"A", "B", "C", "D"}}
K = 1.4826  # MAD to standard deviation


def tiny(**method: object):
    return definition(
        [
            {
                "id": "d1",
                "title": "D1",
                "pillar": [
                    {
                        "id": "p1",
                        "title": "P1",
                        "measure": [measure("m1"), measure("m2", "lower", 3)],
                    }
                ],
            },
            {
                "id": "d2",
                "title": "D2",
                "pillar": [{"id": "p2", "title": "P2", "measure": [measure("m3")]}],
            },
        ],
        method=method,
        uncertainty={"draws": 0},
    )


VALUES = {
    "m1": {"A": 1, "B": 2, "C": 3, "D": 4},
    "m2": {"A": 10, "B": 30, "C": 20, "D": 40},
    "m3": {"A": 5, "B": 5, "C": 6, "D": 8},
}


def scores(result, variant: str) -> dict[str, float]:
    rows = result.scores[result.scores["variant"] == variant]
    return dict(zip(rows["code"], rows["value"], strict=True))


def test_tiny_index_matches_the_hand_computation() -> None:
    result = compute_index(tiny(carry_forward=0), observations(VALUES), CODES)
    # by hand: m1 median 2.5, MAD 1; m2 median 25, MAD 10 (lower is better: sign turned);
    # m3 median 5.5, MAD 0.5, D's (8 - 5.5) / (1.4826 × 0.5) = 3.37 capped at 3
    z1 = {"A": -1.5 / K, "B": -0.5 / K, "C": 0.5 / K, "D": 1.5 / K}
    z2 = {"A": 15 / (10 * K), "B": -5 / (10 * K), "C": 5 / (10 * K), "D": -15 / (10 * K)}
    z3 = {"A": -0.5 / (0.5 * K), "B": -0.5 / (0.5 * K), "C": 0.5 / (0.5 * K), "D": 3.0}
    p1 = {c: (z1[c] + 3 * z2[c]) / 4 for c in "ABCD"}
    index = {c: (p1[c] + z3[c]) / 2 for c in "ABCD"}
    assert scores(result, "p1") == pytest.approx(p1)
    assert scores(result, "p2") == pytest.approx(z3)
    assert scores(result, "d1") == pytest.approx(p1)
    assert scores(result, "overall") == pytest.approx(index)
    inputs = result.inputs.set_index(["code", "measure"])["score"]
    assert inputs[("D", "m3/v")] == pytest.approx(3.0)


def test_frontier_scores_run_from_worst_to_best() -> None:
    result = compute_index(
        tiny(scaling="frontier", trim=0.0, carry_forward=0), observations(VALUES), CODES
    )
    s = result.inputs.set_index(["code", "measure"])["score"]
    assert (s[("A", "m1/v")], s[("D", "m1/v")]) == (0.0, 100.0)
    assert (s[("D", "m2/v")], s[("A", "m2/v")]) == (0.0, 100.0)  # lower is better
    assert s[("C", "m3/v")] == pytest.approx(100 / 3)


def test_an_area_short_of_a_pillar_share_loses_the_pillar_not_the_index() -> None:
    values = {**VALUES, "m2": {"A": 10, "B": 30, "C": 20}}  # D lacks 3/4 of P1's weight
    result = compute_index(tiny(carry_forward=0), observations(values), CODES)
    assert "D" not in scores(result, "p1") and "D" not in scores(result, "d1")
    # the index needs half the domains' weight: D2 alone (weight 1 of 2) is enough
    assert scores(result, "overall")["D"] == pytest.approx(3.0)
    stricter = compute_index(tiny(carry_forward=0, min_share=0.75), observations(values), CODES)
    assert "D" not in scores(stricter, "overall")


def test_values_are_carried_forward_at_most_n_years_and_flagged() -> None:
    old = observations({"m2": {"D": 40}}, year=2018)
    now = observations({**VALUES, "m2": {"A": 10, "B": 30, "C": 20}})
    two = compute_index(tiny(carry_forward=2), pd.concat([old, now]), CODES)
    row = two.inputs[
        (two.inputs["code"] == "D")
        & (two.inputs["measure"] == "m2/v")
        & (two.inputs["year"] == 2020)
    ]
    assert row["from_year"].tolist() == [2018]
    assert "D" in scores(two, "p1")
    one = compute_index(tiny(carry_forward=1), pd.concat([old, now]), CODES)
    assert "D" not in scores(one, "p1")


def _random_values(seed: int, measures: int, areas: int = 40) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(seed)
    return {
        f"m{j}": {f"A{i:02d}": float(rng.lognormal(3, 1)) for i in range(areas)}
        for j in range(measures)
    }


def test_scaling_an_indicator_does_not_change_scores_or_ranks() -> None:
    values = _random_values(1, 3)
    d = definition(
        [
            {
                "id": "d",
                "title": "D",
                "pillar": [
                    {
                        "id": "p",
                        "title": "P",
                        "measure": [measure("m0"), measure("m1", "lower"), measure("m2")],
                    }
                ],
            }
        ],
        uncertainty={"draws": 0},
    )
    codes = {"s": set(values["m0"])}
    base = compute_index(d, observations(values), codes)
    scaled = {**values, "m1": {c: 1000 * v + 7 for c, v in values["m1"].items()}}
    again = compute_index(d, observations(scaled), codes)
    pd.testing.assert_frame_equal(base.scores, again.scores)


@pytest.mark.parametrize("polarity", ["higher", "lower"])
def test_one_indicator_per_pillar_with_equal_weights_reduces_to_its_ranking(polarity: str) -> None:
    values = _random_values(2, 3)
    pillars = [
        {"id": f"p{j}", "title": f"P{j}", "measure": [measure(f"m{j}", polarity)]} for j in range(3)
    ]
    d = definition(
        [{"id": "d", "title": "D", "pillar": pillars}],
        method={"cap": 10.0},
        uncertainty={"draws": 0},
    )
    result = compute_index(d, observations(values), {"s": set(values["m0"])})
    joined = observations(values).assign(level="lad")
    standing = add_standing(joined, {(f"m{j}", "v"): polarity for j in range(3)})
    for j in range(3):
        theirs = standing[standing["indicator"] == f"m{j}"].set_index("code")["rank"]
        ours = result.scores[result.scores["variant"] == f"p{j}"].set_index("code")["value"]
        assert (ours.rank(ascending=False, method="min") == theirs.loc[ours.index]).all()
    # and an index of one such pillar is that indicator's ranking
    single = definition(
        [{"id": "d", "title": "D", "pillar": [pillars[0]]}],
        method={"cap": 10.0},
        uncertainty={"draws": 0},
    )
    only = compute_index(single, observations(values), {"s": set(values["m0"])})
    overall = only.scores[only.scores["variant"] == "overall"].set_index("code")["value"]
    theirs = standing[standing["indicator"] == "m0"].set_index("code")["rank"]
    assert (overall.rank(ascending=False, method="min") == theirs.loc[overall.index]).all()


def test_years_without_enough_own_values_are_not_scored() -> None:
    then = observations(VALUES, year=2020)
    later = observations({"m3": VALUES["m3"]}, year=2021)  # m1, m2 only carried into 2021
    result = compute_index(tiny(carry_forward=2), pd.concat([then, later]), CODES)
    assert sorted(result.years["year"]) == [2020]  # 2021: 4 own values of 12
