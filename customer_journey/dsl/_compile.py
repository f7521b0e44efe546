"""Compile a parsed journey file into the immutable `JourneyModel`.

The compiler reads the data once, checking it as it goes (`_checks`) and building the
model's parts; the schema's problems, the semantic ones and the conditions' are gathered
and raised together, sorted by place, so a marketer sees every mistake at once. Mappings
in the model are read-only views in file order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from customer_journey.dsl._checks import Checker, as_mapping
from customer_journey.dsl._hints import Hints
from customer_journey.dsl._schema import journey_keys, schema_problems
from customer_journey.dsl._section10 import read_experiments, read_send_windows
from customer_journey.dsl._yaml import Locator, Path, gc_paused, read_document, size_problem
from customer_journey.errors import JourneyError, Location, Problem
from customer_journey.model import (
    DEFAULT_CHANNELS,
    DEFAULT_PHASES,
    Action,
    Condition,
    ConditionTree,
    ContactPolicy,
    EventFields,
    FrictionRule,
    Goal,
    JourneyModel,
    Stage,
    Touchpoint,
    Transition,
)

__all__ = ["compile_journey", "compile_mapping"]


def _text(raw: object) -> str | None:
    return raw if isinstance(raw, str) else None


def _texts(raw: object) -> tuple[str, ...]:
    return tuple(item for item in raw if isinstance(item, str)) if isinstance(raw, list) else ()


class _Compiler:
    """Builds a `JourneyModel` from parsed data, reporting problems to a `Checker`."""

    def __init__(self, data: Mapping[str, Any], locator: Locator, hints: Hints) -> None:
        self.data = data
        self.locator = locator
        self.check = Checker(data, locator, hints)
        # Actions in discovery order; their `order` (file position) is set at the end.
        self._actions: list[Action] = []
        self._action_ids: dict[str, Path] = {}

    def compile(self, source: str) -> JourneyModel:
        """Read every part of the journey; the model is only valid if no problem was found."""
        data, check = self.data, self.check
        check.phases = check.name_list("phases", DEFAULT_PHASES)
        check.channels = check.name_list("channels", DEFAULT_CHANNELS)
        timezone = check.timezone()
        touchpoints = self._touchpoints()
        stage_parts = self._stage_parts()
        anywhere = self._transitions(("anywhere",), data.get("anywhere"), source_stage=None)
        journey_actions = self._journey_actions()
        goals = self._goals()
        contact_policy = self._contact_policy()
        consent, consent_tree = self._consent()
        experiments = read_experiments(check)
        send_windows = read_send_windows(check)
        actions = self._ordered_actions()
        stages = {
            name: attrs.evolve(stage, actions=tuple(actions[i] for i in action_indexes))
            for name, (stage, action_indexes) in stage_parts.items()
        }
        return JourneyModel(
            name=str(data.get("journey")),
            source=source,
            version=self._version(),
            title=_text(data.get("title")),
            description=_text(data.get("description")),
            timezone=timezone,
            events=self._events(),
            phases=tuple(check.phases),
            channels=tuple(check.channels),
            touchpoints=MappingProxyType(touchpoints),
            stages=MappingProxyType(stages),
            anywhere=anywhere,
            goals=MappingProxyType(goals),
            actions=tuple(actions[i] for i in journey_actions),
            contact_policy=MappingProxyType(contact_policy),
            consent=MappingProxyType(consent),
            consent_tree=MappingProxyType(consent_tree),
            experiments=MappingProxyType(experiments),
            send_windows=MappingProxyType(send_windows),
        )

    # Metadata ----------------------------------------------------------------------------

    def _version(self) -> str | None:
        raw = self.data.get("version")
        if raw is None or isinstance(raw, bool):
            return None
        # The text as written keeps `1.10` from becoming `1.1`.
        return self.locator.text(("version",)) or str(raw)

    def _events(self) -> EventFields:
        raw = as_mapping(self.data.get("events"))
        fields = attrs.fields_dict(EventFields)
        return EventFields(
            **{key: value for key, value in raw.items() if key in fields and isinstance(value, str)}
        )

    # Touchpoints ---------------------------------------------------------------------------

    def _touchpoints(self) -> dict[str, Touchpoint]:
        touchpoints: dict[str, Touchpoint] = {}
        for name, raw in as_mapping(self.data.get("touchpoints")).items():
            path: Path = ("touchpoints", name)
            if not isinstance(name, str) or not isinstance(raw, Mapping):
                continue
            channel = self.check.channel((*path, "channel"), raw.get("channel"))
            where_tree, where = self.check.where((*path, "where"), raw.get("where"))
            event = raw.get("event")
            if isinstance(event, str) and channel is not None:
                touchpoints[name] = Touchpoint(
                    name=name,
                    event=event,
                    channel=channel,
                    where=where,
                    where_tree=where_tree,
                    location=self.locator.key(path),
                )
        return touchpoints

    # Stages ----------------------------------------------------------------------------------

    def _stage_parts(self) -> dict[str, tuple[Stage, list[int]]]:
        """Each stage (without its actions yet) and the indexes of its actions."""
        raw_stages = self.data.get("stages")
        parts: dict[str, tuple[Stage, list[int]]] = {}
        has_entry = False
        for index, (name, raw_stage) in enumerate(as_mapping(raw_stages).items()):
            raw = as_mapping(raw_stage)
            if not isinstance(name, str):
                continue
            path: Path = ("stages", name)
            has_entry = has_entry or "entry" in raw
            is_terminal = raw.get("terminal") is True
            if is_terminal and raw.get("transitions"):
                self.check.report(
                    (*path, "transitions"),
                    "terminal-with-transitions",
                    f"terminal stage '{name}' cannot have transitions",
                    "remove 'terminal: true' or the transitions",
                    at_key=True,
                )
            stage = Stage(
                name=name,
                index=index,
                phase=self.check.phase((*path, "phase"), raw.get("phase")),
                entry=self.check.touchpoint_list((*path, "entry"), raw.get("entry")),
                is_terminal=is_terminal,
                expected_duration=self.check.duration(
                    (*path, "expected_duration"), raw.get("expected_duration")
                ),
                transitions=self._transitions(
                    (*path, "transitions"), raw.get("transitions"), source_stage=name
                ),
                friction=self._friction((*path, "friction"), raw.get("friction")),
                description=_text(raw.get("description")),
                location=self.locator.key(path),
                customer_actions=_texts(raw.get("customer_actions")),
                motivations=_texts(raw.get("motivations")),
                questions=_texts(raw.get("questions")),
                pain_points=_texts(raw.get("pain_points")),
            )
            parts[name] = (stage, self._actions_of((*path, "actions"), raw.get("actions"), name))
        if isinstance(raw_stages, Mapping) and raw_stages and not has_entry:
            self.check.report(
                ("stages",),
                "no-entry",
                "no stage has 'entry', so no customer can enter the journey",
                "add 'entry: [<touchpoint>, ...]' to the stage where customers start",
                at_key=True,
            )
        return parts

    def _transitions(
        self, path: Path, raw_list: object, *, source_stage: str | None
    ) -> tuple[Transition, ...]:
        if not isinstance(raw_list, list):
            return ()
        built = (
            self._transition((*path, index), raw, source_stage, index)
            for index, raw in enumerate(raw_list)
        )
        return tuple(transition for transition in built if transition is not None)

    def _transition(
        self, path: Path, raw_value: object, source_stage: str | None, index: int
    ) -> Transition | None:
        if not isinstance(raw_value, Mapping):
            return None
        raw: Mapping[str, Any] = raw_value
        check = self.check
        target = check.stage((*path, "to"), raw.get("to"))
        has_one_trigger = check.trigger(path, raw)
        location = self.locator.value(path)
        if has_one_trigger and ("after" in raw or "idle" in raw):
            key = "after" if "after" in raw else "idle"
            wait = check.timeout(path, raw, key)
            if target is None or wait is None:
                return None
            return Transition(
                target,
                source_stage,
                index,
                after=wait if key == "after" else None,
                idle=wait if key == "idle" else None,
                location=location,
            )
        touchpoints = check.touchpoint_list((*path, "when"), raw.get("when"))
        times, within = check.window(path, raw)
        tree, condition = check.condition((*path, "if"), raw.get("if"), allow_event=True)
        if target is None or not has_one_trigger or not touchpoints:
            return None
        return Transition(
            target,
            source_stage,
            index,
            touchpoints=touchpoints,
            condition=condition,
            condition_tree=tree,
            times=times,
            within=within,
            location=location,
        )

    def _friction(self, path: Path, raw_list: object) -> tuple[FrictionRule, ...]:
        if not isinstance(raw_list, list):
            return ()
        rules: list[FrictionRule] = []
        for index, raw_value in enumerate(raw_list):
            rule_path: Path = (*path, index)
            raw = as_mapping(raw_value)
            touchpoints = self.check.touchpoint_list((*rule_path, "when"), raw.get("when"))
            times, within = self.check.window(rule_path, raw)
            tree, condition = self.check.condition(
                (*rule_path, "if"), raw.get("if"), allow_event=True
            )
            label = raw.get("label")
            if isinstance(label, str) and touchpoints:
                rules.append(
                    FrictionRule(
                        label=label,
                        touchpoints=touchpoints,
                        times=times,
                        within=within,
                        condition=condition,
                        condition_tree=tree,
                        severity=_text(raw.get("severity")),
                        location=self.locator.value(rule_path),
                    )
                )
        return tuple(rules)

    # Actions -------------------------------------------------------------------------------

    def _actions_of(self, path: Path, raw_list: object, stage: str) -> list[int]:
        """Read a stage's actions; return their indexes in `self._actions`."""
        if not isinstance(raw_list, list):
            return []
        indexes = (self._action((*path, i), raw, (stage,)) for i, raw in enumerate(raw_list))
        return [index for index in indexes if index is not None]

    def _journey_actions(self) -> list[int]:
        """Read the journey-level actions; without `stages` one applies in every open stage."""
        raw_list = self.data.get("actions")
        if not isinstance(raw_list, list):
            return []
        open_stages = tuple(
            name
            for name, raw in as_mapping(self.data.get("stages")).items()
            if isinstance(name, str) and as_mapping(raw).get("terminal") is not True
        )
        indexes: list[int] = []
        for position, raw in enumerate(raw_list):
            path: Path = ("actions", position)
            raw_stages = as_mapping(raw).get("stages")
            stages = (
                open_stages
                if raw_stages is None
                else self.check.stage_list((*path, "stages"), raw_stages)
            )
            index = self._action(path, raw, stages)
            if index is not None:
                indexes.append(index)
        return indexes

    def _action(self, path: Path, raw_value: object, stages: tuple[str, ...]) -> int | None:
        if not isinstance(raw_value, Mapping):
            return None
        raw: Mapping[str, Any] = raw_value
        check = self.check
        action_id = raw.get("id")
        if isinstance(action_id, str):
            first = self._action_ids.get(action_id)
            if first is not None:
                check.report(
                    (*path, "id"),
                    "duplicate-action",
                    f"duplicate action id '{action_id}'{check.first_line(first)}",
                    "give each action its own id",
                )
                action_id = None
            else:
                self._action_ids[action_id] = (*path, "id")
        channel = check.channel((*path, "channel"), raw.get("channel"))
        tree, condition = check.condition((*path, "if"), raw.get("if"), allow_event=False)
        priority = raw.get("priority", 0)
        cooldown = check.duration((*path, "cooldown"), raw.get("cooldown"))
        if not isinstance(action_id, str) or channel is None:
            return None
        if isinstance(priority, bool) or not isinstance(priority, (int, float)):
            return None
        self._actions.append(
            Action(
                id=action_id,
                channel=channel,
                priority=_as_float(priority),
                order=len(self._actions),
                stages=stages,
                condition=condition,
                condition_tree=tree,
                cooldown=cooldown,
                max=check.count(raw.get("max")),
                description=_text(raw.get("description")),
                location=self.locator.value(path),
            )
        )
        return len(self._actions) - 1

    def _ordered_actions(self) -> list[Action]:
        """Set each action's `order` to its position in the file text.

        Stage actions and journey-level ones interleave by line; without places (a journey
        given as a mapping) the order is stage actions in stage order, then journey-level.
        """
        ranked = sorted(
            range(len(self._actions)),
            key=lambda i: _place(self._actions[i].location, i),
        )
        rank = {index: order for order, index in enumerate(ranked)}
        return [attrs.evolve(action, order=rank[i]) for i, action in enumerate(self._actions)]

    # Goals, contact policy, consent --------------------------------------------------------

    def _goals(self) -> dict[str, Goal]:
        goals: dict[str, Goal] = {}
        for name, raw_value in as_mapping(self.data.get("goals")).items():
            path: Path = ("goals", name)
            raw = as_mapping(raw_value)
            stage = self.check.stage((*path, "reach"), raw.get("reach"))
            if isinstance(name, str) and stage is not None:
                goals[name] = Goal(
                    name=name,
                    stage=stage,
                    within=self.check.duration((*path, "within"), raw.get("within")),
                    location=self.locator.key(path),
                )
        return goals

    def _contact_policy(self) -> dict[str, ContactPolicy]:
        policies: dict[str, ContactPolicy] = {}
        for channel, raw_value in as_mapping(self.data.get("contact_policy")).items():
            raw = as_mapping(raw_value)
            known = self.check.channel(("contact_policy", channel), channel, at_key=True)
            most = self.check.count(raw.get("max"))
            per = self.check.duration(("contact_policy", channel, "per"), raw.get("per"))
            if known is not None and most is not None and per is not None:
                policies[known] = ContactPolicy(channel=known, max=most, per=per)
        return policies

    def _consent(self) -> tuple[dict[str, Condition], dict[str, ConditionTree]]:
        conditions: dict[str, Condition] = {}
        trees: dict[str, ConditionTree] = {}
        for channel, raw in as_mapping(self.data.get("consent")).items():
            path: Path = ("consent", channel)
            known = self.check.channel(path, channel, at_key=True)
            tree, condition = self.check.condition(path, raw, allow_event=False)
            if known is not None and tree is not None and condition is not None:
                conditions[known] = condition
                trees[known] = tree
        return conditions, trees


