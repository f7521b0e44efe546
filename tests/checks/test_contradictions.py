"""Lint that proves: conditions that never or always hold, and what they rule out, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer_journey import JourneyError, load, loads
from customer_journey.checks import lint

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "dsl"


def findings(text: str) -> list[str]:
    """Every lint finding of the journey `text`, as `j.yaml:line:column: message [code]`."""
    return [str(problem) for problem in lint(loads(text, source="j.yaml").model)]


def clean_journey(browsing: str, after: str = "") -> str:
    """A journey with no finding whose stage 'browsing' has more keys (`browsing`), and
    more after its stages (`after`)."""
    return f"""\
journey: j
touchpoints:
  visit: {{ event: page.viewed, channel: web }}
  order: {{ event: order.placed, channel: web }}
stages:
  browsing:
    entry: visit
    transitions:
      - {{ to: buyer, when: order }}
{browsing}  buyer:
    terminal: true
{after}"""


def with_friction_if(condition: str) -> str:
    """A clean journey whose one friction rule has the `if` written as `condition`."""
    return clean_journey(
        f"    friction:\n      - label: odd\n        when: visit\n        if: {condition}\n"
    )


FRICTION_IF = "the 'if' of friction rule 'odd' of stage 'browsing'"
NEVER = "change or remove one of them [condition-never-holds]"
ALWAYS = "remove it, or write the test that was meant [condition-always-holds]"


# condition-never-holds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "column", "why"),
    [
        (
            "{ count.visit: { gte: 5, lt: 2 } }",
            15,
            "{count.visit: {gte: 5}} and {count.visit: {lt: 2}} never hold together",
        ),
        (
            "{ all: [{ count.visit: { in: [1, 2] } }, { count.visit: { in: [3] } }] }",
            15,
            "{count.visit: {in: [1, 2]}} and {count.visit: {in: [3]}} never hold together "
            "('count.visit' is a whole number, 0 or more)",
        ),
        (
            "{ customer.tier: { eq: gold, ne: gold } }",
            15,
            "{customer.tier: {eq: gold}} and {customer.tier: {ne: gold}} never hold together",
        ),
        (
            "{ customer.tier: { in: [gold, silver] }, customer.vip: true, all: "
            "[{ customer.tier: bronze }] }",
            13,
            "{customer.tier: {in: [gold, silver]}} and {customer.tier: bronze} never hold together",
        ),
        (
            "{ customer.age: { exists: false, gt: 1 } }",
            15,
            "{customer.age: {exists: false}} and {customer.age: {gt: 1}} never hold together",
        ),
        (
            "{ customer.vip: { eq: 1 }, all: [{ customer.vip: true }] }",
            13,
            "{customer.vip: {eq: 1}} and {customer.vip: true} never hold together",
        ),
    ],
    ids=["interval", "in-sets", "eq-ne", "in-eq", "exists-false", "kinds"],
)
def test_tests_on_one_value_that_exclude_each_other_never_hold(
    condition: str, column: int, why: str
) -> None:
    assert findings(with_friction_if(condition)) == [
        f"j.yaml:13:{column}: {FRICTION_IF} can never hold: {why}; {NEVER}"
    ]


def test_a_count_between_two_whole_numbers_never_holds_and_says_counts_are_whole() -> None:
    assert findings(with_friction_if("{ count.visit: { gt: 1, lt: 2 } }")) == [
        f"j.yaml:13:15: {FRICTION_IF} can never hold: {{count.visit: {{gt: 1}}}} and "
        "{count.visit: {lt: 2}} never hold together ('count.visit' is a whole number, 0 or "
        f"more); {NEVER}"
    ]


def test_a_test_nothing_passes_is_reported_alone_with_its_own_fix() -> None:
    assert findings(with_friction_if("{ time_in_stage: { lt: 0s } }")) == [
        f"j.yaml:13:32: {FRICTION_IF} can never hold: {{time_in_stage: {{lt: 0s}}}} never "
        "holds ('time_in_stage' is a duration of 0 or more); change it, or remove it "
        "[condition-never-holds]"
    ]


def test_a_dead_part_of_an_any_is_reported_at_that_part() -> None:
    condition = "{ any: [{ customer.vip: true }, { count.visit: { gte: 10, lte: 5 } }] }"
    assert findings(with_friction_if(condition)) == [
        f"j.yaml:13:47: this part of {FRICTION_IF} can never hold: {{count.visit: {{gte: 10}}}} "
        f"and {{count.visit: {{lte: 5}}}} never hold together; {NEVER}"
    ]


def test_not_of_what_always_holds_never_holds() -> None:
    condition = "{ not: { any: [{ customer.vip: { exists: true } }, { customer.vip: { exists: false } }] } }"  # noqa: E501
    assert findings(with_friction_if(condition)) == [
        f"j.yaml:13:15: {FRICTION_IF} can never hold: {{not: {{any: [{{customer.vip: "
        "{exists: true}}, {customer.vip: {exists: false}}]}} never holds; change it, or "
        "remove it [condition-never-holds]"
    ]


@pytest.mark.parametrize(
    "condition",
    [
        # Missing values pass `ne`, `not_in` and `exists: false`.
        "{ customer.tier: { ne: gold }, all: [{ customer.tier: { ne: silver } }] }",
        "{ customer.age: { exists: false, ne: 1 } }",
        "{ customer.tier: { not_in: [gold], ne: silver } }",
        # A trait may be a list: [a, b] is in both sets.
        "{ all: [{ customer.tags: { in: [a] } }, { customer.tags: { in: [b] } }] }",
        # Traits are not whole numbers: 1.5 is between 1 and 2.
        "{ customer.score: { gt: 1, lt: 2 } }",
        # A pattern is judged free: two of them may both match.
        "{ all: [{ customer.tier: { matches: ^g } }, { customer.tier: { matches: d$ } }] }",
        "{ count.visit: { gte: 2, lte: 2 } }",
        "{ any: [{ count.visit: { lt: 1 } }, { customer.vip: true }] }",
    ],
    ids=["ne-ne", "absent-ne", "not-in-ne", "list-in-sets", "fraction", "patterns", "point", "any"],
)
def test_tests_some_value_passes_together_are_not_reported(condition: str) -> None:
    assert findings(with_friction_if(condition)) == []


def test_a_where_that_never_holds_silences_its_touchpoint_and_what_it_triggers() -> None:
    assert findings(
        """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  big: { event: order.placed, channel: web, where: { total: { gt: 100, lt: 50 } } }
  promo: { event: promo.clicked, channel: web, where: { code: { in: [] } } }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: buyer, when: big }
  buyer:
    terminal: true
  promoted:
    entry: promo
    terminal: true
