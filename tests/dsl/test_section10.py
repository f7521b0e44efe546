"""Section 10's keys load, and each of their mistakes is a located problem with its fix."""

from __future__ import annotations

from datetime import timedelta

import pytest

from customer_journey.dsl import compile_journey

from .conftest import SHARED, problems_of

BAD = """\
journey: bad
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  visitor:
    entry: [visit]
    transitions:
      - { to: lapsed, idle: 0d }
      - { to: lapsed, idle: 5d, after: 2d }
      - { to: lapsed, idle: 3d, if: { stalled: true } }
    actions:
      - { id: a, channel: email, if: { experiment.offr: discount } }
      - { id: b, channel: email, if: { experiment.offer: discout } }
      - { id: c, channel: email, if: { experiment.offer: { in: [content, nne] } } }
  lapsed: {}
experiments:
  control:
    arms: { held: 0, treated: -1, other: ten }
    holdout: hed
  offer:
    arms: { discount: 1, content: 1, none: .inf }
  empty:
    arms: {}
send_windows:
  sms: { days: [mon, tues], hours: "09:00-09:00", timezone: Europe/Pariss }
  push: { hours: "9-17" }
  fax: { hours: "24:00-01:00" }
  email: { hours: "21:00-24:00", timezone: customer.tz }
"""


def test_every_mistake_of_section_10_is_reported_at_once_at_its_node() -> None:
    assert problems_of(BAD) == [
        "j.yaml:8:29: a timeout ('idle') must be longer than 0s; a customer would leave at the "
        "moment they enter; give a duration such as 1m [bad-timeout]",
        "j.yaml:9:23: a transition of stage 'visitor' has both 'after' and 'idle'; keep one: "
        "'when' for touchpoints, 'after' or 'idle' for a timeout [bad-trigger]",
        "j.yaml:10:33: a timeout transition ('idle') cannot have 'if'; move it to a transition "
        "with 'when', or remove it [bad-timeout]",
        "j.yaml:12:40: unknown experiment 'offr'; did you mean 'offer'? [unknown-experiment]",
        "j.yaml:13:58: unknown arm 'discout' of experiment 'offer'; did you mean 'discount'? "
        "[unknown-arm]",
        "j.yaml:14:74: unknown arm 'nne' of experiment 'offer'; did you mean 'none'? [unknown-arm]",
        "j.yaml:18:19: the weight of arm 'held' must be a positive number (got 0); weights are "
        "shares, such as 'control: 10' and 'treated: 90' [bad-weight]",
        "j.yaml:18:31: the weight of arm 'treated' must be a positive number (got -1); weights "
        "are shares, such as 'control: 10' and 'treated: 90' [bad-weight]",
        "j.yaml:18:42: the weight of arm 'other' must be a positive number (got 'ten'); weights "
        "are shares, such as 'control: 10' and 'treated: 90' [bad-weight]",
        "j.yaml:19:14: holdout 'hed' is not an arm of experiment 'control'; did you mean 'held'? "
        "[bad-holdout]",
        "j.yaml:21:44: the weight of arm 'none' must be a positive number (got inf); weights are "
        "shares, such as 'control: 10' and 'treated: 90' [bad-weight]",
        "j.yaml:23:11: 'arms' must not be empty [bad-value]",
        "j.yaml:25:22: unknown day 'tues'; did you mean 'tue'? [bad-day]",
        "j.yaml:25:36: 'hours' must not start and end at the same time (got '09:00-09:00'); for "
        "a window open all day write 00:00-24:00 [bad-hours]",
        "j.yaml:25:61: unknown timezone 'Europe/Pariss'; did you mean 'Europe/Paris'? "
        "[unknown-timezone]",
        "j.yaml:26:18: 'hours' must be HH:MM-HH:MM such as 09:00-20:00 (got '9-17'); write both "
        "times with two digits each; 24:00 may end a window [bad-hours]",
        "j.yaml:27:3: unknown channel 'fax'; the journey's channels are 'web', 'email', "
        "'social', 'phone', 'sms', 'push', 'loyalty', 'paid_ads', 'store', 'support' "
        "[unknown-channel]",
        "j.yaml:27:17: 'hours' must be HH:MM-HH:MM such as 09:00-20:00 (got '24:00-01:00'); "
        "write both times with two digits each; 24:00 may end a window [bad-hours]",
    ]


GOOD = """\
journey: good
timezone: Europe/London
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  visitor:
    entry: [visit]
    transitions:
      - { to: lapsed, idle: 14d }
    actions:
      - { id: a, channel: sms, if: { experiment.offer: { in: [discount, content] } } }
  lapsed: {}
anywhere:
  - { to: lapsed, idle: 30d }
experiments:
  control:
    arms: { held: 0.5, treated: 9.5 }
    holdout: held
  offer:
    arms: { discount: 1, content: 1 }
    salt: offer-2026
send_windows:
  sms: { days: [sat, mon], hours: "21:00-07:00", timezone: customer.tz }
  push: { hours: "00:00-24:00", timezone: America/New_York }
"""


def test_idle_timers_experiments_and_send_windows_compile_into_the_model() -> None:
    model = compile_journey(GOOD, source="j.yaml")
    (idle,) = model.stages["visitor"].transitions
    assert (idle.idle, idle.after, idle.is_timeout, idle.wait) == (
        timedelta(days=14),
        None,
        True,
        timedelta(days=14),
    )
    assert model.anywhere[0].idle == timedelta(days=30)
    control, offer = model.experiments.values()
    assert (dict(control.arms), control.salt, control.holdout) == (
        {"held": 0.5, "treated": 9.5},
        "control",
        "held",
    )
    assert control.thresholds == ((0.05, "held"), (1.0, "treated"))
    assert (offer.salt, offer.holdout) == ("offer-2026", None)
    sms, push = model.send_windows.values()
    assert (sms.days, sms.start, sms.end, sms.timezone, sms.trait) == (
        frozenset({5, 0}),
        21 * 60,
        7 * 60,
        None,
        "tz",
    )
    assert (push.days, push.start, push.end, push.timezone) == (
        frozenset(range(7)),
        0,
        1440,
        "America/New_York",
    )


def test_experiment_paths_are_offered_in_hints_only_where_there_are_experiments() -> None:
    with_experiments = GOOD.replace("experiment.offer: {", "experimnt.offer: {")
    assert problems_of(with_experiments) == [
        "j.yaml:11:38: unknown path 'experimnt.offer'; did you mean 'experiment.offer'? "
        "[unknown-path]"
    ]


def test_an_experiment_path_without_experiments_says_to_declare_some() -> None:
    text = GOOD.split("experiments:", maxsplit=1)[0]
    assert problems_of(text) == [
        "j.yaml:11:38: unknown experiment 'offer'; declare some experiments [unknown-experiment]"
    ]


def test_a_send_window_needs_hours_and_days_must_not_be_empty() -> None:
    text = GOOD.replace(
        'push: { hours: "00:00-24:00", timezone: America/New_York }', "push: { days: [] }"
    )
    assert problems_of(text) == [
        "j.yaml:24:3: the send window for 'push' needs 'hours' [missing-key]",
        "j.yaml:24:17: 'days' must not be empty [bad-value]",
    ]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/dsl (the reference journey) is missing")
def test_the_streaming_reference_journey_loads() -> None:
    path = SHARED / "streaming.journey.yaml"
    model = compile_journey(path.read_text(encoding="utf-8"), source=str(path))
    assert list(model.experiments) == ["global_control", "trial_offer"]
    assert list(model.send_windows) == ["sms", "push"]