def _as_float(number: float) -> float:
    """`number` as a float; a whole number beyond floats' range is an infinite priority."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def _place(location: Location | None, fallback: int) -> tuple[int, int, int]:
    if location is None:
        return (0, 0, fallback)
    return (location.line, location.column, fallback)


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Problems without repeats, by place; those without a place keep their order first."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: _place(p.location, 0)[:2])


def _compile(data: object, locator: Locator, problems: list[Problem], source: str) -> JourneyModel:
    hints = Hints()
    problems = problems + schema_problems(data, locator, hints)
    if not isinstance(data, Mapping):
        raise JourneyError(_sorted(problems))
    compiler = _Compiler(data, locator, hints)
    model = compiler.compile(source)
    problems += compiler.check.problems
    if problems:
        raise JourneyError(_sorted(problems))
    return model


def compile_journey(text: str, *, source: str) -> JourneyModel:
    """Compile the text of a journey file.

    Args:
        text: the YAML document.
        source: the name locations use, usually the file's path.

    Raises:
        JourneyError: with every problem of the file, sorted by line and column; or with
            one problem that quotes nothing of the file when it is too large or is not a
            journey file at all.
    """
    too_large = size_problem(text, source=source)
    if too_large is not None:
        raise JourneyError([too_large])
    document = read_document(text, source=source)
    if document.data is None and not document.problems:
        empty = Problem(
            Location(source, 1, 1),
            "empty-journey",
            "the journey file is empty",
            "start with 'journey: <name>' and 'stages:'",
        )
        raise JourneyError([empty])
    keys = document.root_keys
    if keys is None or keys.isdisjoint(journey_keys()):
        # Say nothing of what the file holds: it may be any file a scenario names.
        not_journey = Problem(
            Location(source, 1, 1),
            "not-a-journey",
            f"'{source}' is not a journey file: it is not a mapping with 'journey', "
            "'touchpoints' and 'stages'",
            "check the path; a journey file starts with 'journey: <name>'",
        )
        raise JourneyError([not_journey])
    if document.data is None:
        raise JourneyError(document.problems)
    with gc_paused():
        return _compile(document.data, document.locator, document.problems, source)


def compile_mapping(data: Mapping[str, Any], *, source: str = "<mapping>") -> JourneyModel:
    """Compile a journey given as a Python mapping (same checks; problems have no place).

    Raises:
        JourneyError: with every problem found.
    """
    return _compile(data, Locator(source), [], source)