goals:
  bought: { reach: buyer }
"""
    ) == [
        "j.yaml:4:54: the 'where' of touchpoint 'big' can never hold: {total: {gt: 100}} and "
        f"{{total: {{lt: 50}}}} never hold together; {NEVER}",
        "j.yaml:5:65: the 'where' of touchpoint 'promo' can never hold: {code: {in: []}} never "
        "holds; change it, or remove it [condition-never-holds]",
        "j.yaml:7:3: customers who reach stage 'browsing' stay there for good: no transition "
        "leads out of it, and it is not terminal; add a transition (or a timeout, 'after') to "
        "another stage, or mark it 'terminal: true' if the journey ends there [dead-end]",
        "j.yaml:10:9: the transition to 'buyer' of stage 'browsing' can never fire: touchpoint "
        "'big' never matches, as its 'where' can never hold; change its 'if' or its trigger "
        "('when', 'times'), or remove it [impossible-transition]",
        "j.yaml:11:3: no customer can reach stage 'buyer': the transitions that lead to it can "
        "never fire; add 'entry' to it or a transition 'to: buyer' from a stage customers "
        "reach, or remove it [unreachable-stage]",
        "j.yaml:13:3: no customer can reach stage 'promoted': its 'entry' touchpoints never "
        "match, as their 'where' can never hold; add 'entry' to it or a transition 'to: "
        "promoted' from a stage customers reach, or remove it [unreachable-stage]",
        "j.yaml:17:3: goal 'bought' can never be reached: no customer can reach stage 'buyer'; "
        "make stage 'buyer' reachable, or have the goal reach another stage [unreachable-goal]",
    ]


# condition-always-holds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "column", "why"),
    [
        (
            "{ any: [{ customer.tier: { ne: gold } }, { customer.tier: { ne: silver } }] }",
            15,
            "one of {customer.tier: {ne: gold}} and {customer.tier: {ne: silver}} holds "
            "whatever the values, missing ones included",
        ),
        (
            "{ not: { customer.age: { gt: 5, lt: 2 } } }",
            15,
            "{not: {customer.age: {gt: 5, lt: 2}}} holds whatever the values, missing ones "
            "included",
        ),
        (
            "{ any: [{ customer.age: { exists: true } }, { customer.age: { exists: false } }] }",
            15,
            "one of {customer.age: {exists: true}} and {customer.age: {exists: false}} holds "
            "whatever the values, missing ones included",
        ),
        (
            "{ customer.vip: true, all: [{ count.order: { gte: 0 } }] }",
            35,
            "{all: [{count.order: {gte: 0}}]} holds whatever the values, as 'count.order' is a "
            "whole number, 0 or more",
        ),
    ],
    ids=["ne-or-ne", "not-never", "exists-or-not", "count-from-0"],
)
def test_what_holds_for_every_value_and_a_missing_one_always_holds(
    condition: str, column: int, why: str
) -> None:
    what = FRICTION_IF if column == 15 else f"this part of {FRICTION_IF}"
    assert findings(with_friction_if(condition)) == [
        f"j.yaml:13:{column}: {what} always holds: {why}; {ALWAYS}"
    ]


@pytest.mark.parametrize(
    "condition",
    [
        # A missing age passes neither: not a tautology.
        "{ any: [{ customer.age: { lt: 5 } }, { customer.age: { gte: 5 } }] }",
        "{ any: [{ customer.tier: { in: [gold] } }, { customer.tier: { not_in: [silver] } }] }",
        "{ any: [{ stalled: true }, { customer.vip: true }] }",
        "{ count.visit: { gte: 1 } }",
    ],
    ids=["missing-fails-both", "not-in-other", "stalled-or", "count-from-1"],
)
def test_what_some_value_fails_is_not_reported_as_always_holding(condition: str) -> None:
    assert findings(with_friction_if(condition)) == []


def test_any_of_both_truths_of_stalled_always_holds() -> None:
    assert findings(with_friction_if("{ any: [{ stalled: true }, { stalled: false }] }")) == [
        f"j.yaml:13:15: {FRICTION_IF} always holds: one of {{stalled: true}} and "
        "{stalled: false} holds whatever the values, as 'stalled' is true or false; "
        f"{ALWAYS}"
    ]


# impossible-transition ------------------------------------------------------------------------


def with_transition(transition: str, *, expected: str = "") -> str:
    """A journey whose stage 'browsing' tries `transition` first, then moves on on orders."""
    return f"""\
