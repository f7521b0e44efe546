"""What a replay records, as codes and figures, and the one place that says them in words.

The engine records facts: how each visit ended (its route), friction as (kind, stage, to,
rule), and for each candidate action the rules it passed or the first it failed, each as a
code with its figures. Every layer that shows a fact in words (the results' `to_dict()`
and `label`/`detail`/`reasons`, render, the command line) calls the functions here, so
the words are made once, from the facts, only when they are asked for: never on the
engine's per-event path.

The words are part of the output contract (`replay --format jsonl`, `analyze --json`,
scenario files' `friction:` expectations), so they live below every layer that needs
them, beside `describe_duration` and `format_timestamp`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from customer_journey._durations import describe_duration, format_duration
from customer_journey._timestamps import format_timestamp

__all__ = [
    "ROUTES",
    "SUPPRESSION_REASONS",
    "FrictionFacts",
    "FrictionKey",
    "FrictionKind",
    "Route",
    "RuleCheck",
    "SuppressionReason",
    "describe_step",
    "friction_label",
    "rule_text",
]

#: Section 7's kinds of friction.
FrictionKind = Literal["stalled", "declared", "regression", "timeout", "churned"]

#: What identifies a friction point: (kind, stage, to, rule). `stage` is where it happened
#: (for a timeout or a regression, the stage left; for churn, the terminal stage entered);
#: `to` is the stage a timeout or a regression led to; `rule` is a declared rule's label.
#: The fields that do not apply are None.
FrictionKey = tuple[FrictionKind, str, "str | None", "str | None"]

#: How a visit ended: moved on by a touchpoint, sent back to an earlier stage (a
#: regression), timed out, or moved into a terminal stage that is no goal's (churn). The
#: first that applies, in the order timeout, terminal, back, onward.
Route = Literal["onward", "back", "timeout", "terminal"]
ROUTES: tuple[Route, ...] = ("onward", "back", "timeout", "terminal")

#: The rules that can hold an action back, in the order they are checked (section 8).
SuppressionReason = Literal[
    "holdout", "if", "cooldown", "max", "contact_policy", "consent", "send_window"
]
#: The same, as values (what scenario files may expect under `suppressed`).
SUPPRESSION_REASONS: tuple[SuppressionReason, ...] = get_args(SuppressionReason)

#: A rule an action passed, or the first it failed, with its figures:
#:
#: | rule | figures |
#: |---|---|
#: | `stage` | (the stage the action is a candidate in,) |
#: | `if` | (the condition's text,) |
#: | `cooldown` | (last performed at or None, the cooldown, as_of) |
#: | `max` | (times performed, the most allowed) |
#: | `contact_policy` | (actions on the channel in the window, the most allowed, the window) |
#: | `consent` | (the consent condition's text,) when it fails; () when it holds |
#: | `holdout` | (the experiment, the arm) when it fails (it is not listed when it holds) |
#: | `send_window` | (the zone it is read in,); when it fails, also when it next opens |
#: | `weight` | (the evidence weight,) |
RuleCheck = tuple[str, tuple[Any, ...]]


class FrictionFacts:
    """What a friction point, its analysis figures and its comparison share: its facts.

    A base for classes with `kind`, `stage`, `to` and `rule` attributes, which gives them
    their `key` and their `label`.
    """

    __slots__ = ()

    kind: FrictionKind
    stage: str
    to: str | None
    rule: str | None

    @property
    def key(self) -> FrictionKey:
        """What identifies the friction point: (kind, stage, to, rule)."""
        return (self.kind, self.stage, self.to, self.rule)

    @property
    def label(self) -> str:
        """The friction rule's label, or what the move did, in words."""
        return friction_label(self.kind, self.stage, self.to, self.rule)


def friction_label(kind: str, stage: str, to: str | None, rule: str | None) -> str:
    """A friction point in words: the declared rule's label, or what the move did."""
    if kind == "declared":
        return rule or ""
    if kind == "timeout":
        return f"timed out of '{stage}' into '{to}'"
    if kind == "regression":
        return f"back from '{stage}' to '{to}'"
    if kind == "churned":
        return f"churned at '{stage}'"
    return f"stalled in '{stage}'"


