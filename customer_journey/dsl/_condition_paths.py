"""What the paths of conditions read, checked when a condition is read and bound when compiled.

In a `where`, every name is an attribute of the event (dotted for nested ones). In an `if`
(transitions, friction rules, actions, consent), a path is one of section 4's: the current
event's attributes, traits, counts, visits, time in stage, stalled and experiment
arms. Reading a condition
checks its paths against the journey's names (with 'did you mean' hints) and learns what
kind of operand each takes; compiling binds each path to a getter specialised for it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from operator import attrgetter
from typing import Any

from customer_journey.dsl._hints import Hints
from customer_journey.model import MISSING, ConditionContext, Kind, ValueTest

__all__ = ["Bind", "IfPaths", "KeyReport", "bind_if", "bind_where", "where_path"]

#: Turns a value test into a predicate on what the condition reads.
Bind = Callable[[ValueTest], Callable[[Any], bool]]
#: `(code, message, hint)` about a path key.
KeyReport = Callable[[str, str, str | None], None]

_COUNTED = {
    "count": ("counts", "touchpoint"),
    "stage_count": ("stage_counts", "touchpoint"),
    "visited": ("visits", "stage"),
}
#: The paths without a name after them, and the kind of operand each takes.
_FIXED = {"time_in_stage": Kind.DURATION, "stalled": Kind.BOOL}
_PLACEHOLDER = {
    "event": "attribute",
    "customer": "trait",
    "count": "touchpoint",
    "stage_count": "touchpoint",
    "visited": "stage",
    "experiment": "experiment",
}


def _lookup(name: str) -> Callable[[Mapping[str, Any]], Any]:
    """Return a getter for attribute `name`: the literal key first, then the dotted walk."""
    first, *parts = name.split(".")

    def get(mapping: Mapping[str, Any]) -> Any:
        value = mapping.get(name)
        if value is not None:
            return value
        current = mapping.get(first)
        for part in parts:
            if type(current) is not dict and not isinstance(current, Mapping):
                return MISSING
            current = current.get(part)
        return current

    return get


def bind_where(name: str, source: Callable[[Any], Mapping[str, Any] | None] | None = None) -> Bind:
    """Bind a value test to attribute `name` of the input, or of the mapping `source` gives.

    A plain name is a single `get`; `source` returning None (no current event) is missing.
    """
    get = _lookup(name) if "." in name else None
    if source is None:
        if get is not None:
            return lambda test: lambda attributes: test(get(attributes))
        return lambda test: lambda attributes: test(attributes.get(name))

    def bind(test: ValueTest) -> Callable[[Any], bool]:
        def check(x: Any) -> bool:
            mapping = source(x)
            if mapping is None:
                return test(MISSING)
            return test(mapping.get(name) if get is None else get(mapping))

        return check

    return bind


def _bind_count(field: str, name: str) -> Bind:
    """Bind to `ctx.<field>[name]` with a default of 0 (counts, stage_counts, visits)."""
    counts = attrgetter(field)
    return lambda test: lambda ctx: test(counts(ctx).get(name, 0))


# attrgetter reads a context's field without a Python-level call.
_event_attributes: Callable[[ConditionContext], Mapping[str, Any] | None]
_event_attributes = attrgetter("event_attributes")
_traits: Callable[[ConditionContext], Mapping[str, Any]] = attrgetter("traits")
_arms: Callable[[ConditionContext], Mapping[str, Any] | None] = attrgetter("arms")
_FIXED_BINDS: dict[str, Bind] = {
    "time_in_stage": lambda test: lambda ctx: test(ctx.time_in_stage),
    "stalled": lambda test: lambda ctx: test(ctx.is_stalled),
}


def bind_if(path: str) -> Bind:
    """Bind a value test to an `if` path that `IfPaths` accepted."""
    root, _, rest = path.partition(".")
    if root == "event":
        return bind_where(rest, _event_attributes)
    if root == "customer":
        return bind_where(rest, _traits)
    if root == "experiment":
        return _bind_arm(rest)
    if root in _COUNTED:
        return _bind_count(_COUNTED[root][0], rest)
    return _FIXED_BINDS[path]


def _bind_arm(experiment: str) -> Bind:
    """Bind to the customer's arm in `experiment` (an id is never read as a dotted walk)."""

    def bind(test: ValueTest) -> Callable[[Any], bool]:
        def check(ctx: ConditionContext) -> bool:
            arms = ctx.arms
            return test(MISSING if arms is None else arms.get(experiment, MISSING))

        return check

    return bind


