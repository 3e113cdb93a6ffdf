"""Small-group suppression: no breakdown in a shared report rests on fewer than `min_group` people.

A report leaves the district office, so it never shows a group of fewer than ``min_group``
respondents, directly or by subtracting two shown numbers (DESIGN.md, "Rules that hold
everywhere").
"""

from __future__ import annotations

import pandas as pd

DEFAULT_MIN_GROUP = 3
"""Smallest number of respondents a breakdown in a shared report may show."""


def group_sizes(respondents: pd.DataFrame, by: str = "municipality") -> pd.Series:
    """Number of distinct respondents per group (by ``response_id`` if present)."""
    if by not in respondents.columns:
        raise KeyError(f"respondents has no column {by!r}")
    if "response_id" in respondents.columns:
        return respondents.dropna(subset=[by]).groupby(by)["response_id"].nunique()
    return respondents.dropna(subset=[by]).groupby(by).size()


def allowed_groups(
    respondents: pd.DataFrame, by: str = "municipality", min_n: int = DEFAULT_MIN_GROUP
) -> set[str]:
    """Groups with at least ``min_n`` respondents: the only ones a shared report may break out."""
    sizes = group_sizes(respondents, by)
    return set(sizes[sizes >= min_n].index)


def is_small(n: int | float, min_n: int = DEFAULT_MIN_GROUP) -> bool:
    """True if a count ``n`` is too small to show (missing counts count as small)."""
    return bool(pd.isna(n) or n < min_n)