journey: j
touchpoints:
  visit: {{ event: page.viewed, channel: web }}
  pricing: {{ event: page.viewed, channel: web, where: {{ page: {{ in: [/pricing, /plans] }} }} }}
  order: {{ event: order.placed, channel: web }}
stages:
  browsing:
    entry: visit{expected}
    transitions:
      - {transition}
      - {{ to: buyer, when: order }}
  keen:
    transitions:
      - {{ to: buyer, when: [order, pricing] }}
  buyer:
    terminal: true
"""


CANNOT_FIRE = "j.yaml:10:9: the transition to 'keen' of stage 'browsing' can never fire"
FIX = "change its 'if' or its trigger ('when', 'times'), or remove it [impossible-transition]"
KEEN = (
    "j.yaml:12:3: no customer can reach stage 'keen': the transitions that lead to it can never "
    "fire; add 'entry' to it or a transition 'to: keen' from a stage customers reach, or "
    "remove it [unreachable-stage]"
)


@pytest.mark.parametrize(
    ("transition", "why"),
    [
        (
            "{ to: keen, when: visit, if: { count.visit: { eq: 0 } } }",
            "on 'visit', 'count.visit' is at least 1",
        ),
        (
            "{ to: keen, when: pricing, if: { event.page: /home } }",
            "on 'pricing', the event meets {page: {in: [/pricing, /plans]}}",
        ),
        (
            "{ to: keen, when: visit, times: 3, within: 7d, if: { stage_count.visit: { lt: 3 } } }",
            "on 'visit', 'stage_count.visit' is at least 3",
        ),
        (
            "{ to: keen, when: visit, if: { visited.browsing: 0 } }",
            "on 'visit', 'visited.browsing' is at least 1",
        ),
        (
            "{ to: keen, when: visit, if: { stalled: true } }",
            "on 'visit', 'stalled' is false (stage 'browsing' has no 'expected_duration')",
        ),
        (
            "{ to: keen, when: [visit, pricing], if: { stage_count.visit: 0, event.page: /x } }",
            "on 'visit', 'stage_count.visit' is at least 1; on 'pricing', the event meets "
            "{page: {in: [/pricing, /plans]}}",
        ),
    ],
    ids=["count", "where", "times", "visited", "stalled", "each-touchpoint"],
)
def test_an_if_that_rules_out_every_event_that_triggers_it_never_fires(
    transition: str, why: str
) -> None:
    assert findings(with_transition(transition)) == [
        f"{CANNOT_FIRE}: its 'if' rules out every event that triggers it ({why}); {FIX}",
        KEEN,
    ]


def test_a_transition_whose_if_never_holds_is_reported_with_its_condition() -> None:
    transition = "{ to: keen, when: visit, if: { customer.age: { in: [] } } }"
    assert findings(with_transition(transition)) == [
        f"{CANNOT_FIRE}: its 'if' can never hold; {FIX}",
        "j.yaml:10:56: the 'if' of the transition to 'keen' of stage 'browsing' can never hold: "
        "{customer.age: {in: []}} never holds; change it, or remove it [condition-never-holds]",
        KEEN,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("transition", "expected"),
    [
        ("{ to: keen, when: visit, if: { count.visit: { eq: 1 } } }", ""),
        # An order may trigger it, and 'count.visit' says nothing of orders.
        ("{ to: keen, when: [visit, order], if: { count.visit: { eq: 0 } } }", ""),
        # With two touchpoints, the 3 events may be of either.
        (
            "{ to: keen, when: [visit, pricing], times: 3, within: 7d, "
            "if: { stage_count.visit: { lt: 2 } } }",
            "",
        ),
        ("{ to: keen, when: pricing, if: { event.page: /plans } }", ""),
        ("{ to: keen, when: visit, if: { event.page: /home } }", ""),
        ("{ to: keen, when: visit, if: { stalled: true } }", "\n    expected_duration: 7d"),
    ],
    ids=["count-1", "other-touchpoint", "times-of-two", "where-agrees", "no-where", "can-stall"],
)
def test_an_if_that_some_triggering_event_meets_is_not_reported(
    transition: str, expected: str
) -> None:
    assert findings(with_transition(transition, expected=expected)) == []


def test_an_anywhere_transition_knows_nothing_of_a_stage() -> None:
    journey = with_transition("{ to: buyer, when: order, if: { customer.vip: true } }") + (
        "anywhere:\n  - { to: keen, when: visit, if: { visited.browsing: 0, stalled: true } }\n"
    )
    assert findings(journey) == []
    journey = journey.replace("visited.browsing: 0", "count.visit: 0")
    assert findings(journey) == [
        KEEN,
        "j.yaml:18:5: the 'anywhere' transition to 'keen' can never fire: its 'if' rules out "
        f"every event that triggers it (on 'visit', 'count.visit' is at least 1); {FIX}",
    ]


# action-never-eligible ------------------------------------------------------------------------


def with_action(action: str, consent: str = "{ customer.opted_out: { ne: true } }") -> str:
    """A clean journey with `action` in stage 'browsing', and the consent of channel email."""
    return clean_journey(f"    actions:\n      - {action}\n", f"consent:\n  email: {consent}\n")


NEVER_OFFERED = "j.yaml:11:9: action 'offer' can never be offered"


@pytest.mark.parametrize(
    ("action", "why"),
    [
        (
            "{ id: offer, channel: email, if: { customer.opted_out: true } }",
            "its 'if' and the consent condition of channel 'email' never hold together; change "
            "its 'if' or the consent condition",
        ),
        (
            "{ id: offer, channel: email, if: { visited.browsing: { lt: 1 } } }",
            "its 'if' rules out every stage it applies in (in 'browsing', 'visited.browsing' is "
            "at least 1); change the condition, or offer the action in other stages",
        ),
        (
            "{ id: offer, channel: email, "
            "if: { any: [{ stalled: true }, { stalled: { ne: false } }] } }",
            "its 'if' needs a stalled customer, and stage 'browsing' has no 'expected_duration'; "
            "give the stage an 'expected_duration' shorter than its timeouts, or change the 'if'",
        ),
    ],
    ids=["if-and-consent", "visited", "needs-a-stall"],
)
def test_an_action_whose_conditions_rule_out_its_stages_is_never_offered(
    action: str, why: str
) -> None:
    assert findings(with_action(action)) == [f"{NEVER_OFFERED}: {why} [action-never-eligible]"]


def test_an_action_on_a_channel_whose_consent_never_holds_is_never_offered() -> None:
    consent = "{ customer.age: { lt: 1, gt: 2 } }"
    assert findings(with_action("{ id: offer, channel: email }", consent)) == [
        f"{NEVER_OFFERED}: the consent condition of channel 'email' can never hold; change the "
        "consent condition, or offer the action on another channel [action-never-eligible]",
        "j.yaml:15:12: the consent condition of channel 'email' can never hold: {customer.age: "
        f"{{lt: 1}}}} and {{customer.age: {{gt: 2}}}} never hold together; {NEVER}",
    ]  # fmt: skip


def test_an_action_whose_if_never_holds_is_never_offered_and_its_if_is_reported() -> None:
    assert findings(with_action("{ id: offer, channel: sms, if: { count.order: { lt: 0 } } }")) == [
        f"{NEVER_OFFERED}: its 'if' can never hold; change its 'if', or remove the action "
        "[action-never-eligible]",
        "j.yaml:11:57: the 'if' of action 'offer' can never hold: {count.order: {lt: 0}} never "
        "holds ('count.order' is a whole number, 0 or more); change it, or remove it "
        "[condition-never-holds]",
    ]  # fmt: skip


def test_an_action_some_customer_in_its_stage_meets_is_offered() -> None:
    assert findings(with_action("{ id: offer, channel: email, if: { visited.browsing: 1 } }")) == []


# The shipped journeys ------------------------------------------------------------------------


#: The findings on the docs' example journeys, (line, column, code); any other has none.
DOCS_EXAMPLES = {"trial.journey.yaml": [(21, 3, "dead-end"), (23, 3, "dead-end")]}


@pytest.mark.parametrize(
    "path", sorted((ROOT / "docs" / "examples").glob("*.journey.yaml")), ids=lambda path: path.name
)
def test_the_docs_example_journeys_have_no_finding_but_their_resting_stages(path: Path) -> None:
    found = [
        (p.location.line, p.location.column, p.code) for p in lint(load(path).model) if p.location
    ]
    assert found == DOCS_EXAMPLES.get(path.name, [])


@pytest.mark.parametrize("name", ["retail.journey.yaml", "streaming.journey.yaml"])
def test_the_reference_journeys_have_no_contradiction(name: str) -> None:
    # test_lint.py pins every finding on the retail journey: one unused touchpoint.
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"the reference journey is not available ({path} is missing)")
    try:
        model = load(path).model
    except JourneyError:
        pytest.skip(f"{name} uses DSL features not implemented yet (idle, experiments)")
    proven = {"condition-never-holds", "condition-always-holds", "impossible-transition"}
    assert [str(p) for p in lint(model) if p.code in proven or "'if'" in p.message] == []
