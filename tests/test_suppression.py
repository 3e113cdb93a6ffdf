"""Tests for integkit.analysis.suppression: which groups a shared report may break out."""

from __future__ import annotations

import pandas as pd
import pytest

from integkit.analysis.suppression import DEFAULT_MIN_GROUP, allowed_groups, group_sizes, is_small


@pytest.fixture
def respondents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "response_id": [1, 2, 3, 4, 5, 6, 6],
            "municipality": ["Au", "Au", "Au", "Eching", "Eching", "Zolling", "Zolling"],
        }
    )


def test_group_sizes_count_distinct_respondents(respondents: pd.DataFrame) -> None:
    assert group_sizes(respondents).to_dict() == {"Au": 3, "Eching": 2, "Zolling": 1}


def test_allowed_groups(respondents: pd.DataFrame) -> None:
    assert DEFAULT_MIN_GROUP == 3
    assert allowed_groups(respondents) == {"Au"}
    assert allowed_groups(respondents, min_n=2) == {"Au", "Eching"}
    with pytest.raises(KeyError, match="role"):
        allowed_groups(respondents, by="role")


def test_is_small() -> None:
    assert is_small(2) and is_small(float("nan")) and not is_small(3)
