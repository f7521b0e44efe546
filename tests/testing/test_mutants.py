"""Mutation testing: each kind of mutant at its place, killed or surviving, equivalent ones."""

from __future__ import annotations

import pickle
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from customer_journey import ArgumentError, Journey, JourneyModel, loads
from customer_journey.testing import (
    MAX_RETARGETS,
    MUTATION_OPERATORS,
    Mutant,
    MutationReport,
    mutants_of,
    run_mutants,
)

SHOP = """\
journey: shop
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.completed, channel: web, where: { total: { gt: 0 } } }
  call: { event: call.ended, channel: phone, where: { minutes: { gte: 5 } } }
stages:
  browsing:
    entry: visit
    expected_duration: 2d
    transitions:
      - to: buying
        when: order
        if: { all: [{ customer.vip: true }, { count.visit: { gte: 2 } }] }
      - { to: buying, when: visit, times: 3, within: 1d }
      - { to: gone, after: 7d }
    actions:
      - id: nudge
        channel: email
        priority: 10
        cooldown: 1d
        if: { not: { customer.vip: true } }
  buying:
    terminal: true
  gone:
    terminal: true
goals:
  bought: { reach: buying, within: 14d }
consent:
  email: { customer.opt_out: { ne: true } }
"""

SIGNUP = """\
journey: signup
touchpoints:
  visit: { event: page.viewed, channel: web }
  signup: { event: account.created, channel: web }
stages:
  visitor:
    entry: visit
    transitions:
      - { to: member, when: signup }
      - { to: gone, after: 30d }
  member: { terminal: true }
  gone: { terminal: true }
"""

#: Two scenarios that pin the way in and the way out, but not when the way out opens.
WEAK = """\
journey: signup.journey.yaml
scenarios:
  - name: signing up makes a member
    events:
      - { type: page.viewed, at: 2026-03-01T09:00:00Z }
      - { type: account.created, at: +1h }
    expect: { stage: member }
  - name: a quiet visitor is gone
    events:
      - { type: page.viewed, at: 2026-03-01T09:00:00Z }
    as_of: 2026-05-01T00:00:00Z
    expect: { stage: gone }
"""

#: The weak suite, and the day before and the moment of the timeout.
STRONG = (
    WEAK
    + """\
  - name: a visitor is still there a day before the 30 days are up
    events:
      - { type: page.viewed, at: 2026-03-01T09:00:00Z }
    as_of: 2026-03-30T09:00:00Z
    expect: { stage: visitor }
  - name: a visitor is gone the moment the 30 days are up
    events:
      - { type: page.viewed, at: 2026-03-01T09:00:00Z }
    as_of: 2026-03-31T09:00:00Z
    expect: { stage: gone }
"""
)

AFTER_29 = "moved 'after' of transition 'visitor -> gone after 30d' from 30d to 29d"
AFTER_31 = "moved 'after' of transition 'visitor -> gone after 30d' from 30d to 31d"


@pytest.fixture(scope="module")
def shop() -> JourneyModel:
    return loads(SHOP, source="shop.journey.yaml").model


def mutant(model: JourneyModel, description: str) -> Mutant:
    (found,) = [m for m in mutants_of(model) if m.description == description]
    return found


def write_suite(folder: Path, scenarios: str, name: str = "signup.scenarios.yaml") -> str:
    """The signup journey and a scenario file for it in `folder`; the file's path."""
    (folder / "signup.journey.yaml").write_text(SIGNUP, encoding="utf-8")
    (folder / name).write_text(scenarios, encoding="utf-8")
    return str(folder / name)


