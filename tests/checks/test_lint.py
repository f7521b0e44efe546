"""Each lint rule on a journey made to break it, at its exact line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer_journey import load, loads
from customer_journey.checks import RULES, lint
from customer_journey.errors import Severity

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "dsl"


def findings(text: str) -> list[str]:
    """Every lint finding of the journey `text`, as `j.yaml:line:column: message [code]`."""
    return [str(problem) for problem in lint(loads(text, source="j.yaml").model)]


# unreachable-stage --------------------------------------------------------------------------


def test_a_stage_without_entry_that_no_transition_leads_to_is_unreachable() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  browsing:
    entry: visit
    terminal: true
  forgotten:
    transitions:
      - { to: browsing, when: visit }
"""
    ) == [
        "j.yaml:8:3: no customer can reach stage 'forgotten': it has no 'entry' and no "
        "transition leads to it; add 'entry' to it or a transition 'to: forgotten' from a "
        "stage customers reach, or remove it [unreachable-stage]"
    ]


def test_a_stage_that_only_unreachable_stages_lead_to_is_unreachable() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.placed, channel: web }
stages:
  browsing:
    entry: visit
    terminal: true
  orphan:
    transitions:
      - { to: follower, when: order }
  follower:
    terminal: true
"""
    ) == [
        "j.yaml:9:3: no customer can reach stage 'orphan': it has no 'entry' and no transition "
        "leads to it; add 'entry' to it or a transition 'to: orphan' from a stage customers "
        "reach, or remove it [unreachable-stage]",
        "j.yaml:12:3: no customer can reach stage 'follower': only stages no customer reaches "
        "lead to it ('orphan'); add 'entry' to it or a transition 'to: follower' from a stage "
        "customers reach, or remove it [unreachable-stage]",
    ]


def test_a_stage_that_only_a_shadowed_transition_leads_to_is_unreachable() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.placed, channel: web }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: buyer, when: order }
      - { to: vip, when: order }
  buyer:
    terminal: true
  vip:
    terminal: true
"""
    ) == [
        "j.yaml:10:9: the transition to 'vip' of stage 'browsing' can never fire: the "
        "transition to 'buyer' at line 9 is tried first and matches every event it would; move "
        "it above that transition, or narrow that one with 'if' or 'times' "
        "[shadowed-transition]",
        "j.yaml:13:3: no customer can reach stage 'vip': the transitions that lead to it can "
        "never fire; add 'entry' to it or a transition 'to: vip' from a stage customers reach, "
        "or remove it [unreachable-stage]",
    ]


def test_a_stage_whose_only_transition_leads_back_to_it_is_a_dead_end() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.placed, channel: web }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: buyer, when: order }
  buyer:
    transitions:
      - { to: buyer, when: order }
"""
    ) == [
        "j.yaml:10:3: customers who reach stage 'buyer' stay there for good: no transition "
        "leads out of it, and it is not terminal; add a transition (or a timeout, 'after') to "
        "another stage, or mark it 'terminal: true' if the journey ends there [dead-end]",
    ]


def test_a_transition_on_touchpoints_an_earlier_one_always_matches_is_shadowed() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  pricing:
    event: page.viewed
    channel: web
    where: { page: /pricing }
  order: { event: order.placed, channel: web }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: buyer, when: [visit, order] }
      - { to: considering, when: pricing, times: 2, within: 7d }
      - { to: considering, when: order, if: { count.visit: { gte: 3 } } }
  considering:
    terminal: true
  buyer:
    terminal: true
"""
    ) == [
        "j.yaml:14:9: the transition to 'considering' of stage 'browsing' can never fire: the "
        "transition to 'buyer' at line 13 is tried first and matches every event it would; "
        "move it above that transition, or narrow that one with 'if' or 'times' "
        "[shadowed-transition]",
        "j.yaml:15:9: the transition to 'considering' of stage 'browsing' can never fire: the "
        "transition to 'buyer' at line 13 is tried first and matches every event it would; "
        "move it above that transition, or narrow that one with 'if' or 'times' "
        "[shadowed-transition]",
        "j.yaml:16:3: no customer can reach stage 'considering': the transitions that lead to "
        "it can never fire; add 'entry' to it or a transition 'to: considering' from a stage "
        "customers reach, or remove it [unreachable-stage]",
    ]


def test_anywhere_transitions_and_earlier_timeouts_shadow_later_ones() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  close: { event: account.closed, channel: web }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: churned, when: close }
      - { to: lapsed, after: 30d }
      - { to: lapsed, after: 40d }
  lapsed:
    transitions:
      - { to: browsing, when: visit }
  churned:
    terminal: true
anywhere:
  - { to: churned, when: close }
  - { to: lapsed, when: close }