def where_path(path: str, report: KeyReport) -> tuple[bool, Kind | None]:
    """Every name is a valid attribute path in `where`, with operands of any kind."""
    del path, report
    return True, None


class IfPaths:
    """Checks the paths of an `if` condition against the journey's names.

    Attributes:
        experiments: experiment id -> its arms, for `experiment.<id>` paths.
    """

    def __init__(
        self, touchpoints: Collection[str], stages: Collection[str], *, allow_event: bool,
        hints: Hints, experiments: Mapping[str, Collection[str]] | None = None,
    ) -> None:  # fmt: skip
        self.touchpoints = touchpoints
        self.stages = stages
        self.allow_event = allow_event
        self.hints = hints
        self.experiments: Mapping[str, Collection[str]] = experiments or {}

    def choices(self, path: str) -> tuple[str, Collection[str]] | None:
        """For an `experiment.<id>` path of a known experiment: (its id, its arms), else None.

        Operands compared for equality with such a path must be among these names.
        """
        root, _, rest = path.partition(".")
        if root != "experiment" or rest not in self.experiments:
            return None
        return rest, self.experiments[rest]

    def __call__(self, path: str, report: KeyReport) -> tuple[bool, Kind | None]:
        """Whether `path` is known, and the kind of operand it takes (None: any)."""
        root, _, rest = path.partition(".")
        if root == "event" and rest:
            if self.allow_event:
                return True, None
            message = f"'{path}' can only be used in transition and friction conditions"
            report("event-path-not-allowed", message, None)
            return False, None
        if root == "customer" and rest:
            return True, None
        if (root in _COUNTED or root == "experiment") and rest:
            what = _COUNTED[root][1] if root in _COUNTED else root
            names = {
                "touchpoint": self.touchpoints,
                "stage": self.stages,
                "experiment": self.experiments,
            }[what]
            known = self._known(what, rest, names, report)
            kind = Kind.STRING if what == "experiment" else Kind.NUMBER
            return known, kind if known else None
        if path in _FIXED:
            return True, _FIXED[path]
        self._unknown(path, rest, report)
        return False, None

    def _known(self, what: str, name: str, names: Collection[str], report: KeyReport) -> bool:
        if name in names:
            return True
        report(f"unknown-{what}", f"unknown {what} '{name}'", self.hints.unknown(what, name, names))
        return False

    def _unknown(self, path: str, rest: str, report: KeyReport) -> None:
        # `experiment.<id>` is offered only in journeys that have experiments.
        every = ("event", "customer", "count", "stage_count", "visited", "experiment")
        roots = every[not self.allow_event : None if self.experiments else -1]
        if rest:  # a misspelt root, such as 'evnt.page'
            root = path.partition(".")[0]
            choices = [f"{r}.{rest}" for r in roots if self.hints.closest(root, [r])]
        else:  # a bare name: a fixed path, or an attribute or trait missing its root
            named = (f"{r}.{path}" for r in roots if r in ("event", "customer"))
            choices = ["time_in_stage", "stalled", *named]
        suggestion = self.hints.closest(path, choices)
        bare = path.rstrip(".")
        if bare in roots:  # 'count' without a touchpoint
            suggestion = f"did you mean '{bare}.<{_PLACEHOLDER[bare]}>'?"
        allowed = ", ".join(f"'{r}.<{_PLACEHOLDER[r]}>'" for r in roots)
        hint = suggestion or f"paths are {allowed}, 'time_in_stage' and 'stalled'"
        report("unknown-path", f"unknown path '{path}'", hint)