# Each operator: the change, at the place of what it changes.


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        (
            "drop-transition",
            "shop.journey.yaml:15:9: dropped transition 'browsing -> gone after 7d'",
        ),
        (
            "retarget-transition",
            "shop.journey.yaml:15:9: retargeted transition 'browsing -> gone after 7d' to 'buying'",
        ),
        (
            "swap-transitions",
            "shop.journey.yaml:14:9: swapped transitions "
            "'browsing -> buying on visit 3 times within 1d' and 'browsing -> gone after 7d'",
        ),
        (
            "move-number",
            "shop.journey.yaml:14:9: moved 'times' of transition "
            "'browsing -> buying on visit 3 times within 1d' from 3 to 4",
        ),
        (
            "move-number",
            "shop.journey.yaml:13:62: moved {count.visit: {gte: 2}} to {count.visit: {gte: 1}} "
            "in the 'if' of transition 'browsing -> buying on order'",
        ),
        (
            "flip-comparison",
            "shop.journey.yaml:4:68: flipped {total: {gt: 0}} to {total: {lte: 0}} "
            "in the 'where' of touchpoint 'order'",
        ),
        (
            "flip-comparison",
            "shop.journey.yaml:29:32: flipped {customer.opt_out: {ne: true}} to "
            "{customer.opt_out: {eq: true}} in the consent of channel 'email'",
        ),
        (
            "negate-condition",
            "shop.journey.yaml:21:15: negated {not: {customer.vip: true}} to {customer.vip: true} "
            "in the 'if' of action 'nudge'",
        ),
        (
            "drop-condition",
            "shop.journey.yaml:13:62: dropped {count.visit: {gte: 2}} from "
            "{all: [{customer.vip: true}, {count.visit: {gte: 2}}]} "
            "in the 'if' of transition 'browsing -> buying on order'",
        ),
        (
            "drop-condition",
            "shop.journey.yaml:4:68: dropped the 'where' {total: {gt: 0}} of touchpoint 'order'",
        ),
        (
            "drop-if",
            "shop.journey.yaml:21:15: dropped the 'if' {not: {customer.vip: true}} "
            "of action 'nudge'",
        ),
    ],
)
def test_each_operator_says_its_change_at_the_place_it_changes(
    shop: JourneyModel, operator: str, expected: str
) -> None:
    assert expected in [str(m) for m in mutants_of(shop) if m.operator == operator]


def test_every_operator_makes_mutants_of_the_shop_journey(shop: JourneyModel) -> None:
    counts = Counter(m.operator for m in mutants_of(shop))
    assert counts == {
        "drop-transition": 3,
        "retarget-transition": 6,
        "swap-transitions": 2,
        # expected_duration 2, times 2, within 1 (not 0d), after 2, cooldown 1, goal 2,
        # total 2, minutes 2, count.visit 2
        "move-number": 16,
        "flip-comparison": 6,
        "negate-condition": 2,
        "drop-condition": 6,
        "drop-if": 1,
    }
    assert set(counts) == set(MUTATION_OPERATORS)


def test_dropping_a_transition_renumbers_the_ones_after_it(shop: JourneyModel) -> None:
    changed = mutant(shop, "dropped transition 'browsing -> buying on order'").apply(shop)
    transitions = changed.stages["browsing"].transitions
    assert [(t.target, t.index) for t in transitions] == [("buying", 0), ("gone", 1)]
    assert len(shop.stages["browsing"].transitions) == 3  # the journey itself is untouched


def test_a_retargeted_transition_moves_customers_to_the_new_stage(shop: JourneyModel) -> None:
    changed = mutant(shop, "retargeted transition 'browsing -> gone after 7d' to 'buying'").apply(
        shop
    )
    result = Journey(changed).replay(
        [{"customer_id": "c", "type": "page.viewed", "timestamp": "2026-01-01T00:00:00Z"}],
        as_of="2026-01-09T00:00:00Z",
    )
    assert result.stage == "buying"


def test_swapped_transitions_trade_places_and_numbers(shop: JourneyModel) -> None:
    swap = "swapped transitions 'browsing -> buying on visit 3 times within 1d' and "
    changed = mutant(shop, swap + "'browsing -> gone after 7d'").apply(shop)
    transitions = changed.stages["browsing"].transitions
    assert [(t.target, t.index, t.after) for t in transitions[1:]] == [
        ("gone", 1, timedelta(days=7)),
        ("buying", 2, None),
    ]


def test_a_flipped_where_is_compiled_anew(shop: JourneyModel) -> None:
    flipped = "flipped {total: {gt: 0}} to {total: {lte: 0}} in the 'where' of touchpoint 'order'"
    where = mutant(shop, flipped).apply(shop).touchpoints["order"].where
    assert where is not None
    assert (where({"total": 0}), where({"total": 5})) == (True, False)