"""
    ) == [
        "j.yaml:9:9: the transition to 'churned' of stage 'browsing' can never fire: the "
        "'anywhere' transition to 'churned' at line 18 is tried first and matches every event "
        "it would; move it above that transition, or narrow that one with 'if' or 'times' "
        "[shadowed-transition]",
        "j.yaml:11:9: the timeout to 'lapsed' of stage 'browsing' can never fire: the timeout "
        "to 'lapsed' at line 10 comes due first (after 30d); remove one of the two timeouts: a "
        "stage leaves on the first one due [shadowed-transition]",
        "j.yaml:19:5: the transition to 'lapsed' in 'anywhere' can never fire: the transition "
        "to 'churned' at line 18 is tried first and matches every event it would; move it "
        "above that transition, or narrow that one with 'if' or 'times' [shadowed-transition]",
    ]


def test_a_goal_whose_stage_no_customer_reaches_can_never_be_reached() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  browsing:
    entry: visit
    terminal: true
  buyer:
    terminal: true
goals:
  purchase: { reach: buyer }
"""
    ) == [
        "j.yaml:8:3: no customer can reach stage 'buyer': it has no 'entry' and no transition "
        "leads to it; add 'entry' to it or a transition 'to: buyer' from a stage customers "
        "reach, or remove it [unreachable-stage]",
        "j.yaml:11:3: goal 'purchase' can never be reached: no customer can reach stage "
        "'buyer'; make stage 'buyer' reachable, or have the goal reach another stage "
        "[unreachable-goal]",
    ]


def test_actions_in_terminal_stages_or_needing_an_impossible_stall_are_never_offered() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  close: { event: account.closed, channel: web }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: churned, when: close }
    actions:
      - { id: call_back, channel: phone, if: { stalled: true } }
  churned:
    terminal: true
    actions:
      - { id: goodbye, channel: email }
actions:
  - { id: nowhere, channel: email, stages: [] }
  - { id: late, channel: email, stages: [churned] }
"""
    ) == [
        "j.yaml:11:9: action 'call_back' can never be offered: its 'if' needs a stalled "
        "customer, and stage 'browsing' has no 'expected_duration'; give the stage an "
        "'expected_duration' shorter than its timeouts, or change the 'if' "
        "[action-never-eligible]",
        "j.yaml:15:9: action 'goodbye' can never be offered: stage 'churned' is terminal, and "
        "customers in a terminal stage get no actions; offer it in a stage that customers can "
        "leave, or remove it [action-never-eligible]",
        "j.yaml:17:5: action 'nowhere' can never be offered: its 'stages' list is empty; list "
        "the stages where it applies, or remove it [action-never-eligible]",
        "j.yaml:18:5: action 'late' can never be offered: stage 'churned' is terminal, and "
        "customers in a terminal stage get no actions; offer it in a stage that customers can "
        "leave, or remove it [action-never-eligible]",
    ]


def test_a_touchpoint_no_entry_transition_friction_rule_or_condition_names_is_unused() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  help: { event: ticket.opened, channel: support }
  order: { event: order.placed, channel: web }
  counted: { event: review.posted, channel: social }
  consented: { event: sms.clicked, channel: sms }
stages:
  browsing:
    entry: visit
    terminal: true
    friction:
      - { label: ordered, when: order, if: { stage_count.counted: { gte: 1 } } }
consent:
  sms: { count.consented: { gte: 1 } }
"""
    ) == [
        "j.yaml:4:3: touchpoint 'help' is never used: no entry, transition, friction rule or "
        "condition names it; use it in 'entry', a transition's 'when', a friction rule or a "
        "'count.' condition, or remove it [unused-touchpoint]",
    ]


def test_an_if_that_holds_only_when_stalled_is_found_however_it_is_written() -> None:
    journey = """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  close: { event: account.closed, channel: web }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: closed, when: close }
    actions:
      - { id: bare, channel: phone, if: { stalled: true, customer.vip: true } }
      - id: listed
        channel: phone
        if: { all: [{ customer.vip: true }, { stalled: { in: [true] } }] }
      - { id: either, channel: phone, if: { any: [{ stalled: true }, { customer.vip: 1 }] } }
      - { id: negated, channel: phone, if: { not: { stalled: false } } }
  closed: { terminal: true }
"""
    why = (
        "can never be offered: its 'if' needs a stalled customer, and stage 'browsing' has no "
        "'expected_duration'; give the stage an 'expected_duration' shorter than its "
        "timeouts, or change the 'if' [action-never-eligible]"
    )
    # 'stalled' is always true or false, so not false is true; 'either' may hold for a VIP.
    assert findings(journey) == [
        f"j.yaml:11:9: action 'bare' {why}",
        f"j.yaml:12:9: action 'listed' {why}",
        f"j.yaml:16:9: action 'negated' {why}",
    ]


