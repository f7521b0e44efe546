"""`to_dict` spells every instant in UTC with a `Z`, whatever zone a result was built in."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from customer_journey.engine import GoalStatus, Visit

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_an_instant_in_another_zone_is_spelled_in_utc() -> None:
    visit = Visit("aware", datetime(2026, 6, 1, 12, tzinfo=PARIS_SUMMER), None, "entry", "visit")
    assert visit.to_dict()["entered_at"] == "2026-06-01T10:00:00Z"


def test_an_instant_with_microseconds_keeps_them() -> None:
    reached = datetime(2026, 6, 1, 12, 0, 0, 250, tzinfo=timezone.utc)
    status = GoalStatus("buy", "reached", reached, None)
    assert status.to_dict() == {
        "status": "reached",
        "reached_at": "2026-06-01T12:00:00.000250Z",
        "deadline": None,
    }