def test_a_moved_duration_in_a_condition_keeps_its_written_unit() -> None:
    model = loads(SHOP.replace("{ customer.vip: true } }", "{ time_in_stage: { gte: 2w } } }"))
    found = [m.description for m in mutants_of(model.model) if "time_in_stage" in m.description]
    assert found[-2:] == [
        "moved {time_in_stage: {gte: 2w}} to {time_in_stage: {gte: 13d}} "
        "in the 'if' of action 'nudge'",
        "moved {time_in_stage: {gte: 2w}} to {time_in_stage: {gte: 15d}} "
        "in the 'if' of action 'nudge'",
    ]


def test_dropping_a_part_of_all_leaves_the_other_part(shop: JourneyModel) -> None:
    dropped = (
        "dropped {customer.vip: true} from {all: [{customer.vip: true}, "
        "{count.visit: {gte: 2}}]} in the 'if' of transition 'browsing -> buying on order'"
    )
    changed = mutant(shop, dropped).apply(shop)
    assert changed.stages["browsing"].transitions[0].condition_text == "{count.visit: {gte: 2}}"


def test_dropping_an_actions_if_offers_it_unconditionally(shop: JourneyModel) -> None:
    dropped = "dropped the 'if' {not: {customer.vip: true}} of action 'nudge'"
    action = mutant(shop, dropped).apply(shop).stages["browsing"].actions[0]
    assert (action.condition, action.condition_tree) == (None, None)


def test_dropping_a_consent_removes_the_channels_condition(shop: JourneyModel) -> None:
    dropped = "dropped the consent {customer.opt_out: {ne: true}} of channel 'email'"
    changed = mutant(shop, dropped).apply(shop)
    assert (dict(changed.consent), dict(changed.consent_tree)) == ({}, {})


def test_a_flipped_consent_holds_back_the_customers_it_offered_to(shop: JourneyModel) -> None:
    flipped = (
        "flipped {customer.opt_out: {ne: true}} to {customer.opt_out: {eq: true}} "
        "in the consent of channel 'email'"
    )
    visit = {"customer_id": "c", "type": "page.viewed", "timestamp": "2026-01-01T00:00:00Z"}
    before = Journey(shop).replay([visit])
    after = Journey(mutant(shop, flipped).apply(shop)).replay([visit])
    assert (before.next_action, [s.reason for s in after.suppressed]) == ("nudge", ["consent"])


def test_a_mutant_is_a_small_record_that_pickles(shop: JourneyModel) -> None:
    for found in mutants_of(shop):
        assert pickle.loads(pickle.dumps(found)) == found


def test_retargets_are_an_even_spread_of_at_most_eight_stages() -> None:
    stages = "\n".join(f"  s{i}: {{}}" for i in range(2, 11))
    text = (
        "journey: many\ntouchpoints:\n  go: { event: go, channel: web }\nstages:\n"
        f"  s0:\n    entry: go\n  s1:\n    entry: go\n    transitions: [{{ to: s0, when: go }}]\n"
        f"{stages}\n"
    )
    model = loads(text).model
    targets = [m.value for m in mutants_of(model) if m.operator == "retarget-transition"]
    assert MAX_RETARGETS == 8
    assert targets == ["s1", "s2", "s3", "s4", "s6", "s7", "s8", "s9"]


# Equivalent mutants.


EQUIVALENT = """\
journey: quiet
touchpoints:
  visit: { event: page.viewed, channel: web }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  call: { event: call.ended, channel: phone, where: { minutes: { gte: 5 } } }
stages:
  visitor:
    entry: visit
    transitions:
      - { to: member, when: pricing }
      - { to: member, when: visit, times: 1, within: 1d }
  member:
    terminal: true
    actions: [{ id: thanks, channel: web, priority: 1, cooldown: 1d }]
  ghost:
    transitions: [{ to: member, when: visit }]
consent:
  sms: { customer.opt_out: { ne: true } }
"""


