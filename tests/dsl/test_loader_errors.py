"""Every loader error: its code, its exact place and its whole message."""

from __future__ import annotations

import pytest

from customer_journey.dsl import compile_journey, compile_mapping, parse_yaml
from customer_journey.errors import JourneyError, Location

from .conftest import problems_of

BASE = """\
journey: t
touchpoints:
  visit: { event: page.viewed, channel: web }
  buy: { event: order.completed, channel: web }
stages:
  aware:
    phase: awareness
    entry: [visit]
    transitions:
      - to: done
        when: buy
  done:
    terminal: true
"""


def edit(old: str, new: str) -> str:
    """BASE with one piece of text replaced (it must be there)."""
    assert old in BASE
    return BASE.replace(old, new, 1)


def test_the_base_journey_compiles() -> None:
    assert list(compile_journey(BASE, source="j.yaml").stages) == ["aware", "done"]


CASES = [
    pytest.param(
        edit("    transitions:", "    transitons: []\n    transitions:"),
        "j.yaml:9:5: unknown key 'transitons' in stage 'aware'; "
        "did you mean 'transitions'? [unknown-key]",
        id="unknown-key",
    ),
    pytest.param(
        edit("      - to: done\n        when: buy", "      - when: buy"),
        "j.yaml:10:9: a transition of stage 'aware' needs 'to' [missing-key]",
        id="missing-key",
    ),
    pytest.param(
        BASE + "actions:\n  - { id: a, channel: web, priority: high }\n",
        "j.yaml:15:38: 'priority' must be a number (got 'high') [bad-type]",
        id="bad-type",
    ),
    pytest.param(
        "journey: t\ntouchpoints: {}\n",
        "j.yaml:1:1: the journey file needs 'stages' [missing-key]",
        id="missing-key-stages",
    ),
    pytest.param(
        "- a\n- b\n",
        "j.yaml:1:1: 'j.yaml' is not a journey file: it is not a mapping with 'journey', "
        "'touchpoints' and 'stages'; check the path; a journey file starts with "
        "'journey: <name>' [not-a-journey]",
        id="not-a-journey",
    ),
    pytest.param(
        BASE + "  lost: 3\n",
        "j.yaml:14:9: stage 'lost' must be a mapping (got 3) [bad-type]",
        id="bad-type-stage",
    ),
    pytest.param(
        BASE + "goals:\n  404: { reach: done }\n",
        'j.yaml:15:3: the name 404 must be text; put it in quotes: "404" [bad-type]',
        id="bad-type-name",
    ),
    pytest.param(
        edit("    phase: awareness", "    phase: awareness\n    expected_duration: 7"),
        "j.yaml:8:24: 'expected_duration' must be a duration such as 7d or 36h (got 7) "
        "[bad-duration]",
        id="bad-duration-number",
    ),
    pytest.param(
        BASE + "goals:\n  g: { reach: done, within: 1mo }\n",
        "j.yaml:15:29: 'within' must be a duration such as 7d or 36h (got '1mo') [bad-duration]",
        id="bad-duration-text",
    ),
    pytest.param(
        edit("        when: buy", "        when: buy\n        times: 0\n        within: 1d"),
        "j.yaml:12:16: 'times' must be at least 1 (got 0) [bad-value]",
        id="bad-value-minimum",
    ),
    pytest.param(
        edit("        when: buy", "        when: []"),
        "j.yaml:11:15: 'when' must not be empty [bad-value]",
        id="bad-value-empty",
    ),
    pytest.param(
        "# nothing here\n",
        "j.yaml:1:1: the journey file is empty; start with 'journey: <name>' and 'stages:' "
        "[empty-journey]",
        id="empty-journey",
    ),
    pytest.param(
        edit("when: buy", "when: [visit, biy]"),
        "j.yaml:11:23: unknown touchpoint 'biy'; did you mean 'buy'? [unknown-touchpoint]",
        id="unknown-touchpoint",
    ),
    pytest.param(
        edit("entry: [visit]", "entry: vist"),
        "j.yaml:8:12: unknown touchpoint 'vist'; did you mean 'visit'? [unknown-touchpoint]",
        id="unknown-touchpoint-entry",
    ),
    pytest.param(
        edit("to: done", "to: dnoe"),
        "j.yaml:10:13: unknown stage 'dnoe'; did you mean 'done'? [unknown-stage]",
        id="unknown-stage",
    ),
    pytest.param(
        BASE + "goals:\n  g: { reach: don }\n",
        "j.yaml:15:15: unknown stage 'don'; did you mean 'done'? [unknown-stage]",
        id="unknown-stage-goal",
    ),
    pytest.param(
        BASE + "actions:\n  - { id: a, channel: web, stages: [awre] }\n",
        "j.yaml:15:37: unknown stage 'awre'; did you mean 'aware'? [unknown-stage]",
        id="unknown-stage-action",
    ),
    pytest.param(
        edit("phase: awareness", "phase: awarenes"),
        "j.yaml:7:12: unknown phase 'awarenes'; did you mean 'awareness'? [unknown-phase]",
        id="unknown-phase",
    ),
    pytest.param(
        edit("channel: web }\n  buy", "channel: wbe }\n  buy"),
        "j.yaml:3:41: unknown channel 'wbe'; did you mean 'web'? [unknown-channel]",
        id="unknown-channel",
    ),
    pytest.param(
        BASE + "contact_policy:\n  fax: { max: 1, per: 1d }\n",
        "j.yaml:15:3: unknown channel 'fax'; the journey's channels are 'web', 'email', "
        "'social', 'phone', 'sms', 'push', 'loyalty', 'paid_ads', 'store', 'support' "
        "[unknown-channel]",
        id="unknown-channel-contact-policy",
    ),
    pytest.param(
        edit("journey: t\n", "journey: t\nchannels: [web]\n")
        + "consent:\n  emial: { customer.ok: true }\n",
        "j.yaml:16:3: unknown channel 'emial'; the journey's channels are 'web' [unknown-channel]",
        id="unknown-channel-consent",
    ),
    pytest.param(
        edit("    entry: [visit]\n", ""),
        "j.yaml:5:1: no stage has 'entry', so no customer can enter the journey; "
        "add 'entry: [<touchpoint>, ...]' to the stage where customers start [no-entry]",
        id="no-entry",
    ),
    pytest.param(
        edit("        when: buy", "        when: buy\n        after: 3d"),
        "j.yaml:12:9: a transition of stage 'aware' has both 'when' and 'after'; "
        "keep one: 'when' for touchpoints, 'after' for a timeout [bad-trigger]",
        id="bad-trigger-both",
    ),
    pytest.param(
        edit("        when: buy", "        description: x"),
        "j.yaml:10:9: a transition of stage 'aware' needs 'when' (touchpoints), 'after' or 'idle' "
        "(a timeout) [bad-trigger]",
        id="bad-trigger-neither",
    ),
    pytest.param(
        edit("        when: buy", "        when: buy\n        times: 2"),
        "j.yaml:12:9: a transition of stage 'aware' has 'times' but no 'within'; "
        "add the window the touchpoints are counted in, such as 'within: 7d' "
        "[times-without-within]",
        id="times-without-within",
    ),
    pytest.param(
        edit("        when: buy", "        when: buy\n        within: 2d"),
        "j.yaml:12:9: a transition of stage 'aware' has 'within' but no 'times'; "
        "add how many times the touchpoints must be seen, such as 'times: 3' "
        "[within-without-times]",
        id="within-without-times",
    ),
    pytest.param(
        edit("        when: buy", "        after: 3d\n        if: { stalled: true }"),
        "j.yaml:12:9: a timeout transition ('after') cannot have 'if'; "
        "move it to a transition with 'when', or remove it [bad-timeout]",
        id="bad-timeout",
    ),
    pytest.param(
        BASE + "actions:\n  - { id: a, channel: web }\n  - { id: a, channel: email }\n",
        "j.yaml:16:11: duplicate action id 'a' (first at line 15); give each action its own id "
        "[duplicate-action]",
        id="duplicate-action",
    ),
    pytest.param(
        edit("journey: t\n", "journey: t\ntimezone: Europe/Pariss\n"),
        "j.yaml:2:11: unknown timezone 'Europe/Pariss'; did you mean 'Europe/Paris'? "
        "[unknown-timezone]",
        id="unknown-timezone",
    ),
    pytest.param(
        edit("journey: t\n", "journey: t\ntimezone: Mars/Olympus\n"),
        "j.yaml:2:11: unknown timezone 'Mars/Olympus'; use an IANA name such as 'Europe/Paris' "
        "or 'UTC' [unknown-timezone]",
        id="unknown-timezone-far",
    ),
    pytest.param(
        edit("journey: t\n", "journey: t\nphases: [awareness, conversion, awareness]\n"),
        "j.yaml:2:33: duplicate phase 'awareness' (first at line 2) [duplicate-phase]",
        id="duplicate-phase",
    ),
    pytest.param(
        edit("journey: t\n", "journey: t\nchannels: [web, web]\n"),
        "j.yaml:2:17: duplicate channel 'web' (first at line 2) [duplicate-channel]",
        id="duplicate-channel",
    ),
    pytest.param(
        edit(
            "    terminal: true",
            "    terminal: true\n    transitions: [{ to: aware, when: visit }]",
        ),
        "j.yaml:14:5: terminal stage 'done' cannot have transitions; "
        "remove 'terminal: true' or the transitions [terminal-with-transitions]",
        id="terminal-with-transitions",
    ),
    pytest.param(
        edit(
            "    entry: [visit]", "    entry: [visit]\n    friction: [{ label: Slow, when: vsit }]"
        ),
        "j.yaml:9:37: unknown touchpoint 'vsit'; did you mean 'visit'? [unknown-touchpoint]",
        id="unknown-touchpoint-friction",
    ),
    pytest.param(
        edit("    entry: [visit]", "    entry: [visit]\n    friction: [{ when: visit }]"),
        "j.yaml:9:16: a friction rule of stage 'aware' needs 'label' [missing-key]",
        id="missing-key-friction",
    ),
    pytest.param(
        BASE + "anywhere:\n  - { to: don, when: visit }\n",
        "j.yaml:15:11: unknown stage 'don'; did you mean 'done'? [unknown-stage]",
        id="unknown-stage-anywhere",
    ),
    pytest.param(
        BASE + "anywhere:\n  - { to: done, when: visit, times: 2 }\n",
        "j.yaml:15:30: an 'anywhere' transition has 'times' but no 'within'; "
        "add the window the touchpoints are counted in, such as 'within: 7d' "
        "[times-without-within]",
        id="times-without-within-anywhere",
    ),
    pytest.param(
        edit("    phase: awareness", "    phase: awareness\n    phase: conversion"),
        "j.yaml:8:5: duplicate key 'phase' (first at line 7) [duplicate-key]",
        id="duplicate-key",
    ),
    pytest.param(
        edit("        when: buy", "        when: buy\n        if: { count.biy: { gte: 1 } }"),
        "j.yaml:12:15: unknown touchpoint 'biy'; did you mean 'buy'? [unknown-touchpoint]",
        id="condition-in-transition",
    ),
    pytest.param(
        BASE + "actions:\n  - { id: a, channel: web, if: { event.page: /x } }\n",
        "j.yaml:15:34: 'event.page' can only be used in transition and friction conditions "
        "[event-path-not-allowed]",
        id="condition-in-action",
    ),
    pytest.param(
        edit("    terminal: true", "    terminal: true\n    pain_points: [x"),
        "j.yaml:15:1: expected ',' or ']', but got the end of the file "
        "(while parsing a flow sequence at line 14) [yaml-syntax]",
        id="yaml-syntax",
    ),
]


