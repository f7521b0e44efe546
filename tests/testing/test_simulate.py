"""The simulator: populations that flow, probabilities that shape them, seeds, Parquet."""

from __future__ import annotations

import itertools
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import customer_journey
from customer_journey.readers import MissingDependencyError, ParquetWriteError, write_parquet
from customer_journey.testing._simulate import SimulationError, read_settings, simulate

REPO = Path(__file__).resolve().parents[2]
RETAIL = REPO.parent / "shared" / "dsl" / "retail.journey.yaml"
STREAMING = RETAIL.with_name("streaming.journey.yaml")
BOOKSHOP = REPO / "examples" / "bookshop.journey.yaml"

needs_shared = pytest.mark.skipif(
    not RETAIL.is_file(),
    reason="../shared/dsl/retail.journey.yaml (the reference journey) is missing",
)

#: A journey whose touchpoints use every operator the satisfier knows, and one it cannot meet.
OPERATORS = """\
journey: operators
events: {customer: user_id, type: kind, time: ts, id: uid, channel: via, traits: profile}
touchpoints:
  visit:    { event: page.viewed, channel: web }
  pricing:  { event: page.viewed, channel: web, where: { page: { in: [/pricing, /plans] } } }
  docs:     { event: page.viewed, channel: web, where: { page: { matches: "^/docs/" } } }
  order:    { event: order.placed, channel: web, where: { total: { gt: 0, lte: 50 } } }
  big:      { event: order.placed, channel: web, where: { total: { gte: 500 } } }
  review:   { event: review.posted, channel: social, where: { rating: { between: [4, 5] } } }
  low:      { event: review.posted, channel: social, where: { rating: { lt: 2 } } }
  tagged:   { event: ticket.opened, channel: support, where: { tags: { contains: vip } } }
  noted:    { event: ticket.opened, channel: support, where: { note: { exists: true } } }
  calm:     { event: call.ended, channel: phone, where: { not: { mood: angry } } }
  either:
    event: call.ended
    channel: phone
    where: { any: [{ outcome: order }, { outcome: { eq: refund } }] }
  never:    { event: refund.issued, channel: web, where: { total: { gt: 5, lt: 3 } } }
stages:
  start:
    entry: [visit]
    transitions:
      - { to: start, when: [pricing, docs, order, big, review, low, tagged, noted, calm, either] }
      - { to: done, when: never }
  done: { terminal: true }
"""


def _journey(path: Path) -> customer_journey.Journey:
    return customer_journey.load(path)


def _entered(
    journey: customer_journey.Journey, records: Iterable[Mapping[str, Any]]
) -> Counter[str]:
    """Stage -> how many customers entered it at least once."""
    entered: Counter[str] = Counter()
    for result in journey.replay_all(list(records), strict=True):
        entered.update(set(result.stages_entered))
    return entered


@needs_shared
def test_a_population_of_the_reference_journey_enters_every_stage() -> None:
    journey = _journey(RETAIL)
    entered = _entered(journey, simulate(journey, 300, seed=1))
    assert set(entered) == set(journey.model.stages)
    assert min(entered.values()) >= 5


@needs_shared
def test_a_population_of_the_streaming_journey_enters_every_stage_some_through_idle() -> None:
    journey = _journey(STREAMING)
    records = list(simulate(journey, 100, seed=1))
    results = list(journey.replay_all(records, strict=True))
    entered: Counter[str] = Counter()
    timeouts: Counter[tuple[str, str]] = Counter()
    for result in results:
        entered.update(set(result.stages_entered))
        timeouts.update(
            (visit.stage, after.stage)
            for visit, after in itertools.pairwise(result.path)
            if after.trigger == "timeout"
        )
    assert set(entered) == set(journey.model.stages)
    # 'trialist' has its own 5d idle; the 'anywhere' 30d one applies elsewhere, not in 'lapsed'.
    assert set(timeouts) == {
        ("visitor", "lapsed"),
        ("trialist", "lapsed"),
        ("subscriber", "lapsed"),
        ("binger", "lapsed"),
    }
    # Each simulated customer has an id, so arms follow from it: both arms of each split.
    assert {(name, arm) for result in results for name, arm in result.arms.items()} == {
        ("global_control", "control"),
        ("global_control", "treated"),
        ("trial_offer", "discount"),
        ("trial_offer", "content"),
    }


