"""The compiled, immutable journey: what the loader builds and the engine runs.

Every class is a frozen attrs class; mappings are read-only views that keep file order.
Each condition is kept as its tree (`ConditionTree`), the one form other code reads, beside
the callable it compiled to, which the engine runs. The `*_text` properties render the
tree as written, for traces and explanations.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from types import MappingProxyType

import attrs

from customer_journey._facts import SUPPRESSION_REASONS
from customer_journey.errors import Location
from customer_journey.model._conditions import ConditionTree
from customer_journey.model._context import AttributeCondition, Condition
from customer_journey.model._event import EventFields
from customer_journey.model._section10 import Experiment, SendWindow

__all__ = [
    "DEFAULT_CHANNELS",
    "DEFAULT_PHASES",
    "SUPPRESSION_REASONS",
    "Action",
    "ContactPolicy",
    "FrictionRule",
    "Goal",
    "JourneyModel",
    "Stage",
    "Touchpoint",
    "Transition",
]

DEFAULT_PHASES = ("awareness", "consideration", "conversion", "retention", "advocacy")
DEFAULT_CHANNELS = (
    "web",
    "email",
    "social",
    "phone",
    "sms",
    "push",
    "loyalty",
    "paid_ads",
    "store",
    "support",
)


@attrs.frozen
class Touchpoint:
    """A named customer interaction: an event type on a channel, optionally filtered.

    Attributes:
        name: the touchpoint's key in the journey file.
        event: the event type it matches.
        channel: the channel the journey counts it on.
        where: compiled condition on the event's attributes, or None.
        where_tree: the `where` condition, or None.
        location: where it is declared.
    """

    name: str
    event: str
    channel: str
    where: AttributeCondition | None = None
    where_tree: ConditionTree | None = None
    location: Location | None = None

    @property
    def where_text(self) -> str | None:
        """The `where` condition as written, for explanations."""
        return _text(self.where_tree)


@attrs.frozen
class Transition:
    """A way out of a stage: to `target` on touchpoints (`when`) or on a timeout.

    A timeout is `after` (counted from entering the stage) or `idle` (counted from the
    later of entering the stage and the customer's last activity in that visit).

    Attributes:
        target: the stage it moves the customer to (the `to` key).
        source: the stage it belongs to, or None for an `anywhere` transition.
        index: its position in its list, 0-based (file order).
        touchpoints: the `when` touchpoints; empty for a timeout.
        condition: compiled `if`, or None.
        condition_tree: the `if` condition, or None.
        times: with `within`: how many of the touchpoints the window must hold.
        within: the counting window for `times`.
        after: the timeout, counted from entering the stage; None for other transitions.
        idle: the inactivity timeout, counted from the later of entering the stage and
            the last activity in it (section 10); None for other transitions.
        location: where it is declared.
    """

    target: str
    source: str | None
    index: int
    touchpoints: tuple[str, ...] = ()
    condition: Condition | None = None
    condition_tree: ConditionTree | None = None
    times: int | None = None
    within: timedelta | None = None
    after: timedelta | None = None
    location: Location | None = None
    idle: timedelta | None = None

    @property
    def is_timeout(self) -> bool:
        """Whether time, not a touchpoint, triggers this transition (`after` or `idle`)."""
        return self.after is not None or self.idle is not None

    @property
    def wait(self) -> timedelta | None:
        """How long a timeout waits (its `after` or `idle`); None for `when` transitions."""
        return self.after if self.after is not None else self.idle

    @property
    def condition_text(self) -> str | None:
        """The `if` condition as written, for traces."""
        return _text(self.condition_tree)


@attrs.frozen
class FrictionRule:
    """A declared obstacle in a stage (section 7, kind `declared`), with its compiled `if`."""

    label: str
    touchpoints: tuple[str, ...]
    times: int | None = None
    within: timedelta | None = None
    condition: Condition | None = None
    condition_tree: ConditionTree | None = None
    severity: str | None = None
    location: Location | None = None

    @property
    def condition_text(self) -> str | None:
        """The `if` condition as written."""
        return _text(self.condition_tree)


@attrs.frozen
class Action:
    """A next-best-action candidate.

    Attributes:
        id: the action's identifier, also what `action.performed` events name.
        channel: the channel it is delivered on (contact policy and consent apply).
        priority: higher ranks first.
        order: its position among all actions of the journey in file order (tie-break).
        stages: for journey-level actions, the stages where it applies; for a stage's own
            actions, that one stage.
        condition: compiled `if`, or None.
        condition_tree: the `if` condition, or None.
        cooldown: not offered again within this time of its last performance.
        max: at most this many performances per customer.
        description: free text for reports.
        location: where it is declared.
    """

    id: str
    channel: str
    priority: float
    order: int
    stages: tuple[str, ...]
    condition: Condition | None = None
    condition_tree: ConditionTree | None = None
    cooldown: timedelta | None = None
    max: int | None = None
    description: str | None = None
    location: Location | None = None

    @property
    def condition_text(self) -> str | None:
        """The `if` condition as written, for explanations."""
        return _text(self.condition_tree)


@attrs.frozen
class Stage:
    """A state of the journey.

    Attributes:
        name: the stage's key.
        index: its position in file order (funnel order; regressions go to a lower index).
        phase: its lifecycle phase, or None for stages outside the lifecycle.
        entry: touchpoints that place a customer not yet in the journey here.
        is_terminal: nothing moves a customer on from here.
        expected_duration: longer than this is stalled; None when not declared.
        transitions: in file order.
        friction: declared friction rules.
        actions: the stage's own next-best-action candidates.
        description, customer_actions, motivations, questions, pain_points: the
            journey-map framework, kept for maps and reports.
        location: where it is declared.
    """

    name: str
    index: int
    phase: str | None = None
    entry: tuple[str, ...] = ()
    is_terminal: bool = False
    expected_duration: timedelta | None = None
    transitions: tuple[Transition, ...] = ()
    friction: tuple[FrictionRule, ...] = ()
    actions: tuple[Action, ...] = ()
    description: str | None = None
    customer_actions: tuple[str, ...] = ()
    motivations: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    pain_points: tuple[str, ...] = ()
    location: Location | None = None


@attrs.frozen
class Goal:
    """An outcome to track: reaching `stage`, optionally `within` a time of journey entry."""

    name: str
    stage: str
    within: timedelta | None = None
    location: Location | None = None


@attrs.frozen
class ContactPolicy:
    """At most `max` actions on `channel` per rolling window `per`."""

    channel: str
    max: int
    per: timedelta


@attrs.frozen
class JourneyModel:
    """A whole compiled journey. Mappings keep file order and are read-only.

    Attributes:
        name: the `journey` identifier.
        source: the file it was loaded from (or `<string>`).
        timezone: IANA name that naive event timestamps are read in.
        events: where each field sits in incoming records.
        phases: ordered lifecycle phases.
        channels: allowed channels.
        touchpoints: name -> touchpoint.
        stages: name -> stage, in funnel (file) order.
        anywhere: transitions tried from every non-terminal stage before its own.
        goals: name -> goal.
        actions: journey-level actions (each with the `stages` it applies to).
        contact_policy: channel -> policy.
        consent: channel -> compiled condition that must hold to offer an action there.
        consent_tree: channel -> that condition.
        experiments: id -> experiment, in file order (section 10).
        send_windows: channel -> its send window (section 10).
    """

    name: str
    source: str = "<string>"
    version: str | None = None
    title: str | None = None
    description: str | None = None
    timezone: str = "UTC"
    events: EventFields = attrs.Factory(EventFields)
    phases: tuple[str, ...] = DEFAULT_PHASES
    channels: tuple[str, ...] = DEFAULT_CHANNELS
    touchpoints: Mapping[str, Touchpoint] = attrs.Factory(dict)
    stages: Mapping[str, Stage] = attrs.Factory(dict)
    anywhere: tuple[Transition, ...] = ()
    goals: Mapping[str, Goal] = attrs.Factory(dict)
    actions: tuple[Action, ...] = ()
    contact_policy: Mapping[str, ContactPolicy] = attrs.Factory(dict)
    consent: Mapping[str, Condition] = attrs.Factory(dict)
    consent_tree: Mapping[str, ConditionTree] = attrs.Factory(dict)
    experiments: Mapping[str, Experiment] = attrs.Factory(dict)
    send_windows: Mapping[str, SendWindow] = attrs.Factory(dict)

    @property
    def consent_text(self) -> Mapping[str, str]:
        """Channel -> its consent condition as written, for explanations."""
        return MappingProxyType({channel: tree.text for channel, tree in self.consent_tree.items()})

    def applying(self, stage: Stage) -> tuple[Transition, ...]:
        """The transitions that apply in `stage`, in the order they are tried (rule 4).

        `anywhere` ones first, then the stage's own; none in a terminal stage, and no
        `anywhere` timeout in its own `to` stage (section 10).
        """
        if stage.is_terminal:
            return ()
        anywhere = (t for t in self.anywhere if not (t.is_timeout and t.target == stage.name))
        return (*anywhere, *stage.transitions)

    def if_conditions(self) -> Iterator[ConditionTree]:
        """Every `if` and consent condition, in one fixed order.

        Consent first, then each stage's transitions, friction rules and actions, then the
        journey-level actions and the `anywhere` transitions.
        """
        yield from self.consent_tree.values()
        rules: list[Transition | FrictionRule | Action] = []
        for stage in self.stages.values():
            rules += [*stage.transitions, *stage.friction, *stage.actions]
        rules += [*self.actions, *self.anywhere]
        for rule in rules:
            if rule.condition_tree is not None:
                yield rule.condition_tree


def _text(tree: ConditionTree | None) -> str | None:
    return None if tree is None else tree.text