#: The words for each rule that holds, then for those whose words differ when it fails;
#: `{0}`, `{1}`... are its figures, `{channel}` the action's channel.
_HOLDS = {
    "stage": "a candidate in '{0}'",
    "if": "{0} holds",
    "max": "performed {0} of at most {1} times",
    "contact_policy": "{0} of at most {1} '{channel}' actions in the last {2}",
    "consent": "consent for '{channel}' holds",
    "weight": "weighted by evidence: weight {0:.2f}",
    "send_window": "within the '{channel}' send window ({0})",
}
_FAILS = {
    "if": "{0} does not hold",
    "consent": "consent for '{channel}' does not hold: {0}",
    "holdout": "held out: arm '{1}' of experiment '{0}'",
    "send_window": "outside the '{channel}' send window ({0}); it opens {1}",
}


def rule_text(
    check: RuleCheck,
    channel: str,
    *,
    holds: bool,
    spell: Callable[[datetime], str] = format_timestamp,
) -> str:
    """One rule of an action's eligibility in words: why it holds, or why it does not.

    `spell` writes its instants (a cooldown's end, when a send window opens): UTC with a
    `Z` by default, as machine formats keep them; `explain` gives the journey's zone.
    """
    rule, figures = check
    if rule == "cooldown":
        return _cooldown(*figures, holds=holds, spell=spell)
    if rule == "contact_policy":
        used, most, window = figures
        figures = (used, most, format_duration(window))
    if rule == "send_window" and not holds:
        zone, opens_at = figures
        figures = (zone, spell(opens_at))
    template = _FAILS[rule] if not holds and rule in _FAILS else _HOLDS[rule]
    return template.format(*figures, channel=channel)


def _cooldown(
    last: Any, cooldown: timedelta, as_of: Any, *, holds: bool, spell: Callable[[datetime], str]
) -> str:
    """A cooldown that is over (or never started), or the moment it ends."""
    if not holds:
        return f"performed {spell(last)}; cooldown ends {spell(last + cooldown)}"
    if last is None:
        return f"never performed, cooldown {format_duration(cooldown)}"
    ago = describe_duration(as_of - last)
    return f"last performed {ago} ago, cooldown {format_duration(cooldown)} over"


def describe_step(
    outcome: str,
    event_type: str | None,
    *,
    touchpoints: tuple[str, ...],
    from_stage: str | None,
    to_stage: str | None,
    waited: timedelta | None,
    is_idle: bool = False,
    action: str | None = None,
) -> str:
    """A line of a trace in words.

    Args:
        outcome: what the step did (`TraceStep.outcome`).
        event_type: the event's type; None for a timeout that `waited`.
        touchpoints: the touchpoints the event matched.
        from_stage: the stage before.
        to_stage: the stage after.
        waited: how long a timeout waited (its `after` or `idle`).
        is_idle: the timeout is an `idle` one: it reads `inactive for 5d`, not
            `timeout after 5d`.
        action: for a record of an action performed, the action it names: it follows
            the event's type (`action.performed 'nudge': ...`), and the brackets of
            touchpoints are left out when it matched none.
    """
    if event_type is None:
        after = "?" if waited is None else format_duration(waited)
        return (
            f"{'inactive for' if is_idle else 'timeout after'} {after}: {from_stage} -> {to_stage}"
        )
    said = {
        "duplicate": "duplicate event id, ignored",
        "outside": "counted; not in the journey yet",
        "entered": f"entered the journey at '{to_stage}'",
        "moved": f"moved {from_stage} -> {to_stage}",
        "stayed": f"stayed in '{from_stage}'",
        "ended": f"counted; '{from_stage}' is terminal",
        "timeout": "",
    }[outcome]
    if action is None:
        return f"{event_type} [{', '.join(touchpoints) or 'no touchpoint'}]: {said}"
    matched = f" [{', '.join(touchpoints)}]" if touchpoints else ""
    return f"{event_type} '{action}'{matched}: {said}"
