"""Scenario coverage: which stages, transitions, friction rules and actions a suite exercised.

Like line coverage, for journeys. Every stage, transition, declared friction rule and
action of the journey is an item; a replay covers a stage it entered, a transition its
trace shows firing, a friction rule it flagged and an action it offered. Actions held back
are noted beside the action, but only an offer covers it.

Total coverage is covered items over all items, the four kinds together, as a percentage.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import attrs

from customer_journey.engine import ReplayResult
from customer_journey.errors import Location
from customer_journey.journey import Journey
from customer_journey.model import Transition
from customer_journey.testing._path_report import transition_name
from customer_journey.testing._scenarios import ScenarioFileResult

__all__ = [
    "COVERAGE_KINDS",
    "Coverage",
    "CoverageItem",
    "coverage_of",
    "scenario_coverage",
    "total_percent",
]

CoverageKind = Literal["stage", "transition", "friction", "action"]
#: The kinds of item, in the order reports list them.
COVERAGE_KINDS: tuple[CoverageKind, ...] = ("stage", "transition", "friction", "action")
_PLURALS = {
    "stage": "stages",
    "transition": "transitions",
    "friction": "friction",
    "action": "actions",
}


@attrs.frozen
class CoverageItem:
    """One thing a journey can do, and whether the suite made it happen.

    Attributes:
        kind: `stage` (entered), `transition` (fired), `friction` (a declared friction rule
            flagged) or `action` (offered).
        name: the stage's name, the transition's (`aware -> lapsed after 30d`), the
            friction rule's (`considering: Price hesitation`) or the action's id.
        location: where it is declared.
        covered: some replay did it.
        suppressed: for actions, the reasons the action was held back, when it was.
    """

    kind: CoverageKind
    name: str
    location: Location | None
    covered: bool
    suppressed: tuple[str, ...] = ()

    def describe(self) -> str:
        """`file:line:column: kind name`, with the reasons an action was held back."""
        where = f"{self.location}: " if self.location else ""
        held = f" (suppressed: {', '.join(self.suppressed)})" if self.suppressed else ""
        return f"{where}{self.kind} {self.name}{held}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        return {
            "kind": self.kind,
            "name": self.name,
            "location": str(self.location) if self.location else None,
            "covered": self.covered,
            "suppressed": list(self.suppressed),
        }


def _percent(covered: int, total: int) -> float:
    """Nothing to cover counts as fully covered."""
    return 100.0 if total == 0 else 100.0 * covered / total


@attrs.frozen
class Coverage:
    """What a set of replays of one journey exercised.

    Attributes:
        journey: the journey's name.
        source: the file it was loaded from.
        replays: how many replays (scenarios) were counted.
        items: every stage, transition, friction rule and action, in that order.
    """

    journey: str
    source: str
    replays: int
    items: tuple[CoverageItem, ...]

    def counts(self, kind: CoverageKind | None = None) -> tuple[int, int]:
        """(covered, total) for one kind, or for all items."""
        items = [item for item in self.items if kind is None or item.kind == kind]
        return sum(item.covered for item in items), len(items)

    def percent(self, kind: CoverageKind | None = None) -> float:
        """Covered over total, as a percentage, for one kind or for all items."""
        return _percent(*self.counts(kind))

    @property
    def uncovered(self) -> tuple[CoverageItem, ...]:
        """The items no replay covered, in report order."""
        return tuple(item for item in self.items if not item.covered)

    def describe(self) -> str:
        """The coverage table, then each item not covered with its place."""
        lines = [
            f"coverage of '{self.journey}' ({self.source}), {self.replays} scenarios",
            f"  {'kind':<12} {'covered':>7} {'total':>5} {'percent':>7}",
        ]
        rows = [(_PLURALS[kind], *self.counts(kind)) for kind in COVERAGE_KINDS]
        rows.append(("total", *self.counts()))
        for label, covered, total in rows:
            share = f"{_percent(covered, total):.1f}%"
            lines.append(f"  {label:<12} {covered:>7} {total:>5} {share:>7}")
        missed = self.uncovered
        if missed:
            lines.append("not covered:")
            lines.extend(f"  {item.describe()}" for item in missed)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping with a stable key order."""
        kinds: dict[str, Any] = {}
        for kind in COVERAGE_KINDS:
            covered, total = self.counts(kind)
            kinds[_PLURALS[kind]] = _totals(covered, total)
        return {
            "journey": self.journey,
            "source": self.source,
            "replays": self.replays,
            "kinds": kinds,
            "total": _totals(*self.counts()),
            "items": [item.to_dict() for item in self.items],
        }


def _totals(covered: int, total: int) -> dict[str, Any]:
    return {"covered": covered, "total": total, "percent": round(_percent(covered, total), 2)}


def coverage_of(journey: Journey, results: Iterable[ReplayResult]) -> Coverage:
    """What replays of `journey` exercised; transitions are seen only in traced replays."""
    model = journey.model
    entered: set[str] = set()
    fired: set[tuple[str | None, int]] = set()
    flagged: set[tuple[str, str]] = set()
    offered: set[str] = set()
    held: dict[str, dict[str, None]] = {}
    replays = 0
    for result in results:
        replays += 1
        entered.update(visit.stage for visit in result.path)
        fired.update(_key(step.transition) for step in result.trace or () if step.transition)
        flagged.update((p.stage, p.label) for p in result.friction if p.kind == "declared")
        offered.update(recommendation.action for recommendation in result.next_actions)
        for suppression in result.suppressed:
            held.setdefault(suppression.action, {})[suppression.reason] = None
    items = [
        CoverageItem("stage", name, stage.location, name in entered)
        for name, stage in model.stages.items()
    ]
    transitions = [t for stage in model.stages.values() for t in stage.transitions]
    items.extend(
        CoverageItem("transition", transition_name(t), t.location, _key(t) in fired)
        for t in (*transitions, *model.anywhere)
    )
    items.extend(
        CoverageItem(
            "friction", f"{name}: {rule.label}", rule.location, (name, rule.label) in flagged
        )
        for name, stage in model.stages.items()
        for rule in stage.friction
    )
    actions = {action.id: action for action in model.actions}
    for stage in model.stages.values():
        for action in stage.actions:
            actions.setdefault(action.id, action)
    items.extend(
        CoverageItem("action", name, action.location, name in offered, tuple(held.get(name, ())))
        for name, action in actions.items()
    )
    return Coverage(model.name, model.source, replays, tuple(items))


def _key(transition: Transition) -> tuple[str | None, int]:
    """Transitions are matched by place, not identity: each scenario file loads its journey."""
    return transition.source, transition.index


def scenario_coverage(outcomes: Iterable[ScenarioFileResult]) -> tuple[Coverage, ...]:
    """Coverage of each journey that scenario files ran against, in the order first met."""
    journeys: dict[str, Journey] = {}
    results: dict[str, list[ReplayResult]] = {}
    for outcome in outcomes:
        key = outcome.journey.source
        journeys.setdefault(key, outcome.journey)
        results.setdefault(key, []).extend(result.result for result in outcome.results)
    return tuple(coverage_of(journeys[key], results[key]) for key in journeys)


def total_percent(coverages: Iterable[Coverage]) -> float:
    """Covered items over all items, across several journeys, as a percentage."""
    covered = total = 0
    for coverage in coverages:
        done, size = coverage.counts()
        covered += done
        total += size
    return _percent(covered, total)
