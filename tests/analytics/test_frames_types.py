"""`to_frames()` keeps whole numbers whole, and puts every customer's rows next to the groups."""

from __future__ import annotations

import pytest

import customer_journey as cj

from .conftest import AS_OF, population

pandas = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def frames(journey: cj.Journey) -> dict[str, pandas.DataFrame]:
    return cj.analyze(journey, population(), AS_OF, min_count=2).to_frames()


def test_counts_stay_int64(frames: dict[str, pandas.DataFrame]) -> None:
    stages = frames["stages"]
    for column in ("entered", "visits", "in_now", "stalled_now", "exits_back", "dwell_count"):
        assert str(stages[column].dtype) == "int64", column
    assert str(frames["moves"]["moves"].dtype) == "int64"
    assert str(frames["friction"]["customers"].dtype) == "int64"
    assert str(frames["root_causes"]["visits"].dtype) == "int64"
    assert str(frames["dwell_histogram"]["visits"].dtype) == "int64"


def test_counts_that_may_be_missing_are_nullable_int64(
    frames: dict[str, pandas.DataFrame],
) -> None:
    # 'reached' is None for the stages outside the lifecycle (lapsed, churned).
    reached = frames["stages"]["reached"]
    assert str(reached.dtype) == "Int64"
    assert reached.tolist() == [8, 7, 5, 4, pandas.NA, pandas.NA]


def test_shares_stay_floats_and_flags_stay_bools(frames: dict[str, pandas.DataFrame]) -> None:
    assert str(frames["stages"]["overall_conversion"].dtype) == "float64"
    assert str(frames["stages"]["dwell_exact"].dtype) == "bool"


def test_with_groups_every_customers_rows_come_first_marked_all(journey: cj.Journey) -> None:
    analysis = cj.analyze(journey, population(), AS_OF, by="customer.segment")
    goals = analysis.to_frames()["goals"]
    assert list(goals.columns)[:2] == ["customer.segment", "goal"]
    assert goals[["customer.segment", "goal", "reached"]].values.tolist() == [
        ["(all)", "purchase", 3],
        ["(all)", "ordered", 4],
        ["(none)", "purchase", 0],  # c5 has no segment
        ["(none)", "ordered", 0],
        ["basic", "purchase", 1],
        ["basic", "ordered", 1],
        ["vip", "purchase", 2],
        ["vip", "ordered", 3],
    ]
    assert str(goals["reached"].dtype) == "int64"
