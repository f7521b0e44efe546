"""Lint and the timers of section 10: `idle` timeouts, and `anywhere` timeouts in their own `to`."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer_journey import load, loads
from customer_journey.checks import lint

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "dsl"


def findings(text: str) -> list[str]:
    """Every lint finding of the journey `text`, as `j.yaml:line:column: message [code]`."""
    return [str(problem) for problem in lint(loads(text, source="j.yaml").model)]


def journey(transitions: str, *, anywhere: str = "") -> str:
    """A journey whose 'browsing' stage has `transitions` (flow-style lines, 6 spaces in)."""
    return f"""\
journey: j
touchpoints:
  visit: {{ event: page.viewed, channel: web }}
  order: {{ event: order.placed, channel: web }}
stages:
  browsing:
    entry: visit
    transitions:
{transitions}
  customer:
    terminal: true
  lapsed:
    transitions:
      - {{ to: customer, when: order }}
  quiet:
    transitions:
      - {{ to: customer, when: order }}
{anywhere}"""


def test_an_idle_no_shorter_than_an_after_tried_first_can_never_fire() -> None:
    assert findings(
        journey(
            "      - { to: customer, when: order }\n"
            "      - { to: lapsed, after: 14d }\n"
            "      - { to: quiet, idle: 14d }"
        )
    ) == [
        "j.yaml:11:9: the inactivity timeout to 'quiet' of stage 'browsing' can never fire: "
        "the timeout to 'lapsed' at line 10 (after 14d) always comes first, as an inactivity "
        "timeout counts from entry at the earliest and this one (idle 14d) is not shorter; "
        "make the 'idle' shorter than the 'after', or remove one of the two "
        "[idle-after-timeout]",
        "j.yaml:17:3: no customer can reach stage 'quiet': the transitions that lead to it can "
        "never fire; add 'entry' to it or a transition 'to: quiet' from a stage customers "
        "reach, or remove it [unreachable-stage]",
    ]


def test_an_anywhere_after_makes_a_longer_idle_of_a_stage_never_fire() -> None:
    assert findings(
        journey(
            "      - { to: customer, when: order }\n      - { to: quiet, idle: 30d }",
            anywhere="anywhere:\n  - { to: lapsed, after: 20d }\n",
        )
    ) == [
        "j.yaml:10:9: the inactivity timeout to 'quiet' of stage 'browsing' can never fire: "
        "the 'anywhere' timeout to 'lapsed' at line 20 (after 20d) always comes first, as an "
        "inactivity timeout counts from entry at the earliest and this one (idle 30d) is not "
        "shorter; make the 'idle' shorter than the 'after', or remove one of the two "
        "[idle-after-timeout]",
        "j.yaml:16:3: no customer can reach stage 'quiet': the transitions that lead to it can "
        "never fire; add 'entry' to it or a transition 'to: quiet' from a stage customers "
        "reach, or remove it [unreachable-stage]",
    ]


@pytest.mark.parametrize(
    "timeouts",
    [
        # Shorter than the after: a quiet customer is moved by the idle.
        "      - { to: quiet, idle: 7d }\n      - { to: lapsed, after: 14d }",
        # As long, but tried first: it wins the tie when the customer was quiet all along.
        "      - { to: quiet, idle: 14d }\n      - { to: lapsed, after: 14d }",
        # An idle never takes an after's place: activity can put it off forever.
        "      - { to: lapsed, after: 30d }\n      - { to: quiet, idle: 7d }",
    ],
)
def test_an_idle_that_can_come_due_first_and_the_stage_it_leads_to_are_live(
    timeouts: str,
) -> None:
    assert findings(journey(f"      - {{ to: customer, when: order }}\n{timeouts}")) == []


def test_of_two_idles_of_a_stage_the_longer_is_shadowed_by_the_shorter() -> None:
    assert findings(
        journey(
            "      - { to: customer, when: order }\n"
            "      - { to: lapsed, idle: 5d }\n"
            "      - { to: quiet, idle: 9d }\n"
            "      - { to: quiet, after: 20d }"
        )
    ) == [
        "j.yaml:11:9: the timeout to 'quiet' of stage 'browsing' can never fire: the timeout "
        "to 'lapsed' at line 10 comes due first (idle 5d); remove one of the two timeouts: a "
        "stage leaves on the first one due [shadowed-transition]",
    ]


def test_an_anywhere_timeout_does_not_apply_in_its_own_to_stage() -> None:
    # In 'lapsed' only its own 60d timeout applies: the 'anywhere' 30d one skips it.
    assert (
        findings(
            """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  browsing:
    entry: visit
    transitions:
      - { to: browsing, when: visit }
  lapsed:
    transitions:
      - { to: gone, after: 60d }
  gone:
    terminal: true
anywhere:
  - { to: lapsed, after: 30d }
"""
        )
        == []
    )


def test_anywhere_timeouts_to_different_stages_do_not_shadow_each_other() -> None:
    # In 'quiet' the 10d one does not apply, so the 20d one to 'lapsed' fires there.
    text = journey(
        "      - { to: customer, when: order }",
        anywhere="anywhere:\n  - { to: quiet, idle: 10d }\n  - { to: lapsed, idle: 20d }\n"
        "  - { to: quiet, idle: 40d }\n",
    )
    assert findings(text) == [
        "j.yaml:21:5: the timeout to 'quiet' in 'anywhere' can never fire: the timeout to "
        "'quiet' at line 19 comes due first (idle 10d); remove one of the two timeouts: a "
        "stage leaves on the first one due [shadowed-transition]",
    ]


def test_with_an_idle_timeout_every_touchpoint_is_used_as_activity() -> None:
    text = """\
journey: j
touchpoints:
  visit: { event: page.viewed, channel: web }
  open: { event: app.opened, channel: push }
stages:
  member:
    entry: visit
    expected_duration: 7d
    transitions:
      - { to: inactive, idle: 7d }
  inactive:
    transitions:
      - { to: member, when: visit }
"""
    # 'open' is named nowhere, but it keeps members active; nor does an idle as long as
    # the expected duration stop active members from stalling.
    assert findings(text) == []
    never_fires = text.replace("idle: 7d }", "idle: 7d }\n      - { to: inactive, after: 3d }")
    assert findings(never_fires) == [
        "j.yaml:4:3: touchpoint 'open' is never used: no entry, transition, friction rule or "
        "condition names it; use it in 'entry', a transition's 'when', a friction rule or a "
        "'count.' condition, or remove it [unused-touchpoint]",
        "j.yaml:10:9: the inactivity timeout to 'inactive' of stage 'member' can never fire: "
        "the timeout to 'inactive' at line 11 (after 3d) always comes first, as an inactivity "
        "timeout counts from entry at the earliest and this one (idle 7d) is not shorter; "
        "make the 'idle' shorter than the 'after', or remove one of the two "
        "[idle-after-timeout]",
        "j.yaml:11:9: stage 'member' times out after 3d, which is not longer than its expected "
        "duration (7d): no customer can ever be stalled there; make the timeout longer than "
        "'expected_duration', or shorten 'expected_duration' [timeout-before-expected-duration]",
    ]


def test_the_streaming_reference_journey_is_clean() -> None:
    path = SHARED / "streaming.journey.yaml"
    if not path.is_file():
        pytest.skip(f"the reference journey is not available ({path} is missing)")
    assert lint(load(path).model) == ()


def test_the_membership_example_is_clean() -> None:
    assert lint(load(ROOT / "examples" / "membership.journey.yaml").model) == ()