def test_counts_anywhere_in_a_condition_use_their_touchpoint_and_only_it() -> None:
    journey = """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  help: { event: ticket.opened, channel: support }
  help_desk: { event: ticket.closed, channel: support }
  'odd name': { event: odd.happened, channel: web }
stages:
  browsing:
    entry: visit
    terminal: true
    friction:
      - label: stuck
        when: visit
        if: { any: [{ customer.vip: true }, { not: { count.help_desk: { gte: 1 } } }] }
consent:
  phone: { 'stage_count.odd name': { eq: 0 } }
"""
    assert findings(journey) == [
        "j.yaml:4:3: touchpoint 'help' is never used: no entry, transition, friction rule or "
        "condition names it; use it in 'entry', a transition's 'when', a friction rule or a "
        "'count.' condition, or remove it [unused-touchpoint]",
    ]


def test_a_timeout_due_no_later_than_the_expected_duration_leaves_no_time_to_stall() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  browsing:
    entry: visit
    expected_duration: 14d
    transitions:
      - { to: lapsed, after: 14d }
  lapsed:
    expected_duration: 7d
    transitions:
      - { to: browsing, when: visit }
      - { to: lapsed, after: 3d }
"""
    ) == [
        "j.yaml:9:9: stage 'browsing' times out after 14d, which is not longer than its "
        "expected duration (14d): no customer can ever be stalled there; make the timeout "
        "longer than 'expected_duration', or shorten 'expected_duration' "
        "[timeout-before-expected-duration]",
        "j.yaml:14:9: stage 'lapsed' times out after 3d, which is not longer than its expected "
        "duration (7d): no customer can ever be stalled there; make the timeout longer than "
        "'expected_duration', or shorten 'expected_duration' [timeout-before-expected-duration]",
    ]


def test_transitions_with_if_times_or_narrower_touchpoints_shadow_nothing() -> None:
    assert (
        findings(
            """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  pricing:
    event: page.viewed
    channel: web
    where: { page: /pricing }
  order: { event: order.placed, channel: web }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: buyer, when: order, if: { count.visit: { gte: 3 } } }
      - { to: considering, when: pricing, times: 2, within: 7d }
      - { to: considering, when: visit }
      - { to: buyer, when: order }
  considering:
    terminal: true
  buyer:
    terminal: true
"""
        )
        == []
    )


def test_an_anywhere_transition_is_a_way_out_of_every_stage() -> None:
    assert (
        findings(
            """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.placed, channel: web }
  close: { event: account.closed, channel: web }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: buyer, when: order }
  buyer:
  churned:
    terminal: true
anywhere:
  - { to: churned, when: close }
"""
        )
        == []
    )


def test_a_stage_whose_entry_an_earlier_stage_always_takes_is_unreachable() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  pricing:
    event: page.viewed
    channel: web
    where: { page: /pricing }
stages:
  browsing:
    entry: visit
    terminal: true
  considering:
    entry: pricing
    terminal: true
"""
    ) == [
        "j.yaml:12:3: no customer can reach stage 'considering': its 'entry' touchpoints "
        "place customers in stage 'browsing' first; give it an entry touchpoint that no "
        "earlier stage's entry matches [unreachable-stage]"
    ]


def test_each_finding_has_the_severity_of_its_rule() -> None:
    problems = lint(
        loads(
            """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  help: { event: ticket.opened, channel: support }
stages:
  browsing: { entry: visit }
  forgotten: { terminal: true }
""",
            source="j.yaml",
        ).model
    )
    assert [(p.code, p.severity) for p in problems] == [
        ("unused-touchpoint", Severity.WARNING),
        ("dead-end", Severity.WARNING),
        ("unreachable-stage", Severity.ERROR),
    ]
    assert all(RULES[p.code] is p.severity for p in problems)


# The shipped journeys ------------------------------------------------------------------------


def test_the_reference_journey_has_one_unused_touchpoint_and_nothing_else() -> None:
    path = SHARED / "retail.journey.yaml"
    if not path.is_file():
        pytest.skip(f"the reference journey is not available ({path} is missing)")
    # 'support_call' (any call.ended) is declared but nothing names it; 'complaint' is used.
    assert [str(p) for p in lint(load(path).model)] == [
        f"{path}:40:3: touchpoint 'support_call' is never used: no entry, transition, friction "
        "rule or condition names it; use it in 'entry', a transition's 'when', a friction rule "
        "or a 'count.' condition, or remove it [unused-touchpoint]"
    ]


def test_the_bookshop_example_is_clean() -> None:
    path = ROOT / "examples" / "bookshop.journey.yaml"
    assert lint(load(path).model) == ()
