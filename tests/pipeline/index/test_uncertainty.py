"""Rank intervals: they hold the point rank, come from the draws as a second, plain
implementation computes them, are reproducible and shrink to nothing when nothing is uncertain."""

import numpy as np
import pandas as pd
import pytest

from pipeline.index.aggregate import Structure
from pipeline.index.compute import compute_index
from pipeline.index.uncertainty import make_draws, ranks
from tests.pipeline.index.helpers import definition, measure, observations


def _values(seed: int, areas: int = 30, measures: int = 4) -> dict[str, dict[str, float]]:
    rng = np.random.default_rng(seed)
    return {
        f"m{j}": {f"A{i:02d}": float(rng.normal()) for i in range(areas)} for j in range(measures)
    }


def _definition(draws: int = 200, **uncertainty: object):
    pillars = [
        {"id": "p1", "title": "P1", "measure": [measure("m0"), measure("m1", weight=2)]},
        {"id": "p2", "title": "P2", "measure": [measure("m2"), measure("m3", "lower")]},
    ]
    return definition(
        [
            {"id": "d1", "title": "D1", "pillar": pillars[:1]},
            {"id": "d2", "title": "D2", "pillar": pillars[1:]},
        ],
        uncertainty={"draws": draws, "seed": 7, **uncertainty},
        method={"cap": 10.0},
    )


def _run(d, values):
    codes = {"s": set(next(iter(values.values())))}
    return compute_index(d, observations(values), codes)


def test_interval_contains_the_point_rank_and_is_reproducible() -> None:
    values = _values(3)
    result = _run(_definition(), values)
    overall = result.scores[result.scores["variant"] == "overall"].copy()
    overall["rank"] = overall["value"].rank(ascending=False, method="min")
    assert (
        (overall["rank_low"] <= overall["rank"]) & (overall["rank"] <= overall["rank_high"])
    ).all()
    assert (overall["rank_high"] > overall["rank_low"]).any()  # conflicting measures: real ranges
    pd.testing.assert_frame_equal(result.scores, _run(_definition(), values).scores)
    other = _run(_definition(seed=8), values).scores
    assert not other["rank_low"].equals(result.scores["rank_low"])


def test_identical_measures_leave_no_uncertainty() -> None:
    one = _values(4, measures=1)["m0"]
    values = {f"m{j}": dict(one) for j in range(4)}
    values["m3"] = {c: -v for c, v in one.items()}  # lower is better: the same ordering
    result = _run(_definition(), values)
    assert (result.scores["rank_low"] == result.scores["rank_high"]).all()


def test_no_draws_gives_the_point() -> None:
    result = _run(_definition(draws=0), _values(5))
    overall = result.scores[result.scores["variant"] == "overall"]
    point = overall["value"].rank(ascending=False, method="min")
    assert (overall["rank_low"] == point).all() and (overall["rank_high"] == point).all()


def test_intervals_match_a_plain_loop_over_the_draws() -> None:
    d = _definition(draws=60, coverage=0.8)
    values = _values(6)
    result = _run(d, values)
    draws = make_draws(Structure.of(d), d.uncertainty)
    scores = result.inputs.pivot(index="code", columns="measure", values="score")
    ranked = []
    for i in range(60):  # the index re-computed with pandas, one draw at a time
        w = draws.slot[i]  # slots in order: m0, m1 (p1), m2, m3 (p2)
        p1 = (
            (scores["m0/v"] * w[0] + scores["m1/v"] * w[1]) / (w[0] + w[1]) if w[0] + w[1] else None
        )
        p2 = (
            (scores["m2/v"] * w[2] + scores["m3/v"] * w[3]) / (w[2] + w[3]) if w[2] + w[3] else None
        )
        # each domain holds one pillar, so the index weighs the pillars by domain weights
        pairs = ((p1, draws.domain[i][0]), (p2, draws.domain[i][1]))
        parts = [(p, dw) for p, dw in pairs if p is not None]
        index = sum(p * dw for p, dw in parts) / sum(dw for _, dw in parts)
        ranked.append(index.rank(ascending=False, method="min"))
    table = pd.concat(ranked, axis=1)
    low = table.apply(lambda r: np.quantile(r, 0.1, method="inverted_cdf"), axis=1)
    high = table.apply(lambda r: np.quantile(r, 0.9, method="inverted_cdf"), axis=1)
    overall = result.scores[result.scores["variant"] == "overall"].set_index("code")
    point = overall["value"].rank(ascending=False, method="min")
    assert (overall["rank_low"] == np.minimum(low.loc[overall.index], point)).all()
    assert (overall["rank_high"] == np.maximum(high.loc[overall.index], point)).all()


def test_ranks_share_the_best_place_on_ties_and_put_gaps_last() -> None:
    got = ranks(np.array([[3.0, 1.0, 3.0, np.nan, 2.0]]))
    assert got.tolist() == [[1.0, 4.0, 1.0, 5.0, 3.0]]


def test_each_measure_is_left_out_in_turn() -> None:
    d = _definition(draws=10)
    draws = make_draws(Structure.of(d), d.uncertainty)
    assert draws.left_out.tolist() == [0, 1, 2, 3, -1, 0, 1, 2, 3, -1]
    assert (draws.slot[0][0] == 0) and (draws.slot[4] > 0).all()
    with pytest.raises(AssertionError):
        assert (draws.slot[1] > 0).all()
