"""Small-group suppression: no breakdown in a shared report rests on fewer than `min_group` people.

A report leaves the district office, so it never shows a group of fewer than ``min_group``
respondents, directly or by subtracting two shown numbers (DESIGN.md, "Rules that hold
everywhere"). A *group* is a set of respondents defined by who they are: a municipality or a
role. What the people of a shown group answered (themes, ratings) may be counted.

This module is the one place the rule lives. `breakdown` decides, per dimension, which groups a
report may break out (`shown`) and which ones it folds into one remainder (`rest`). The
remainder is either empty or holds at least ``min_group`` respondents, so that the district's
total minus the shown groups never uncovers a small group: when the small groups together are
fewer than ``min_group``, the smallest shown groups join them. Every table, chart, quote,
cloud and action-list row of a report takes its groups from a `Breakdown`.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def is_small(n: int | float, min_n: int = DEFAULT_MIN_GROUP) -> bool:
    """True if a count ``n`` of respondents is too small to show (missing counts count as small)."""
    return bool(pd.isna(n) or n < min_n)


@dataclass(frozen=True)
class Breakdown:
    """Which groups of one dimension a shared report shows, and which it folds into one remainder."""

    by: str
    min_group: int
    sizes: pd.Series  # respondents per group (every group, shown or not)
    shown: tuple[str, ...]  # broken out, largest first; each has at least min_group respondents
    rest: tuple[str, ...]  # folded into one remainder: none, or at least min_group respondents together

    @property
    def rest_size(self) -> int:
        return int(self.sizes.reindex(list(self.rest)).sum())

    @property
    def rest_all_small(self) -> bool:
        """True if every group of the remainder is itself below min_group."""
        return bool(self.rest) and bool((self.sizes.reindex(list(self.rest)) < self.min_group).all())

    def named(self, unknown: str | None = None) -> tuple[str, ...]:
        """The shown groups a report may name, without the "not given" value ``unknown``."""
        return tuple(g for g in self.shown if g != unknown)

    def shows(self, group: object) -> bool:
        return group in self.shown


def breakdown(respondents: pd.DataFrame, by: str = "municipality", min_group: int = DEFAULT_MIN_GROUP) -> Breakdown:
    """The groups of ``by`` a shared report may break out, and the remainder it combines.

    Groups below ``min_group`` go to the remainder; if the remainder is then non-empty but
    smaller than ``min_group`` (so that it could be read off as the total minus the shown
    groups), the smallest shown groups join it until it is large enough or nothing is shown.
    """
    sizes = group_sizes(respondents, by)
    order = sorted(sizes.index, key=lambda g: (-int(sizes[g]), str(g).lower()))
    shown = [g for g in order if sizes[g] >= min_group]
    rest = [g for g in order if sizes[g] < min_group]
    while rest and shown and sizes.reindex(rest).sum() < min_group:
        rest.insert(0, shown.pop())  # the smallest shown group
    return Breakdown(by, min_group, sizes, tuple(shown), tuple(rest))


def mask_small(values: pd.DataFrame | pd.Series, sizes: pd.Series, min_group: int = DEFAULT_MIN_GROUP):
    """``values`` with the rows (index entries) whose group size in ``sizes`` is below min_group set to NaN."""
    n = sizes.reindex(values.index).fillna(0)
    out = values.astype("float64").copy()
    out.loc[n.to_numpy() < min_group] = float("nan")
    return out
