"""One indicator joined by vintage, with its standing, change and index: the step a build of
everything and the addition of one user table share."""

from __future__ import annotations

import pandas as pd

from boundaries.changes import CodeChanges
from boundaries.load import load_codes
from boundaries.registry import Registry
from pipeline.catalogue import Indicator
from pipeline.derived import (
    add_change_and_index,
    add_country_index,
    country_values,
    national_values,
)
from pipeline.join import JoinResult, join_indicator
from pipeline.standing import add_standing


def join_one(
    indicator: Indicator, tidy: pd.DataFrame, registry: Registry, changes: CodeChanges
) -> JoinResult:
    """Join one indicator's tidy rows by vintage, then add standing, change and index.

    A user's table maps however few areas it covers; shipped data needs half of a set.
    """
    share = 0.0 if indicator.user_supplied else 0.5
    result = join_indicator(indicator, tidy, registry, changes, load_codes, share)
    if not result.joined.empty:
        polarity = {(indicator.id, v.id): v.polarity for v in indicator.variants}
        standing = add_standing(result.joined, polarity)
        indexed = add_change_and_index(standing, national_values(tidy, indicator), indicator.system)
        result.joined = add_country_index(
            indexed, country_values(tidy, indicator.system), indicator.system
        )
    return result
