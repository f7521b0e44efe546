"""Every figure of `analyze`, checked against the hand-worked population of conftest.py.

Expected values are written out from the paths in conftest's docstring; odds ratios and
Markov conversion figures are computed here from the tables and walks written out by hand,
never by the library's own helpers.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest

import customer_journey as cj
from customer_journey.analytics import Summary

from .conftest import AS_OF, JOURNEY, at, population, record

Z = 1.959963984540054
ROUTES = ("onward", "back", "timeout", "terminal")


def routes(**counts: int) -> dict[str, int]:
    """Counts by route, zero for the routes not given."""
    return {route: counts.get(route, 0) for route in ROUTES}


def woolf(a: int, b: int, c: int, d: int) -> tuple[float, float, float, bool]:
    """(a·d)/(b·c) and its 95% interval, 0.5 added to every cell when one is zero."""
    corrected = 0 in (a, b, c, d)
    cells = [cell + 0.5 if corrected else float(cell) for cell in (a, b, c, d)]
    value = cells[0] * cells[3] / (cells[1] * cells[2])
    spread = Z * math.sqrt(sum(1 / cell for cell in cells))
    return value, value * math.exp(-spread), value * math.exp(spread), corrected


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def in_now(analysis: cj.Analysis) -> dict[str, int]:
    """Customers per stage now, the stages nobody is in left out."""
    return {figures.stage: figures.in_now for figures in analysis.stages if figures.in_now}


# --- customers, totals, as_of --------------------------------------------------------------


def test_customers_are_those_placed_and_outside_those_never_placed(
    analysis: cj.Analysis,
) -> None:
    assert (analysis.customers, analysis.outside) == (8, 1)  # c7 only added to a cart


def test_totals_account_for_every_record(analysis: cj.Analysis) -> None:
    assert analysis.totals is not None
    assert analysis.totals.to_dict() == {
        "read": 34,
        "accepted": 33,
        "rejected": 1,
        "duplicates": 1,  # c2's payment failure sent twice
        "after_as_of": 1,  # c1's page view on day 11
        "customers": 9,  # the 8 placed and c7
        "events": 31,  # 33 accepted - 1 after as_of - 1 duplicate
    }


def test_totals_are_those_of_replay_all_with_duplicates_outside_the_journey(
    journey: cj.Journey,
) -> None:
    twice = [record("c11", "cart.added", 2, hour, event_id="x") for hour in (9, 10)]
    records = [*population(), *twice]
    analysis = cj.analyze(journey, records, AS_OF, min_count=2)
    assert analysis.totals == journey.replay_all(records, AS_OF).totals
    assert analysis.totals is not None
    assert (analysis.outside, analysis.totals.duplicates, analysis.totals.events) == (2, 2, 32)


def test_a_record_without_a_timestamp_is_rejected_with_its_row(analysis: cj.Analysis) -> None:
    assert [rejection.to_dict() for rejection in analysis.rejections] == [
        {
            "source": "<records>",
            "row": 34,
            "code": "missing-field",
            "reason": "missing 'timestamp'",
            "record": {"customer_id": "c10", "type": "page.viewed"},
        }
    ]


def test_as_of_defaults_to_the_latest_event_time(journey: cj.Journey) -> None:
    analysis = cj.analyze(journey, population())
    assert analysis.as_of == at(11, 0)
    assert analysis.totals is not None
    assert (analysis.totals.after_as_of, analysis.totals.events) == (0, 32)


def test_as_of_may_be_text_and_naive_text_is_in_the_journey_timezone(
    journey: cj.Journey, analysis: cj.Analysis
) -> None:
    for text in ("2026-03-12T12:00:00Z", "2026-03-12T12:00:00"):
        assert cj.analyze(journey, population(), text, min_count=2) == analysis


def test_events_after_as_of_are_left_out_of_every_figure(journey: cj.Journey) -> None:
    # Up to day 1 09:30: c9 0d07, c3 0d08, c1 0d09 0d12, c2 0d10, c6 0d11 0d13 0d14, c4 1d09.
    early = cj.analyze(journey, population(), at(1, 9) + timedelta(minutes=30))
    assert (early.customers, early.outside) == (6, 0)  # c7 only comes on day 2
    assert early.totals is not None
    assert (early.totals.after_as_of, early.totals.events) == (33 - 9, 9)
    assert in_now(early) == {"aware": 4, "considering": 2}  # c2 c3 c4 c9 | c1 c6


# --- stages --------------------------------------------------------------------------------

#: stage -> phase, entered, visits, reached, in_now, stalled_now, left, exits,
#: step_conversion, overall_conversion, over_expected.
STAGES: dict[str, tuple[Any, ...]] = {
    "aware": (
        "awareness", 8, 8, 8, 1, 1,
        routes(onward=5, timeout=2), routes(onward=5, timeout=2), 8 / 8, 8 / 8, 2,
    ),
    "considering": (
        "consideration", 7, 8, 7, 1, 1,
        routes(onward=5, terminal=1), routes(onward=6, terminal=1), 7 / 8, 7 / 8, 1,
    ),
    "checkout": (
        "conversion", 5, 6, 5, 1, 1,
        routes(onward=4), routes(onward=4, back=1), 5 / 7, 5 / 8, 0,
    ),
    "customer": ("conversion", 4, 4, 4, 4, 0, routes(), routes(), 4 / 5, 4 / 8, 0),
    "lapsed": (None, 2, 2, None, 0, 0, routes(onward=2), routes(onward=2), None, 2 / 8, 0),
    "churned": (None, 1, 1, None, 1, 0, routes(), routes(), None, 1 / 8, 0),
}  # fmt: skip


def test_stages_come_in_file_order(analysis: cj.Analysis) -> None:
    assert [figures.stage for figures in analysis.stages] == list(STAGES)


@pytest.mark.parametrize("stage", list(STAGES))
def test_stage_funnel_figures_match_the_hand_count(analysis: cj.Analysis, stage: str) -> None:
    figures = analysis.stage(stage)
    assert (
        figures.phase,
        figures.entered,
        figures.visits,
        figures.reached,
        figures.in_now,
        figures.stalled_now,
        dict(figures.left),
        dict(figures.exits),
        figures.step_conversion,
        figures.overall_conversion,
        figures.over_expected,
    ) == STAGES[stage]


def test_a_regression_ends_the_visit_by_the_back_route_and_the_later_visit_by_onward(
    analysis: cj.Analysis,
) -> None:
    checkout = analysis.stage("checkout")
    # c2 went back once, then on: counted back in exits, onward in left (the last visit).
    assert (checkout.exits["back"], checkout.left["back"], checkout.left["onward"]) == (1, 0, 4)


@pytest.mark.parametrize("stage", list(STAGES))
def test_stage_counts_balance(analysis: cj.Analysis, stage: str) -> None:
    figures = analysis.stage(stage)
    assert figures.entered == figures.in_now + sum(figures.left.values())
    assert figures.visits == figures.in_now + sum(figures.exits.values())


def test_stage_lookup_of_an_unknown_stage_raises_key_error(analysis: cj.Analysis) -> None:
    with pytest.raises(KeyError):
        analysis.stage("nowhere")


#: stage -> (dwell of ended visits, time so far of open visits), worked out by hand.
DWELL: dict[str, tuple[Summary, Summary]] = {
    # 1h 1h 2h 3h 24h 120h 120h; c5 open 3d3h
    "aware": (
        Summary(7, hours(3), hours(120), hours(271) / 7),
        Summary(1, hours(75), hours(75), hours(75)),
    ),
    # 21h 22h 22h 23h 24h 71h 189h: p90 at rank 5.4 = 71 + 0.4 * 118; c3 open 4d3h
    "considering": (
        Summary(7, hours(23), hours(118.2), hours(372) / 7),
        Summary(1, hours(99), hours(99), hours(99)),
    ),
    # 1h 1h 1h 2h 2h: p90 at rank 3.6; c8 open 27h
    "checkout": (
        Summary(5, hours(1), hours(2), timedelta(minutes=84)),
        Summary(1, hours(27), hours(27), hours(27)),
    ),
    # no visit ended; open 48h 98h 169h 217h
    "customer": (
        Summary(0, None, None, None),
        Summary(4, hours(133.5), hours(202.6), hours(133)),
    ),
    # 5h 25h; none open
    "lapsed": (Summary(2, hours(15), hours(23), hours(15)), Summary(0, None, None, None)),
    # c4 open 6d3h
    "churned": (Summary(0, None, None, None), Summary(1, hours(147), hours(147), hours(147))),
}


@pytest.mark.parametrize("stage", list(DWELL))
def test_dwell_and_ongoing_summaries_are_exact(analysis: cj.Analysis, stage: str) -> None:
    figures = analysis.stage(stage)
    assert (figures.dwell, figures.ongoing) == DWELL[stage]


def test_expected_duration_is_reported_per_stage(analysis: cj.Analysis) -> None:
    assert [figures.expected_duration for figures in analysis.stages] == [
        timedelta(days=2),
        timedelta(days=3),
        timedelta(days=1),
        None,
        None,
        None,
    ]


# --- phases --------------------------------------------------------------------------------


def test_phase_funnel_counts_each_customer_once_per_phase(analysis: cj.Analysis) -> None:
    assert [
        (p.phase, p.entered, p.reached, p.in_now, p.step_conversion, p.overall_conversion)
        for p in analysis.phases
    ] == [
        ("awareness", 8, 8, 1, 1.0, 1.0),
        ("consideration", 7, 7, 1, 7 / 8, 7 / 8),
        ("conversion", 5, 5, 5, 5 / 7, 5 / 8),  # checkout c8 + customer c1 c2 c6 c9
    ]  # 'advocacy' has no stage: it is left out


# --- flows ---------------------------------------------------------------------------------


def test_flows_entries_and_moves_match_the_paths(analysis: cj.Analysis) -> None:
    flows = analysis.flows
    assert dict(flows.entries) == {"aware": 8}
    assert {source: dict(row) for source, row in flows.moves.items()} == {
        "aware": {"considering": 5, "lapsed": 2},
        "considering": {"checkout": 6, "churned": 1},
        "checkout": {"considering": 1, "customer": 4},
        "lapsed": {"considering": 2},
    }


def test_move_rows_sum_to_exits_and_columns_plus_entries_to_visits(
    analysis: cj.Analysis,
) -> None:
    flows = analysis.flows
    for figures in analysis.stages:
        row = flows.moves.get(figures.stage, {})
        column = sum(r.get(figures.stage, 0) for r in flows.moves.values())
        assert sum(row.values()) == sum(figures.exits.values())
        assert column + flows.entries.get(figures.stage, 0) == figures.visits


def test_share_is_the_part_of_a_stage_s_moves_going_to_a_target(analysis: cj.Analysis) -> None:
    flows = analysis.flows
    assert flows.share("aware", "lapsed") == pytest.approx(2 / 7)
    assert flows.share("checkout", "customer") == pytest.approx(4 / 5)
    assert flows.share("checkout", "lapsed") == 0.0
    assert flows.share("customer", "lapsed") is None  # nobody left 'customer'


def test_variants_rank_by_customers_then_path(analysis: cj.Analysis) -> None:
    assert [(variant.path, variant.customers) for variant in analysis.flows.variants] == [
        (("aware", "considering", "checkout", "customer"), 2),  # c1 c6
        (("aware",), 1),  # c5
        (("aware", "considering", "checkout"), 1),  # c8
        (("aware", "considering", "checkout", "considering", "checkout", "customer"), 1),
        (("aware", "considering", "churned"), 1),  # c4
        (("aware", "lapsed", "considering"), 1),  # c3
        (("aware", "lapsed", "considering", "checkout", "customer"), 1),  # c9
    ]


def test_top_limits_the_variants(journey: cj.Journey) -> None:
    analysis = cj.analyze(journey, population(), AS_OF, top=2)
    assert [variant.path for variant in analysis.flows.variants] == [
        ("aware", "considering", "checkout", "customer"),
        ("aware",),
    ]


# --- goals ---------------------------------------------------------------------------------


def test_goal_with_a_window_counts_a_late_purchase_as_missed(analysis: cj.Analysis) -> None:
    purchase = analysis.goals[0]
    # reached c1 c2 c9; missed c3 (window over), c4 (churned), c6 (ordered on day 8);
    # pending c5 c8. Time to goal 26h, 73h, 147h.
    assert (purchase.goal, purchase.stage) == ("purchase", "customer")
    assert (purchase.reached, purchase.missed, purchase.pending) == (3, 3, 2)
    assert purchase.reach_rate == 3 / 8
    assert purchase.time_to_goal == Summary(3, hours(73), hours(132.2), hours(82))


def test_goal_without_a_window_is_missed_only_in_a_terminal_stage(analysis: cj.Analysis) -> None:
    ordered = analysis.goals[1]
    # reached c1 c2 c6 c9; missed c4; pending c3 c5 c8. Time to goal 26h 73h 147h 193h.
    assert (ordered.goal, ordered.reached, ordered.missed, ordered.pending) == ("ordered", 4, 1, 3)
    assert ordered.reach_rate == 0.5
    assert ordered.time_to_goal == Summary(4, hours(110), hours(179.2), hours(109.75))


# --- friction ------------------------------------------------------------------------------

#: (kind, stage, label, customers with it, of them reached 'purchase'), in ranking order.
#: 8 customers, 3 reached 'purchase' (c1 c2 c9).
FRICTION = [
    ("churned", "churned", "churned at 'churned'", 1, 0),  # c4
    ("stalled", "aware", "stalled in 'aware'", 1, 0),  # c5
    ("stalled", "checkout", "stalled in 'checkout'", 1, 0),  # c8
    ("stalled", "considering", "stalled in 'considering'", 1, 0),  # c3
    ("timeout", "aware", "timed out of 'aware' into 'lapsed'", 2, 1),  # c3 c9
    ("regression", "checkout", "back from 'checkout' to 'considering'", 1, 1),  # c2
    ("declared", "checkout", "Payment failure", 1, 1),  # c2
]


def test_friction_is_ranked_by_customers_lost_then_kind_stage_label(
    analysis: cj.Analysis,
) -> None:
    assert [
        (item.kind, item.stage, item.label, item.customers, item.reached_goal)
        for item in analysis.friction
    ] == FRICTION


@pytest.mark.parametrize("row", range(len(FRICTION)))
def test_friction_goal_rates_odds_ratio_and_customers_lost(analysis: cj.Analysis, row: int) -> None:
    # Every friction here came before its customers reached 'purchase': all are judged.
    *_, a, a1 = FRICTION[row]
    b, b1 = 8 - a, 3 - a1
    item = analysis.friction[row]
    assert (item.judged, item.customers_without) == (a, b)
    assert item.goal_rate == pytest.approx(a1 / a)
    assert item.goal_rate_without == pytest.approx(b1 / b)
    assert item.customers_lost == pytest.approx(max(0.0, a * b1 / b - a1))
    assert item.goes_with_higher_goal_rate == (a1 / a > b1 / b)
    assert item.odds_ratio is not None
    assert tuple(item.odds_ratio) == pytest.approx(woolf(a1, a - a1, b1, b - b1))


def test_friction_odds_ratios_written_out(analysis: cj.Analysis) -> None:
    by_kind = {(item.kind, item.stage): item for item in analysis.friction}
    timeout = by_kind["timeout", "aware"].odds_ratio
    assert timeout is not None
    assert (timeout.value, timeout.corrected) == (pytest.approx(2.0), False)  # (1*4)/(1*2)
    declared = by_kind["declared", "checkout"].odds_ratio
    assert declared is not None
    assert (declared.value, declared.corrected) == (pytest.approx(1.5 * 5.5 / (0.5 * 2.5)), True)
    # 1 of 1 reached 'purchase' against 2 of 7 without: a higher rate, nothing lost.
    assert by_kind["declared", "checkout"].customers_lost == 0.0
    assert by_kind["declared", "checkout"].goes_with_higher_goal_rate is True


def test_friction_is_judged_against_the_goal_given(journey: cj.Journey) -> None:
    analysis = cj.analyze(journey, population(), AS_OF, goal="ordered")
    assert analysis.goal == "ordered"
    timeout = next(item for item in analysis.friction if item.kind == "timeout")
    # 'ordered' reached by c1 c2 c6 c9: c9 of c3 c9, 3 of the 6 others.
    assert (timeout.reached_goal, timeout.goal_rate, timeout.goal_rate_without) == (1, 0.5, 0.5)
    assert timeout.customers_lost == pytest.approx(0.0)
    assert timeout.odds_ratio is not None
    assert timeout.odds_ratio.value == pytest.approx(1.0)


def test_the_default_friction_goal_is_the_first_goal_in_file_order(
    analysis: cj.Analysis,
) -> None:
    assert analysis.goal == "purchase"


def test_without_goals_friction_has_no_goal_figures_and_terminal_stages_churn(
    journey: cj.Journey,
) -> None:
    plain = cj.loads(JOURNEY[: JOURNEY.index("goals:")])
    analysis = cj.analyze(plain, population(), AS_OF)
    assert (analysis.goal, analysis.goals, dict(analysis.conversion)) == (None, (), {})
    assert analysis.attribution == ()
    # Without a goal nothing is lost: most customers first, then kind, stage and label.
    # 'customer' is no goal's stage any more, so ordering there is churning.
    assert [(item.kind, item.stage, item.customers) for item in analysis.friction] == [
        ("churned", "customer", 4),
        ("timeout", "aware", 2),
        ("churned", "churned", 1),
        ("regression", "checkout", 1),
        ("stalled", "aware", 1),
        ("stalled", "checkout", 1),
        ("stalled", "considering", 1),
        ("declared", "checkout", 1),
    ]
    assert dict(analysis.stage("checkout").exits) == routes(back=1, terminal=4)
    stalled = next(item for item in analysis.friction if item.label == "stalled in 'aware'")
    assert stalled.to_dict() == {
        "kind": "stalled",
        "stage": "aware",
        "label": "stalled in 'aware'",
        "customers": 1,
        "judged": None,
        "reached_goal": None,
        "goal_rate": None,
        "goal_rate_without": None,
        "odds_ratio": None,
        "conclusive": False,
        "customers_lost": None,
        "goes_with_higher_goal_rate": False,
        "examples": ["c5"],
    }


# --- root causes ---------------------------------------------------------------------------


def test_root_causes_in_considering_match_the_judged_visits(analysis: cj.Analysis) -> None:
    # Judged visits to 'considering': c1, c2 (twice), c4, c6, c8, c9 ended and c3 open but
    # stalled: 8, of which 6 moved on (c4 churned, c3 is still there). Traits are those
    # when the visit ended: c8 became vip on the cart event that moved it on.
    found = [
        (cause.feature, cause.visits, cause.moved_on, cause.visits_without, cause.moved_on_without)
        for cause in analysis.root_causes
        if cause.stage == "considering"
    ]
    assert found == [
        (("customer.segment", "basic"), 3, 1, 5, 5),  # c3 c4 c9
        (("customer.segment", "vip"), 5, 5, 3, 1),  # c1 c2 c2 c6 c8
        (("action", "guide"), 2, 1, 6, 5),  # c4 c6
        (("event", "action.performed"), 2, 1, 6, 5),
        (("event.action", "guide"), 2, 1, 6, 5),
    ]


def test_root_cause_odds_ratios_compare_moving_on_with_and_without(
    analysis: cj.Analysis,
) -> None:
    causes = {(c.stage, c.feature): c for c in analysis.root_causes}
    guide = causes["considering", ("action", "guide")]
    assert tuple(guide.odds_ratio) == pytest.approx(woolf(1, 1, 5, 1))
    assert guide.odds_ratio.value == pytest.approx(0.2)
    vip = causes["considering", ("customer.segment", "vip")]
    assert tuple(vip.odds_ratio) == pytest.approx(woolf(5, 0, 1, 2))
    assert vip.odds_ratio.value == pytest.approx(5.5 * 2.5 / (0.5 * 1.5))
    assert (vip.rate, vip.rate_without, vip.label) == (1.0, 1 / 3, "customer.segment = vip")


def test_root_causes_in_aware_count_the_open_stalled_visit(analysis: cj.Analysis) -> None:
    # Judged: 7 ended visits and c5's stalled one; moved on: c1 c2 c4 c6 c8 (c3 c9 timed out).
    basic = next(
        cause
        for cause in analysis.root_causes
        if cause.stage == "aware" and cause.feature == ("customer.segment", "basic")
    )
    assert (basic.visits, basic.moved_on, basic.visits_without, basic.moved_on_without) == (
        4,  # c3 c4 c8 c9
        2,  # c4 c8
        4,  # c1 c2 c5 c6
        3,  # c1 c2 c6
    )
    assert tuple(basic.odds_ratio) == pytest.approx(woolf(2, 2, 3, 1))


def test_root_causes_come_in_stage_file_order(analysis: cj.Analysis) -> None:
    stages = [cause.stage for cause in analysis.root_causes]
    assert stages == sorted(stages, key=list(STAGES).index)
    assert set(stages) <= {"aware", "considering", "checkout", "lapsed"}  # never terminal


def test_root_causes_need_min_count_visits_with_and_without(journey: cj.Journey) -> None:
    # considering: basic 3 with (kept at 3), vip 3 without (kept), guide 2 with (dropped).
    analysis = cj.analyze(journey, population(), AS_OF, min_count=3)
    assert [c.feature for c in analysis.root_causes if c.stage == "considering"] == [
        ("customer.segment", "basic"),
        ("customer.segment", "vip"),
    ]
    assert cj.analyze(journey, population(), AS_OF).root_causes == ()  # default 20


# --- trend ---------------------------------------------------------------------------------

#: Customers per stage at each midnight from day 1 (the first after c9 joined at 0d07).
DAILY = [
    (1, {"aware": 3, "considering": 2}),
    (2, {"aware": 2, "considering": 3, "customer": 1}),
    (3, {"aware": 2, "considering": 3, "customer": 1}),
    (4, {"aware": 2, "considering": 2, "customer": 2}),
    (5, {"aware": 2, "considering": 1, "customer": 2, "churned": 1}),
    (6, {"considering": 2, "customer": 2, "lapsed": 1, "churned": 1}),
    (7, {"considering": 2, "customer": 3, "churned": 1}),
    (8, {"aware": 1, "considering": 2, "customer": 3, "churned": 1}),
    (9, {"aware": 1, "considering": 2, "customer": 4, "churned": 1}),
    (10, {"aware": 1, "considering": 1, "checkout": 1, "customer": 4, "churned": 1}),
]


def test_trend_defaults_to_daily_snapshots_at_midnight(analysis: cj.Analysis) -> None:
    trend = analysis.trend
    assert trend.every == "day"
    assert [(shot.at, dict(shot.stages)) for shot in trend.snapshots[:-1]] == [
        (at(day), stages) for day, stages in DAILY
    ]


def test_the_last_snapshot_is_at_as_of_and_holds_in_now(analysis: cj.Analysis) -> None:
    last = analysis.trend.snapshots[-1]
    assert last.at == AS_OF
    assert list(last.stages.items()) == [
        (figures.stage, figures.in_now) for figures in analysis.stages if figures.in_now
    ]
    assert dict(last.stages) == {
        "aware": 1,
        "considering": 1,
        "checkout": 1,
        "customer": 4,
        "churned": 1,
    }


def test_weekly_trend_keeps_the_mondays(journey: cj.Journey) -> None:
    trend = cj.analyze(journey, population(), AS_OF, every="week").trend
    assert trend.every == "week"
    assert [shot.at for shot in trend.snapshots] == [at(7), AS_OF]  # Monday 2026-03-09
    assert dict(trend.snapshots[0].stages) == DAILY[6][1]


def test_monthly_trend_has_only_as_of_when_no_first_of_month_falls_inside(
    journey: cj.Journey,
) -> None:
    trend = cj.analyze(journey, population(), AS_OF, every="month").trend
    assert (trend.every, [shot.at for shot in trend.snapshots]) == ("month", [AS_OF])


def test_monthly_trend_snapshots_the_first_of_the_month(journey: cj.Journey) -> None:
    records = [{"customer_id": "m", "type": "ad.clicked", "timestamp": "2026-02-27T10:00:00Z"}]
    trend = cj.analyze(journey, records, "2026-03-05T00:00:00Z", every="month").trend
    assert [(shot.at, dict(shot.stages)) for shot in trend.snapshots] == [
        (datetime(2026, 3, 1, tzinfo=timezone.utc), {"aware": 1}),
        (datetime(2026, 3, 5, tzinfo=timezone.utc), {"lapsed": 1}),  # timed out on Mar 4
    ]


def test_monthly_trend_carries_the_changes_of_the_days_between_firsts_across_a_new_year(
    journey: cj.Journey,
) -> None:
    pricing = {"type": "page.viewed", "page": "/pricing"}
    records = [
        {"customer_id": "m", "type": "ad.clicked", "timestamp": "2025-11-20T10:00:00Z"},
        {"customer_id": "n", "type": "ad.clicked", "timestamp": "2025-12-30T10:00:00Z"},
        {"customer_id": "n", "timestamp": "2026-01-25T10:00:00Z", **pricing},
    ]
    trend = cj.analyze(journey, records, "2026-02-10T00:00:00Z", every="month").trend
    # m: aware on Nov 20, lapsed on Nov 25. n: aware on Dec 30, lapsed on Jan 4,
    # considering on Jan 25, lapsed again on Feb 4.
    assert [(shot.at, dict(shot.stages)) for shot in trend.snapshots] == [
        (datetime(2025, 12, 1, tzinfo=timezone.utc), {"lapsed": 1}),
        (datetime(2026, 1, 1, tzinfo=timezone.utc), {"aware": 1, "lapsed": 1}),
        (datetime(2026, 2, 1, tzinfo=timezone.utc), {"considering": 1, "lapsed": 1}),
        (datetime(2026, 2, 10, tzinfo=timezone.utc), {"lapsed": 2}),
    ]


def test_trend_snapshots_are_taken_at_local_midnight_in_the_journey_timezone() -> None:
    paris = cj.loads(JOURNEY.replace("timezone: UTC", "timezone: Europe/Paris"))
    records = [{"customer_id": "p", "type": "ad.clicked", "timestamp": "2026-03-02T22:30:00Z"}]
    trend = cj.analyze(paris, records, "2026-03-04T12:00:00Z").trend
    # 23:30 in Paris: the first local midnight is 2026-03-03 00:00+01:00, 23:00 UTC.
    assert [(shot.at, dict(shot.stages)) for shot in trend.snapshots] == [
        (datetime(2026, 3, 2, 23, tzinfo=timezone.utc), {"aware": 1}),
        (datetime(2026, 3, 3, 23, tzinfo=timezone.utc), {"aware": 1}),
        (datetime(2026, 3, 4, 12, tzinfo=timezone.utc), {"aware": 1}),
    ]


# --- attribution ---------------------------------------------------------------------------

START, CONVERSION = "(start)", "(conversion)"

#: Each customer's walk towards 'purchase', from the paths (c6 ordered too late: no
#: conversion, so the walk ends in 'customer').
PURCHASE_WALKS = [
    ["aware", "considering", "checkout", CONVERSION],  # c1
    ["aware", "considering", "checkout", "considering", "checkout", CONVERSION],  # c2
    ["aware", "lapsed", "considering"],  # c3
    ["aware", "considering", "churned"],  # c4
    ["aware"],  # c5
    ["aware", "considering", "checkout", "customer"],  # c6
    ["aware", "considering", "checkout"],  # c8
    ["aware", "lapsed", "considering", "checkout", CONVERSION],  # c9
]


def conversion_chance(walks: list[list[str]], removed: Counter[tuple[str, str]]) -> Fraction:
    """Absorption chance in CONVERSION from START, `removed` moves sent to null (exact)."""
    moves: Counter[tuple[str, str]] = Counter()
    leaving: Counter[str] = Counter()
    for walk in walks:
        for source, target in zip([START, *walk[:-1]], walk, strict=True):
            moves[source, target] += 1
            leaving[source] += 1
        if walk[-1] != CONVERSION:
            leaving[walk[-1]] += 1
    states = sorted(leaving)
    # x[s] - sum_t p(s, t) x[t] = p(s, CONVERSION), solved by elimination in fractions.
    rows = []
    for state in states:
        row = [Fraction(int(state == other)) for other in states] + [Fraction(0)]
        for (source, target), count in moves.items():
            if source != state:
                continue
            share = Fraction(count - removed[source, target], leaving[state])
            if target == CONVERSION:
                row[-1] += share
            else:
                row[states.index(target)] -= share
        rows.append(row)
    for column in range(len(states)):
        pivot = next(r for r in range(column, len(rows)) if rows[r][column] != 0)
        rows[column], rows[pivot] = rows[pivot], rows[column]
        rows[column] = [value / rows[column][column] for value in rows[column]]
        for r in range(len(rows)):
            if r != column and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [v - factor * p for v, p in zip(rows[r], rows[column], strict=True)]
    return rows[states.index(START)][-1]


def test_conversion_is_the_absorption_chance_of_the_walks(analysis: cj.Analysis) -> None:
    chance = conversion_chance(PURCHASE_WALKS, Counter())
    assert chance == Fraction(3, 8)  # by hand: x(considering) = 3/7, x(aware) = 7/8 of it
    assert analysis.conversion["purchase"] == pytest.approx(float(chance))
    assert analysis.conversion["ordered"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("feature", "carried", "removed"),
    [
        # 'guide' was performed in the considering visits of c4 (then churned) and c6.
        (("action", "guide"), 2, {("considering", "churned"): 1, ("considering", "checkout"): 1}),
        (("touchpoint", "fail"), 1, {("checkout", "considering"): 1}),  # c2
        (("channel", "paid_ads"), 3, {(START, "aware"): 3}),  # c1 c4 c6 entered by ad
        (("touchpoint", "visit"), 5, {(START, "aware"): 5}),
    ],
)
def test_removal_effect_sends_the_label_s_moves_to_null(
    analysis: cj.Analysis,
    feature: tuple[str, str],
    carried: int,
    removed: dict[tuple[str, str], int],
) -> None:
    base = conversion_chance(PURCHASE_WALKS, Counter())
    without = conversion_chance(PURCHASE_WALKS, Counter(removed))
    item = next(
        item for item in analysis.attribution if item.goal == "purchase" and item.feature == feature
    )
    assert item.moves == carried
    assert item.removal_effect == pytest.approx(float(max(0, 1 - without / base)))


def test_removal_effects_written_out(analysis: cj.Analysis) -> None:
    effects = {
        item.feature: item.removal_effect
        for item in analysis.attribution
        if item.goal == "purchase"
    }
    assert effects["action", "guide"] == pytest.approx(8 / 43)
    assert effects["touchpoint", "fail"] == pytest.approx(1 / 8)
    assert effects["channel", "paid_ads"] == pytest.approx(3 / 8)
    assert effects["touchpoint", "close"] == 0.0  # only on c4's walk, which never converts


def test_attribution_is_ordered_by_goal_then_removal_effect(analysis: cj.Analysis) -> None:
    keys = [
        (["purchase", "ordered"].index(item.goal), -item.removal_effect, item.feature)
        for item in analysis.attribution
    ]
    assert keys == sorted(keys)
    assert {item.goal for item in analysis.attribution} == {"purchase", "ordered"}


def test_stage_attribution_removes_only_the_moves_out_of_that_stage(
    analysis: cj.Analysis,
) -> None:
    base = conversion_chance(PURCHASE_WALKS, Counter())
    without = conversion_chance(PURCHASE_WALKS, Counter({("lapsed", "considering"): 2}))
    item = next(
        item
        for item in analysis.stage_attribution
        if (item.goal, item.stage, item.feature)
        == ("purchase", "lapsed", ("touchpoint", "pricing"))
    )
    assert item.moves == 2  # c3 c9
    assert 1 - without / base == Fraction(2, 7)
    assert item.removal_effect == pytest.approx(2 / 7)


def test_action_weights_are_one_plus_the_removal_effect(analysis: cj.Analysis) -> None:
    assert analysis.action_weights() == pytest.approx({"guide": 1 + 8 / 43})
    assert analysis.action_weights(stage="considering") == pytest.approx({"guide": 1 + 8 / 43})
    assert analysis.action_weights(stage="aware") == {}


# --- next actions --------------------------------------------------------------------------


def test_next_actions_count_customers_by_their_best_action_now(analysis: cj.Analysis) -> None:
    # c1 c2 c6 c9 (customer) and c4 (churned) are in terminal stages: no action.
    assert list(analysis.next_actions.items()) == [
        (None, 5),
        ("cart_reminder", 1),  # c8 in checkout
        ("guide", 1),  # c3 in considering
        ("retarget", 1),  # c5 in aware
    ]


# --- groups --------------------------------------------------------------------------------


def goal_counts(analysis: cj.Analysis) -> list[tuple[str, int, int, int]]:
    return [(g.goal, g.reached, g.missed, g.pending) for g in analysis.goals]


def test_groups_by_first_channel_hold_each_group_s_figures(journey: cj.Journey) -> None:
    analysis = cj.analyze(journey, population(), AS_OF, by="first_channel")
    assert analysis.by == "first_channel"
    assert list(analysis.groups) == ["paid_ads", "web"]
    ads, web = analysis.groups["paid_ads"], analysis.groups["web"]
    assert (ads.customers, web.customers) == (3, 5)  # c1 c4 c6 | c2 c3 c5 c8 c9
    assert in_now(ads) == {"customer": 2, "churned": 1}
    assert in_now(web) == {"aware": 1, "considering": 1, "checkout": 1, "customer": 2}
    assert goal_counts(ads) == [("purchase", 1, 2, 0), ("ordered", 2, 1, 0)]
    assert goal_counts(web) == [("purchase", 2, 1, 2), ("ordered", 2, 0, 3)]
    assert (ads.by, ads.groups, ads.totals) == (None, {}, None)


def test_groups_by_trait_use_the_value_as_of_and_none_when_missing(journey: cj.Journey) -> None:
    analysis = cj.analyze(journey, population(), AS_OF, by="customer.segment")
    assert list(analysis.groups) == ["(none)", "basic", "vip"]
    groups = analysis.groups
    # c8 turned vip on its cart event; c5 never had a segment.
    assert [groups[key].customers for key in groups] == [1, 3, 4]
    assert in_now(groups["(none)"]) == {"aware": 1}
    assert in_now(groups["basic"]) == {"considering": 1, "customer": 1, "churned": 1}
    assert in_now(groups["vip"]) == {"checkout": 1, "customer": 3}
    assert goal_counts(groups["vip"]) == [("purchase", 2, 1, 1), ("ordered", 3, 0, 1)]


@pytest.mark.parametrize("by", ["first_channel", "customer.segment"])
def test_group_figures_add_up_to_the_whole(journey: cj.Journey, by: str) -> None:
    whole = cj.analyze(journey, population(), AS_OF, by=by)
    groups = list(whole.groups.values())
    assert sum(group.customers for group in groups) == whole.customers
    for number, figures in enumerate(whole.stages):
        parts = [group.stages[number] for group in groups]
        for name in ("entered", "visits", "in_now", "stalled_now", "over_expected"):
            assert sum(getattr(part, name) for part in parts) == getattr(figures, name)
        for route in ROUTES:
            assert sum(part.exits[route] for part in parts) == figures.exits[route]
            assert sum(part.left[route] for part in parts) == figures.left[route]
    for number, goal in enumerate(whole.goals):
        assert sum(group.goals[number].reached for group in groups) == goal.reached
    assert sum((Counter(group.next_actions) for group in groups), Counter()) == Counter(
        whole.next_actions
    )


def test_the_whole_of_a_split_analysis_is_the_unsplit_analysis(
    journey: cj.Journey, analysis: cj.Analysis
) -> None:
    split = cj.analyze(journey, population(), AS_OF, by="first_channel", min_count=2)
    assert split.stages == analysis.stages
    assert split.friction == analysis.friction
    assert split.totals == analysis.totals


# --- output --------------------------------------------------------------------------------


def test_to_json_is_to_dict_as_json(journey: cj.Journey) -> None:
    analysis = cj.analyze(journey, population(), AS_OF, by="first_channel", min_count=2)
    assert json.loads(analysis.to_json()) == analysis.to_dict()
    assert json.loads(analysis.to_json(indent=None)) == analysis.to_dict()


def test_to_dict_carries_the_figures_in_plain_values(analysis: cj.Analysis) -> None:
    data = analysis.to_dict()
    assert list(data) == [
        "journey",
        "as_of",
        "timezone",
        "goal",
        "customers",
        "outside",
        "totals",
        "rejections",
        "stages",
        "phases",
        "flows",
        "goals",
        "experiments",
        "friction",
        "root_causes",
        "trend",
        "conversion",
        "attribution",
        "stage_attribution",
        "next_actions",
        "by",
        "groups",
    ]
    assert (data["journey"], data["as_of"], data["goal"]) == (
        "figures",
        "2026-03-12T12:00:00Z",
        "purchase",
    )
    assert data["stages"][2]["exits"] == {"onward": 4, "back": 1, "timeout": 0, "terminal": 0}
    assert data["stages"][0]["dwell"] == {
        "count": 7,
        "median_seconds": 10_800.0,
        "p90_seconds": 432_000.0,
        "mean_seconds": pytest.approx(271 * 3600 / 7),
        "exact": True,
    }
    assert data["flows"]["shares"]["aware"] == {
        "considering": pytest.approx(5 / 7),
        "lapsed": pytest.approx(2 / 7),
    }
    assert data["next_actions"][0] == {"action": None, "customers": 5}
    assert data["trend"]["snapshots"][-1]["at"] == "2026-03-12T12:00:00Z"


def test_to_frames_gives_one_table_per_section(analysis: cj.Analysis) -> None:
    frames = analysis.to_frames()
    assert sorted(frames) == [
        "attribution",
        "dwell_histogram",
        "experiments",
        "friction",
        "goals",
        "moves",
        "next_actions",
        "phases",
        "root_causes",
        "stage_attribution",
        "stages",
        "trend",
        "variants",
    ]
    assert len(frames["stages"]) == 6
    assert "dwell_histogram" not in frames["stages"].columns
    assert set(frames["dwell_histogram"]["stage"]) <= set(STAGES)
    assert list(frames["stages"]["stage"]) == list(STAGES)
    assert list(frames["stages"]["exits_back"]) == [0, 0, 1, 0, 0, 0]
    assert len(frames["phases"]) == 3  # 'advocacy' has no stage
    assert len(frames["moves"]) == 7
    assert len(frames["variants"]) == 7
    assert len(frames["friction"]) == 7
    assert len(frames["experiments"]) == 0  # the journey has no experiments
    assert len(frames["trend"]) == sum(len(shot.stages) for shot in analysis.trend.snapshots)
    assert len(frames["next_actions"]) == 4


def test_to_frames_with_groups_leads_with_the_group_column(journey: cj.Journey) -> None:
    frames = cj.analyze(journey, population(), AS_OF, by="first_channel").to_frames()
    stages = frames["stages"]
    assert list(stages.columns)[:2] == ["first_channel", "stage"]
    assert len(stages) == 18  # 6 stages for every customer, then for each of 2 groups
    assert list(stages["first_channel"]) == ["(all)"] * 6 + ["paid_ads"] * 6 + ["web"] * 6
    assert list(stages["entered"][:6]) == [8, 7, 5, 4, 2, 1]
    entered = stages.groupby("first_channel", sort=False)["entered"].sum()
    assert entered["(all)"] == entered["paid_ads"] + entered["web"]


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"goal": "purchse"}, "unknown goal 'purchse'; did you mean 'purchase'?"),
        (
            {"goal": "loyalty"},
            "unknown goal 'loyalty'; the journey's goals are 'purchase', 'ordered'",
        ),
        (
            {"by": "segment"},
            "'by' must be 'first_channel', a trait such as 'customer.segment' or an experiment "
            "such as 'experiment.global_holdout' (got 'segment')",
        ),
        (
            {"by": "customer."},
            "'by' must be 'first_channel', a trait such as 'customer.segment' or an experiment "
            "such as 'experiment.global_holdout' (got 'customer.')",
        ),
        (
            {"by": "experiment."},
            "'by' must be 'first_channel', a trait such as 'customer.segment' or an experiment "
            "such as 'experiment.global_holdout' (got 'experiment.')",
        ),
        ({"every": "hour"}, "'every' must be day, week or month (got 'hour')"),
    ],
)
def test_bad_options_are_refused_with_the_fix(
    journey: cj.Journey, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(cj.ArgumentError, match=re.escape(message)) as raised:
        cj.analyze(journey, population(), AS_OF, **options)
    assert str(raised.value) == message
    assert isinstance(raised.value, ValueError)


def test_no_events_and_no_as_of_is_refused(journey: cj.Journey) -> None:
    with pytest.raises(cj.ArgumentError, match="no events") as raised:
        cj.analyze(journey, [])
    assert str(raised.value) == "there are no events to analyze and no as_of"
    assert isinstance(raised.value, ValueError)