def test_a_population_of_the_bookshop_enters_every_stage() -> None:
    journey = _journey(BOOKSHOP)
    simulation = simulate(journey, 300, seed=1)
    entered = _entered(journey, simulation)
    assert set(entered) == set(journey.model.stages)
    assert min(entered.values()) >= 5
    assert simulation.skipped_touchpoints == ()


def test_the_same_seed_gives_the_same_records_and_another_seed_others() -> None:
    journey = _journey(BOOKSHOP)
    first = list(simulate(journey, 40, seed=7))
    simulation = simulate(journey, 40, seed=7)
    assert list(simulation) == first
    assert list(simulation) == first  # iterating again gives them again
    assert list(simulate(journey, 40, seed=8)) != first


def test_a_transition_with_probability_one_is_taken_by_every_customer() -> None:
    journey = _journey(BOOKSHOP)
    records = simulate(
        journey, 50, entry={"ad_click": 1}, probabilities={"browsing": {"customer": 1.0}}
    )
    paths = [r.stages_entered[:2] for r in journey.replay_all(list(records), strict=True)]
    assert paths == [["browsing", "customer"]] * 50


def test_a_transition_with_an_event_condition_gets_an_event_that_meets_it() -> None:
    # customer -> regular needs `event.total >= 5` on the order.
    journey = _journey(BOOKSHOP)
    records = simulate(
        journey,
        50,
        entry={"shop_sale": 1},
        probabilities={"customer": {"regular": 1}, "regular": {"end": 1}},
    )
    paths = {tuple(r.stages_entered) for r in journey.replay_all(list(records), strict=True)}
    assert paths == {("customer", "regular")}


def test_choosing_a_timeout_target_means_staying_quiet_until_it_fires() -> None:
    journey = _journey(BOOKSHOP)
    records = simulate(
        journey,
        30,
        entry={"site_visit": 1},
        probabilities={"browsing": {"lapsed": 1}, "lapsed": {"end": 1}},
        actions=0,
        noise=0,
    )
    # Nothing happens after the silence: the timeout shows when replaying as of a later time.
    results = list(journey.replay_all(list(records), "2027-06-01T00:00:00Z", strict=True))
    assert {tuple(r.stages_entered) for r in results} == {("browsing", "lapsed")}
    assert {r.path[1].trigger for r in results} == {"timeout"}


#: A member without the gold plan checks in without moving: activity that puts off the idle.
GYM = """\
journey: gym
touchpoints:
  join:    { event: membership.started, channel: web }
  checkin: { event: gym.checkin, channel: store }
stages:
  member:
    entry: [join]
    transitions:
      - { to: premium, when: checkin, if: { customer.plan: gold } }
      - { to: inactive, idle: 14d }
  premium:
    terminal: true
  inactive:
    transitions:
      - { to: member, when: checkin }
anywhere:
  - { to: inactive, idle: 30d }
"""


def test_idle_timeouts_fire_from_the_last_activity_of_quiet_simulated_customers() -> None:
    journey = customer_journey.loads(GYM)
    records = list(simulate(journey, 40, seed=3, actions=0))
    activity = [
        (r["customer_id"], datetime.fromisoformat(r["timestamp"]))
        for r in records
        if r["type"] in ("membership.started", "gym.checkin")
    ]
    fired = []
    for result in journey.replay_all(records, strict=True):
        for visit, after in itertools.pairwise(result.path):
            if after.trigger != "timeout":
                continue
            assert visit.left_at is not None
            active = [
                at
                for who, at in activity
                if who == result.customer and visit.entered_at <= at < visit.left_at
            ]
            since = max([visit.entered_at, *active])
            assert (visit.stage, after.stage, visit.left_at - since) == (
                "member",
                "inactive",
                timedelta(days=14),
            )
            fired.append(since > visit.entered_at)
    # Some went quiet as soon as they joined, others after checking in without moving; the
    # 'anywhere' idle never applies in 'inactive', its own 'to'.
    assert (len(fired), sum(fired)) == (43, 6)


def test_times_within_transitions_get_enough_events_in_their_window() -> None:
    # browsing -> considering: a sample, a wishlist, a price check, or three book pages in 7d.
    journey = _journey(BOOKSHOP)
    records = simulate(
        journey,
        200,
        entry={"site_visit": 1},
        probabilities={"browsing": {"considering": 1}, "considering": {"end": 1}},
    )
    results = list(journey.replay_all(list(records), strict=True))
    assert {tuple(r.stages_entered[:2]) for r in results} == {("browsing", "considering")}
    moved_by = Counter(r.path[1].touchpoint for r in results)
    assert set(moved_by) == {"sample_read", "wishlist_add", "price_check", "book_view"}
    assert moved_by["book_view"] > 50  # half the weight: the second transition to considering