def test_mutants_that_change_nothing_observable_say_why() -> None:
    reasons = {
        str(m).removeprefix("<string>:"): m.equivalent
        for m in mutants_of(loads(EQUIVALENT).model)
        if m.equivalent is not None
    }
    assert reasons == {
        "5:66: dropped the 'where' {minutes: {gte: 5}} of touchpoint 'call'": (
            "touchpoint 'call' triggers nothing and no condition counts it"
        ),
        "5:66: flipped {minutes: {gte: 5}} to {minutes: {lt: 5}} in the 'where' of touchpoint "
        "'call'": "touchpoint 'call' triggers nothing and no condition counts it",
        "5:66: moved {minutes: {gte: 5}} to {minutes: {gte: 4}} in the 'where' of touchpoint "
        "'call'": "touchpoint 'call' triggers nothing and no condition counts it",
        "5:66: moved {minutes: {gte: 5}} to {minutes: {gte: 6}} in the 'where' of touchpoint "
        "'call'": "touchpoint 'call' triggers nothing and no condition counts it",
        "11:9: moved 'within' of transition 'visitor -> member on visit 1 times within 1d' "
        "from 1d to 2d": "with 'times: 1' the window always holds",
        "10:9: swapped transitions 'visitor -> member on pricing' and "
        "'visitor -> member on visit 1 times within 1d'": "both go to 'member'",
        "14:15: moved 'cooldown' of action 'thanks' from 1d to 2d": "stage 'member' is terminal",
        "16:19: dropped transition 'ghost -> member on visit'": (
            "no customer can enter stage 'ghost'"
        ),
        "16:19: retargeted transition 'ghost -> member on visit' to 'visitor'": (
            "no customer can enter stage 'ghost'"
        ),
        "16:19: retargeted transition 'ghost -> member on visit' to 'ghost'": (
            "no customer can enter stage 'ghost'"
        ),
        "18:30: dropped the consent {customer.opt_out: {ne: true}} of channel 'sms'": (
            "no action a customer can be offered is on channel 'sms'"
        ),
        "18:30: flipped {customer.opt_out: {ne: true}} to {customer.opt_out: {eq: true}} "
        "in the consent of channel 'sms'": (
            "no action a customer can be offered is on channel 'sms'"
        ),
    }


def test_swapping_transitions_one_event_can_trigger_is_not_equivalent() -> None:
    text = EQUIVALENT.replace("{ to: member, when: visit, times", "{ to: ghost, when: visit, times")
    swaps = [m for m in mutants_of(loads(text).model) if m.operator == "swap-transitions"]
    assert [m.equivalent for m in swaps] == [None]


def test_equivalent_mutants_are_left_out_of_the_score(tmp_path: Path) -> None:
    report = run_mutants(write_suite(tmp_path, WEAK), workers=1)
    assert [m.description for m in report.equivalent] == [
        "swapped transitions 'visitor -> member on signup' and 'visitor -> gone after 30d'"
    ]
    assert report.lines()[-2:] == ["1 equivalent mutant left out", "6 of 8 mutants killed (75.0%)"]


# Running suites against mutants.


def test_a_weak_suite_lets_the_timeout_moved_by_a_day_survive(tmp_path: Path) -> None:
    report = run_mutants(write_suite(tmp_path, WEAK), workers=1)
    journey = tmp_path / "signup.journey.yaml"
    assert report.lines() == [
        f"{journey}:10:9: mutant survived: {AFTER_29}",
        f"{journey}:10:9: mutant survived: {AFTER_31}",
        "1 equivalent mutant left out",
        "6 of 8 mutants killed (75.0%)",
    ]
    assert (report.killed, round(report.score, 1)) == (6, 75.0)


def test_scenarios_at_the_timeouts_edges_kill_those_mutants(tmp_path: Path) -> None:
    report = run_mutants(write_suite(tmp_path, STRONG), workers=1)
    assert report.survivors == ()
    assert report.describe() == "1 equivalent mutant left out\n8 of 8 mutants killed (100.0%)"


def test_worker_processes_give_the_same_report_as_one_process(tmp_path: Path) -> None:
    path = write_suite(tmp_path, WEAK)
    assert run_mutants([path], workers=2) == run_mutants([path], workers=1)


def test_files_testing_one_journey_are_one_suite(tmp_path: Path) -> None:
    weak = write_suite(tmp_path, WEAK)
    edges = STRONG.replace(WEAK, "journey: signup.journey.yaml\nscenarios:\n")
    (tmp_path / "edges.scenarios.yaml").write_text(edges, encoding="utf-8")
    report = run_mutants([weak, tmp_path / "edges.scenarios.yaml"], workers=1)
    assert (len(report.tested), report.survivors) == (8, ())