@pytest.mark.parametrize(("text", "problem"), CASES)
def test_a_mistake_is_one_problem_at_the_node_at_fault(text: str, problem: str) -> None:
    assert problems_of(text) == [problem]


def test_five_different_mistakes_are_five_located_problems_in_file_order() -> None:
    text = """\
journey: five
timezone: Europe/Pariss
touchpoints:
  visit: { event: page.viewed, channel: wbe }
stages:
  aware:
    entry: [visit]
    transitons: []
    transitions:
      - to: gone
        when: visit
      - to: aware
        after: 7
"""
    assert problems_of(text) == [
        "j.yaml:2:11: unknown timezone 'Europe/Pariss'; did you mean 'Europe/Paris'? "
        "[unknown-timezone]",
        "j.yaml:4:41: unknown channel 'wbe'; did you mean 'web'? [unknown-channel]",
        "j.yaml:8:5: unknown key 'transitons' in stage 'aware'; did you mean 'transitions'? "
        "[unknown-key]",
        "j.yaml:10:13: unknown stage 'gone'; the journey's stages are 'aware' [unknown-stage]",
        "j.yaml:13:16: 'after' must be a duration such as 7d or 36h (got 7) [bad-duration]",
    ]


def test_the_error_carries_every_problem_as_records() -> None:
    with pytest.raises(JourneyError) as caught:
        compile_journey(edit("to: done", "to: dnoe"), source="j.yaml")
    (problem,) = caught.value.problems
    assert problem.location == Location("j.yaml", 10, 13)
    assert problem.code == "unknown-stage"
    assert problem.message == "unknown stage 'dnoe'"
    assert problem.hint == "did you mean 'done'?"
    assert str(caught.value) == "1 problem found\n" + str(problem)


def test_a_mapping_gets_the_same_checks_without_places() -> None:
    data, _, _ = parse_yaml(edit("to: done", "to: dnoe"), source="j.yaml")
    data["stages"]["aware"]["transitons"] = []
    with pytest.raises(JourneyError) as caught:
        compile_mapping(data)
    assert [str(problem) for problem in caught.value.problems] == [
        "unknown key 'transitons' in stage 'aware'; did you mean 'transitions'? [unknown-key]",
        "unknown stage 'dnoe'; did you mean 'done'? [unknown-stage]",
    ]