def test_end_with_probability_one_leaves_only_the_entry_event() -> None:
    journey = _journey(BOOKSHOP)
    records = list(
        simulate(journey, 20, entry={"app_open": 1}, probabilities={"browsing": {"end": 1}})
    )
    assert [r["type"] for r in records] == ["push.opened"] * 20


def test_records_use_the_journeys_field_names_and_are_grouped_in_time_order() -> None:
    journey = customer_journey.loads(OPERATORS)
    records = list(simulate(journey, 30, seed=3))
    assert set(records[0]) >= {"user_id", "kind", "ts", "uid", "via", "profile"} - {"profile"}
    customers = [r["user_id"] for r in records]
    assert customers == sorted(customers)  # grouped, in order of customer number
    for customer in set(customers):
        times = [r["ts"] for r in records if r["user_id"] == customer]
        assert times == sorted(times)
        assert len(set(times)) == len(times)
    assert all(r["ts"].endswith("Z") and len(r["ts"]) == 20 for r in records)
    assert len({r["uid"] for r in records}) == len(records)


def test_attributes_satisfy_each_touchpoints_where_and_unsatisfiable_ones_are_skipped() -> None:
    journey = customer_journey.loads(OPERATORS)
    simulation = simulate(journey, 150, seed=2, probabilities={"start": {"start": 1, "end": 0.05}})
    assert simulation.skipped_touchpoints == ("never",)
    counts: Counter[str] = Counter()
    for result in journey.replay_all(list(simulation), strict=True):
        counts.update(result.counts)
    assert set(counts) == set(journey.model.touchpoints) - {"never"}


def test_an_event_meant_for_a_plain_touchpoint_avoids_its_look_alikes() -> None:
    # `visit` has no where; its page is never a pricing or docs page.
    journey = customer_journey.loads(OPERATORS)
    records = list(simulate(journey, 100, probabilities={"start": {"end": 1}}))
    assert all(not r["page"].startswith(("/pricing", "/plans", "/docs/")) for r in records)
    assert all(r["page"].startswith("page-") for r in records)


def test_traits_come_from_the_journeys_conditions_or_from_the_settings() -> None:
    journey = _journey(BOOKSHOP)
    derived = [r["traits"] for r in simulate(journey, 60, seed=4) if "traits" in r]
    assert len(derived) > 40
    assert {k for t in derived for k in t} == {
        "email_opt_out",
        "push_enabled",
        "segment",
        "sms_opt_in",
    }
    assert {t.get("segment") for t in derived} >= {"vip", "local"}
    given = [r.get("traits") for r in simulate(journey, 60, seed=4, traits={"tier": ["gold"]})]
    assert {str(t) for t in given} == {"None", "{'tier': 'gold'}"}


def test_actions_are_recorded_for_eligible_actions_and_noise_matches_no_touchpoint() -> None:
    journey = _journey(BOOKSHOP)
    records = list(simulate(journey, 100, seed=5, actions=0.5, noise=0.5))
    performed = {r["action"] for r in records if r["type"] == "action.performed"}
    known = {a.id for s in journey.model.stages.values() for a in s.actions}
    known |= {a.id for a in journey.model.actions}
    assert performed
    assert performed <= known
    used = {t.event for t in journey.model.touchpoints.values()} | {"action.performed"}
    assert {r["type"] for r in records} - used  # there is noise
    quiet = list(simulate(journey, 100, seed=5, actions=0, noise=0))
    assert {r["type"] for r in quiet} <= used - {"action.performed"}


def test_no_event_falls_after_until_or_before_start() -> None:
    journey = _journey(BOOKSHOP)
    records = list(
        simulate(journey, 50, start="2026-03-01", arrivals="7d", until="2026-06-01T00:00:00Z")
    )
    times = [r["timestamp"] for r in records]
    assert min(times) >= "2026-03-01T00:00:00Z"
    assert max(times) <= "2026-06-01T00:00:00Z"
    assert datetime.fromisoformat(max(times).replace("Z", "+00:00")).tzinfo is not None