def test_the_report_as_data_lists_survivors_in_file_order(tmp_path: Path) -> None:
    data = run_mutants(write_suite(tmp_path, WEAK), workers=1).to_dict()
    journey = tmp_path / "signup.journey.yaml"
    assert data == {
        "tested": 8,
        "killed": 6,
        "score": 75.0,
        "survivors": [
            {
                "operator": "move-number",
                "description": description,
                "location": f"{journey}:10:9",
                "equivalent": None,
            }
            for description in (AFTER_29, AFTER_31)
        ],
        "equivalent": [
            {
                "operator": "swap-transitions",
                "description": "swapped transitions 'visitor -> member on signup' and "
                "'visitor -> gone after 30d'",
                "location": f"{journey}:9:9",
                "equivalent": "no event or moment triggers both",
            }
        ],
    }


def test_a_report_with_nothing_to_test_scores_100() -> None:
    report = MutationReport(tested=(), survivors=(), equivalent=())
    assert report.lines() == ["0 of 0 mutants killed (100.0%)"]


def test_a_suite_that_fails_on_the_journey_itself_is_refused(tmp_path: Path) -> None:
    path = write_suite(
        tmp_path, WEAK.replace("expect: { stage: member }", "expect: { stage: gone }")
    )
    with pytest.raises(ArgumentError) as raised:
        run_mutants(path, workers=1)
    assert str(raised.value) == (
        "'paths' must be scenario files whose scenarios pass before any mutant is made "
        "(got 1 failing, such as 'signing up makes a member')"
    )


@pytest.mark.parametrize(
    ("paths", "workers", "message"),
    [
        ([], None, "'paths' must be scenario file paths (got none)"),
        (3, None, "'paths' must be scenario file paths (got 3)"),
        ([3], None, "'paths' must be the path of a scenario file (got 3)"),
        (["x.scenarios.yaml"], 0, "'workers' must be a whole number of 1 or more (got 0)"),
    ],
)
def test_bad_arguments_are_refused(paths: object, workers: object, message: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        run_mutants(paths, workers=workers)  # type: ignore[arg-type]
    assert str(raised.value) == message


IDLE = """\
journey: idle
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  member:
    entry: visit
    transitions:
      - { to: quiet, idle: 7d }
      - { to: expired, after: 7d }
      - { to: expired, after: 3d }
      - { to: quiet, idle: 2d }
  quiet:
    transitions: [{ to: member, when: visit }]
  expired: { terminal: true }
anywhere:
  - { to: quiet, after: 30d }
"""


def test_idle_durations_move_a_day_up_and_down_like_after() -> None:
    model = loads(IDLE).model
    moved = [str(m) for m in mutants_of(model) if m.attribute == "idle"]
    assert moved == [
        "<string>:8:9: moved 'idle' of transition 'member -> quiet idle 7d' from 7d to 6d",
        "<string>:8:9: moved 'idle' of transition 'member -> quiet idle 7d' from 7d to 8d",
        "<string>:11:9: moved 'idle' of transition 'member -> quiet idle 2d' from 2d to 1d",
        "<string>:11:9: moved 'idle' of transition 'member -> quiet idle 2d' from 2d to 3d",
    ]
    changed = mutant(model, moved[0].removeprefix("<string>:8:9: ")).apply(model)
    assert changed.stages["member"].transitions[0].idle == timedelta(days=6)


def test_swapping_an_idle_with_an_after_it_can_meet_is_not_equivalent() -> None:
    # An idle meets any after at least as long (activity can put it off until then); an
    # after shorter than the idle never ties with it.
    swaps = {
        str(m).removeprefix("<string>:"): m.equivalent
        for m in mutants_of(loads(IDLE).model)
        if m.operator == "swap-transitions"
    }
    assert swaps == {
        "8:9: swapped transitions 'member -> quiet idle 7d' and 'member -> expired after 7d'": (
            None
        ),
        "9:9: swapped transitions 'member -> expired after 7d' and "
        "'member -> expired after 3d'": "both go to 'expired'",
        "10:9: swapped transitions 'member -> expired after 3d' and "
        "'member -> quiet idle 2d'": None,
    }
