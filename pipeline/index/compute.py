"""Compute an index from joined observations: scores of the index, each domain and each pillar
for every area and year, with rank intervals, the measures behind them and what each year
contained."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.index.aggregate import Structure, nominal
from pipeline.index.definition import IndexDefinition
from pipeline.index.scores import (
    YearMatrix,
    measure_by_id,
    measure_ids,
    measure_table,
    year_matrices,
)
from pipeline.index.uncertainty import intervals, make_draws

SCORE_COLUMNS = ["variant", "code", "year", "value", "lower", "upper", "rank_low", "rank_high"]
INPUT_COLUMNS = ["code", "year", "measure", "variant", "value", "score", "from_year"]


@dataclass
class IndexResult:
    """Everything computed for one index."""

    definition: IndexDefinition
    scores: pd.DataFrame  # SCORE_COLUMNS: variant "overall", a domain id or a pillar id
    inputs: pd.DataFrame  # INPUT_COLUMNS: each area's measures behind its scores
    years: pd.DataFrame  # year, set_id, areas, scored, measures, pillars, domains (JSON lists)
    status: dict[str, dict[str, object]]  # per pillar: status, measures, years, reason


def compute_index(
    definition: IndexDefinition,
    observations: pd.DataFrame,
    set_codes: Mapping[str, set[str]],
) -> IndexResult:
    """Scores, rank intervals and inputs of an index for every year with data from its first.

    `observations`: indicator, variant, code, year, value, set_id at the index's level;
    `set_codes`: each boundary set's area codes.
    """
    structure = Structure.of(definition)
    table = measure_table(definition, observations)
    draws = make_draws(structure, definition.uncertainty)
    measures = measure_ids(definition)
    score_frames, input_frames, year_rows = [], [], []
    for matrix in year_matrices(definition, table, set_codes):
        point = nominal(structure, matrix.scores, matrix.active, definition.method.min_share)
        if not np.isfinite(point.index[0]).any():
            continue
        found = intervals(
            structure, matrix.scores, matrix.active, point, draws, definition.uncertainty.coverage
        )
        levels = {"overall": point.index[0]}
        levels |= {d: point.domains[0, :, k] for k, d in enumerate(structure.domain_ids)}
        levels |= {p: point.pillars[0, :, i] for i, p in enumerate(structure.pillar_ids)}
        for variant, scores in levels.items():
            interval = found[variant]
            keep = np.isfinite(scores)
            score_frames.append(
                pd.DataFrame(
                    {
                        "variant": variant,
                        "code": np.asarray(matrix.codes)[keep],
                        "year": matrix.year,
                        "value": scores[keep],
                        "lower": interval.score_low[keep],
                        "upper": interval.score_high[keep],
                        "rank_low": interval.rank_low[keep],
                        "rank_high": interval.rank_high[keep],
                    }
                )
            )
        input_frames.append(_inputs(matrix, measures))
        year_rows.append(_year_row(matrix, structure, point.index[0], measures))
    return IndexResult(
        definition,
        _frame(score_frames, SCORE_COLUMNS),
        _frame(input_frames, INPUT_COLUMNS),
        pd.DataFrame.from_records(year_rows),
        pillar_status(definition, table),
    )


def _frame(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    kept = [f for f in frames if not f.empty]
    return pd.concat(kept, ignore_index=True)[columns] if kept else pd.DataFrame(columns=columns)


def _inputs(matrix: YearMatrix, measures: list[str]) -> pd.DataFrame:
    m = matrix
    present = np.isfinite(m.scores)
    rows, cols = np.nonzero(present)
    return pd.DataFrame(
        {
            "code": np.asarray(m.codes)[rows],
            "year": m.year,
            "measure": np.asarray(measures)[cols],
            "variant": m.variants[rows, cols],
            "value": m.values[rows, cols],
            "score": m.scores[rows, cols],
            "from_year": m.from_year[rows, cols].astype(int),
        }
    )


def _year_row(
    matrix: YearMatrix, structure: Structure, index: np.ndarray, measures: list[str]
) -> dict[str, object]:
    m = matrix
    active = m.active
    s = structure
    live = {int(p) for slot, p in enumerate(s.slot_pillar) if active[s.slot_measure[slot]]}
    pillars_active = [s.pillar_ids[p] for p in sorted(live)]
    domains = [s.domain_ids[k] for k in sorted({int(s.pillar_domain[p]) for p in live})]
    carried = np.isfinite(m.from_year) & (m.from_year < m.year)
    return {
        "year": m.year,
        "set_id": m.set_id,
        "areas": len(m.codes),
        "scored": int(np.isfinite(index).sum()),
        "measures": [measures[i] for i in np.flatnonzero(active)],
        "pillars": pillars_active,
        "domains": domains,
        "carried": int(carried.sum()),
        "values": int(np.isfinite(m.scores).sum()),
    }


THIN_MEASURES = 2  # fewer published measures than this at the index's level: thin
THIN_YEARS = 5  # published in fewer years than this: thin


def pillar_status(definition: IndexDefinition, table: pd.DataFrame) -> dict[str, dict[str, object]]:
    """Per pillar: "empty" (no measure with data at the index's level), "thin" (fewer than two
    measures, or fewer than five years), or "ok"; with the measures and years that have data."""
    by_measure = {
        str(m): sorted({int(y) for y in g["year"][g["from_year"] == g["year"]]})
        for m, g in table.groupby("measure")
    }
    known = measure_by_id(definition)
    out: dict[str, dict[str, object]] = {}
    for domain, pillar in definition.pillars():
        with_data = [m.id for m in pillar.measures if by_measure.get(m.id)]
        years = sorted({y for m in with_data for y in by_measure[m]})
        without = [m.id for m in pillar.measures if m.id not in with_data]
        if not with_data:
            status = "empty"
        elif len(with_data) < THIN_MEASURES or len(years) < THIN_YEARS:
            status = "thin"
        else:
            status = "ok"
        out[pillar.id] = {
            "domain": domain.id,
            "status": status,
            "measures": with_data,
            "without_data": without,
            "years": [years[0], years[-1]] if years else [],
            "note": pillar.note,
            "directions": {m: known[m].direction for m in with_data},
        }
    return out