REFUSED = [
    (
        {"probabilities": {"considring": {"basket": 1}}},
        "unknown stage 'considring' in probabilities; did you mean 'considering'?",
    ),
    (
        {"probabilities": {"basket": {"membr": 1}}},
        "stage 'basket' has no transition to 'membr' in probabilities; "
        "choose from 'end', 'churned', 'customer', 'considering'",
    ),
    (
        {"probabilities": {"churned": {"end": 1}}},
        "stage 'churned' is terminal: nothing leaves it",
    ),
    (
        {"probabilities": {"basket": {"customer": -1}}},
        "the weights in probabilities of 'basket' must be numbers of 0 or more (got -1)",
    ),
    (
        {"entry": {"club_join": 1}},
        "'club_join' in entry is not an entry touchpoint; the entry touchpoints are "
        "'ad_click', 'social_engagement', 'app_open', 'site_visit', 'newsletter_signup', "
        "'email_click', 'online_order', 'shop_sale', 'phone_order'",
    ),
    ({"entry": {"ad_click": 0}}, "no entry touchpoint has a weight above 0: nobody can enter"),
    (
        {"delays": {"basket": "soon"}},
        "the delay of 'basket' must be a duration such as 7d or 36h (got 'soon')",
    ),
    ({"delays": {"baskt": "1d"}}, "unknown stage 'baskt' in delays; did you mean 'basket'?"),
    ({"noise": 2}, "'noise' must be a number from 0 to 1 (got 2)"),
    ({"max_events": 0}, "'max_events' must be a whole number of 1 or more (got 0)"),
    ({"traits": {"segment": "vip"}}, "trait 'segment' must list the values to pick from"),
]


@pytest.mark.parametrize(("settings", "message"), REFUSED)
def test_settings_that_do_not_fit_the_journey_are_refused_with_the_fix(
    settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(SimulationError) as info:
        simulate(_journey(BOOKSHOP), 1, **settings)
    assert str(info.value) == message


def test_settings_are_read_from_yaml_or_json_text() -> None:
    text = "customers: 5\nprobabilities:\n  browsing: {customer: 1}\ndelays: {browsing: 2d}\n"
    assert read_settings(text) == {
        "customers": 5,
        "probabilities": {"browsing": {"customer": 1}},
        "delays": {"browsing": "2d"},
    }
    assert read_settings('{"seed": 3, "noise": 0}') == {"seed": 3, "noise": 0}
    assert read_settings("") == {}
    with pytest.raises(SimulationError) as info:
        read_settings("customer: 5\n", source="sim.yaml")
    assert str(info.value) == "sim.yaml: unknown setting 'customer'; did you mean 'customers'?"
    with pytest.raises(SimulationError) as info:
        read_settings("- 5\n", source="sim.yaml")
    assert str(info.value) == "sim.yaml: the settings must be a mapping of setting: value"


def test_a_parquet_file_of_a_population_reads_back_as_the_same_events(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    journey = _journey(BOOKSHOP)
    simulation = simulate(journey, 40, seed=6)
    path = tmp_path / "events.parquet"
    assert write_parquet(simulation, path) == len(list(simulation))
    from_parquet = list(journey.read_events(path, strict=True))
    from_records = list(journey.events_from(list(simulation), strict=True))
    assert from_parquet == from_records


def test_writing_parquet_refuses_a_field_with_values_of_different_kinds(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    path = tmp_path / "mixed.parquet"
    with pytest.raises(ParquetWriteError) as info:
        write_parquet([{"rating": 5}, {"rating": "five"}], path)
    assert str(info.value) == (
        f"cannot write '{path}' as Parquet: field 'rating' holds values of different kinds "
        "(say a text in one record and a number in another); write JSON Lines instead"
    )


def test_writing_parquet_without_pyarrow_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(MissingDependencyError) as info:
        write_parquet([{"a": 1}], tmp_path / "x.parquet")
    assert (
        str(info.value) == "writing Parquet needs pyarrow: pip install 'customer-journey[parquet]'"
    )


def test_a_start_given_as_a_datetime_is_the_earliest_arrival() -> None:
    journey = _journey(BOOKSHOP)
    start = datetime(2027, 5, 1, tzinfo=timezone.utc)
    records = list(
        simulate(
            journey,
            10,
            start=start,
            arrivals="1h",
            probabilities={"browsing": {"end": 1}},
            entry={"ad_click": 1},
        )
    )
    assert all("2027-05-01T00:00:00Z" <= r["timestamp"] <= "2027-05-01T01:00:00Z" for r in records)
