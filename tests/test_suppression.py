"""Tests for integkit.analysis.suppression: which groups a shared report may break out."""

from __future__ import annotations

import pandas as pd
import pytest

from integkit.analysis.suppression import DEFAULT_MIN_GROUP, breakdown, group_sizes, is_small


def people(**sizes: int) -> pd.DataFrame:
    rows = [(name, k) for name, n in sizes.items() for k in range(n)]
    return pd.DataFrame({"response_id": range(len(rows)), "municipality": [name for name, _ in rows]})


def test_group_sizes_count_distinct_respondents() -> None:
    frame = pd.DataFrame({"response_id": [1, 2, 3, 4, 5, 6, 6],
                          "municipality": ["Au", "Au", "Au", "Eching", "Eching", "Zolling", "Zolling"]})
    assert group_sizes(frame).to_dict() == {"Au": 3, "Eching": 2, "Zolling": 1}
    with pytest.raises(KeyError, match="role"):
        group_sizes(frame, by="role")


def test_small_groups_are_combined_and_the_rest_is_never_small() -> None:
    assert DEFAULT_MIN_GROUP == 3
    split = breakdown(people(Au=5, Eching=4, Zolling=1, Kranzberg=1, Marzling=1))
    assert split.shown == ("Au", "Eching") and set(split.rest) == {"Zolling", "Kranzberg", "Marzling"}
    assert split.rest_size == 3 and split.rest_all_small


def test_a_remainder_too_small_takes_in_the_smallest_shown_group() -> None:
    # issue 14 point 3: A with 3 and B with 2 — showing A would give B as the total minus A
    split = breakdown(people(A=3, B=2))
    assert split.shown == () and set(split.rest) == {"A", "B"}
    split = breakdown(people(Freising=7, A=3, B=2))
    assert split.shown == ("Freising",) and set(split.rest) == {"A", "B"} and not split.rest_all_small
    assert breakdown(people(A=4, B=3)).rest == ()


def test_is_small() -> None:
    assert is_small(2) and is_small(float("nan")) and not is_small(3)
