"""Semantic checks of a journey file: what its names refer to, and what goes together.

The schema has already said what is malformed; these checks say what is wrong although
well formed: a transition to a stage that does not exist, `times` without `within`, a
timeout with a condition. They read the raw data defensively (a malformed part is
skipped, never crashed on), so a marketer gets every mistake of a file in one go.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from customer_journey._durations import LONGEST_TEXT, is_too_long, parse_duration
from customer_journey.dsl._condition_compile import compile_if, compile_where
from customer_journey.dsl._conditions import Locate, Report, parse_if, parse_where
from customer_journey.dsl._hints import Hints
from customer_journey.dsl._patterns import Patterns
from customer_journey.dsl._schema import describe, show
from customer_journey.dsl._yaml import Locator, Path
from customer_journey.errors import Location, Problem
from customer_journey.model import AttributeCondition, Condition, ConditionTree

__all__ = ["Checker", "as_mapping"]


#: The keys that trigger a transition; a transition has exactly one.
_TRIGGERS = ("when", "after", "idle")


def as_mapping(value: object) -> Mapping[Any, Any]:
    """`value` when it is a mapping, else an empty one (the schema reported the mistake)."""
    return value if isinstance(value, Mapping) else {}


class Checker:
    """Reports problems at the node at fault while the compiler reads the journey.

    Attributes:
        data: the whole journey, as parsed.
        locator: where each node was written.
        problems: every problem found so far.
        touchpoints, stages, phases, channels: the names the journey declares, in file
            order (dicts, so that looking a name up takes the same time in any journey).
        experiments: experiment id -> its arms, as written (for `experiment.<id>`).
        hints: the file's 'did you mean' hints.
        patterns: the journey's `matches` patterns.
    """

    def __init__(self, data: Mapping[str, Any], locator: Locator, hints: Hints) -> None:
        self.data = data
        self.locator = locator
        self.problems: list[Problem] = []
        self.touchpoints = _names(data.get("touchpoints"))
        self.stages = _names(data.get("stages"))
        self.experiments = {
            name: _names(as_mapping(raw).get("arms"))
            for name, raw in as_mapping(data.get("experiments")).items()
            if isinstance(name, str)
        }
        self.phases: dict[str, None] = {}
        self.channels: dict[str, None] = {}
        self.hints = hints
        self.patterns = Patterns()

    def location(self, path: Path, *, at_key: bool = False) -> Location | None:
        """Where the node (or, with `at_key`, its key) at `path` is, else its nearest parent."""
        found = self.locator.key(path) if at_key else self.locator.value(path)
        return found or self.locator.nearest(path)

    def report(
        self, path: Path, code: str, message: str, hint: str | None = None, *, at_key: bool = False
    ) -> None:
        """Record a problem at `path`."""
        self.problems.append(Problem(self.location(path, at_key=at_key), code, message, hint))

    def first_line(self, path: Path) -> str:
        """` (first at line L)` for a name first written at `path`, or nothing without places."""
        location = self.location(path)
        return f" (first at line {location.line})" if location else ""

    # Names the journey declares -------------------------------------------------------

    def name_list(self, key: str, default: Sequence[str]) -> dict[str, None]:
        """Read `phases` or `channels`: the default when absent; duplicates are reported."""
        raw = self.data.get(key)
        if not isinstance(raw, list):
            return dict.fromkeys(default)
        names: dict[str, int] = {}
        for index, name in enumerate(raw):
            if not isinstance(name, str):
                continue
            if name in names:
                what = key.removesuffix("s")
                first = self.first_line((key, names[name]))
                self.report((key, index), f"duplicate-{what}", f"duplicate {what} '{name}'{first}")
                continue
            names[name] = index
        return dict.fromkeys(names)

    def timezone(self) -> str:
        """Read `timezone` (default UTC); an unknown IANA name is reported."""
        raw = self.data.get("timezone", "UTC")
        if not isinstance(raw, str):
            return "UTC"
        self.zone(("timezone",), raw)
        return raw

    def zone(self, path: Path, name: str) -> str | None:
        """The IANA zone `name` at `path`, or None when it is reported as unknown."""
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            hint = self.hints.closest(name, zoneinfo.available_timezones()) or (
                "use an IANA name such as 'Europe/Paris' or 'UTC'"
            )
            self.report(path, "unknown-timezone", f"unknown timezone '{name}'", hint)
            return None
        return name

    # References --------------------------------------------------------------------------

    def _known(
        self, path: Path, what: str, name: str, names: dict[str, None], *, at_key: bool = False
    ) -> bool:
        if name in names:
            return True
        hint = self.hints.unknown(what, name, names)
        self.report(path, f"unknown-{what}", f"unknown {what} '{name}'", hint, at_key=at_key)
        return False

    def stage(self, path: Path, raw: object) -> str | None:
        """A stage name at `path`, or None when it is malformed or unknown."""
        if isinstance(raw, str) and self._known(path, "stage", raw, self.stages):
            return raw
        return None

    def phase(self, path: Path, raw: object) -> str | None:
        """A phase name at `path`, or None when it is malformed or unknown."""
        if isinstance(raw, str) and self._known(path, "phase", raw, self.phases):
            return raw
        return None

    def channel(self, path: Path, raw: object, *, at_key: bool = False) -> str | None:
        """A channel name at `path` (a value, or a key with `at_key`), or None."""
        if isinstance(raw, str) and self._known(path, "channel", raw, self.channels, at_key=at_key):
            return raw
        return None

    def touchpoint_list(self, path: Path, raw: object) -> tuple[str, ...]:
        """The known touchpoints of a `when` or `entry` (one name or a list of them)."""
        if isinstance(raw, str):
            return (raw,) if self._known(path, "touchpoint", raw, self.touchpoints) else ()
        if not isinstance(raw, list):
            return ()
        return tuple(
            name
            for index, name in enumerate(raw)
            if isinstance(name, str)
            and self._known((*path, index), "touchpoint", name, self.touchpoints)
        )

    def stage_list(self, path: Path, raw: object) -> tuple[str, ...]:
        """The known stages of a list of stage names."""
        if not isinstance(raw, list):
            return ()
        return tuple(
            name for index, name in enumerate(raw) if self.stage((*path, index), name) is not None
        )

    # Values --------------------------------------------------------------------------------

    def duration(self, path: Path, raw: object) -> timedelta | None:
        """The duration at `path`, or None when it is absent or reported."""
        if raw is None:
            return None
        duration = parse_duration(raw)
        if duration is not None:
            return duration
        key = f"'{path[-1]}'"
        if is_too_long(raw):
            message = f"{key} must be at most {LONGEST_TEXT} (got {raw})"
            hint = "a journey's durations are shorter than a customer's life"
            self.report(path, "bad-duration", message, hint)
        else:
            # The schema reports the same problem (the two become one), except for text its
            # pattern lets through: `7d` followed by a newline.
            message = f"{key} must be a duration such as 7d or 36h (got {show(raw)})"
            self.report(path, "bad-duration", message)
        return None

    @staticmethod
    def count(raw: object) -> int | None:
        """A whole number of at least 1, or None (the schema reported anything else)."""
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            return None
        if isinstance(raw, float) and not raw.is_integer():  # infinity and NaN too
            return None
        return int(raw) if raw >= 1 else None

    def window(self, path: Path, raw: Mapping[str, Any]) -> tuple[int | None, timedelta | None]:
        """`times` and `within`, which only make sense together."""
        if "times" in raw and "within" not in raw:
            self.report(
                (*path, "times"),
                "times-without-within",
                f"{describe(path, self.data)} has 'times' but no 'within'",
                "add the window the touchpoints are counted in, such as 'within: 7d'",
                at_key=True,
            )
        if "within" in raw and "times" not in raw:
            self.report(
                (*path, "within"),
                "within-without-times",
                f"{describe(path, self.data)} has 'within' but no 'times'",
                "add how many times the touchpoints must be seen, such as 'times: 3'",
                at_key=True,
            )
        return self.count(raw.get("times")), self.duration((*path, "within"), raw.get("within"))

    def trigger(self, path: Path, raw: Mapping[str, Any]) -> bool:
        """Report a transition with more or fewer than one of `when`, `after` and `idle`."""
        owner = describe(path, self.data)
        given = [key for key in _TRIGGERS if key in raw]
        if len(given) > 1:
            first, second = given[:2]
            hint = (
                "keep one: 'when' for touchpoints, 'after' for a timeout"
                if given == ["when", "after"]
                else "keep one: 'when' for touchpoints, 'after' or 'idle' for a timeout"
            )
            self.report(
                (*path, second),
                "bad-trigger",
                f"{owner} has both '{first}' and '{second}'",
                hint,
                at_key=True,
            )
            return False
        if not given:
            message = f"{owner} needs 'when' (touchpoints), 'after' or 'idle' (a timeout)"
            self.report(path, "bad-trigger", message)
            return False
        return True

    def timeout(self, path: Path, raw: Mapping[str, Any], key: str) -> timedelta | None:
        """Read `after` or `idle` (`key`); a timeout takes no condition and no counting window."""
        for extra in ("if", "times", "within"):
            if extra in raw:
                self.report(
                    (*path, extra),
                    "bad-timeout",
                    f"a timeout transition ('{key}') cannot have '{extra}'",
                    "move it to a transition with 'when', or remove it",
                    at_key=True,
                )
        wait = self.duration((*path, key), raw.get(key))
        if wait is not None and not wait:
            # Two stages timing out into each other after 0s would move a customer back and
            # forth for ever at one instant.
            self.report(
                (*path, key),
                "bad-timeout",
                f"a timeout ('{key}') must be longer than 0s",
                "a customer would leave at the moment they enter; give a duration such as 1m",
            )
            return None
        return wait

    # Conditions ----------------------------------------------------------------------------

    def _reporter(self, base: Path) -> Report:
        def report(
            path: Path,
            code: str,
            message: str,
            hint: str | None,
            at_key: bool,  # noqa: FBT001  # the condition reader's positional `Report`
        ) -> None:
            self.report((*base, *path), code, message, hint, at_key=at_key)

        return report

    def _locator(self, base: Path) -> Locate:
        def locate(path: Path, at_key: bool) -> Location | None:  # noqa: FBT001  # a `Locate`
            return self.location((*base, *path), at_key=at_key)

        return locate

    def where(
        self, path: Path, raw: object
    ) -> tuple[ConditionTree, AttributeCondition] | tuple[None, None]:
        """Read and compile a touchpoint's `where`; (None, None) when absent or malformed."""
        if not isinstance(raw, Mapping):
            return None, None
        tree = parse_where(
            raw,
            report=self._reporter(path),
            locate=self._locator(path),
            patterns=self.patterns,
            hints=self.hints,
        )
        if tree is None:
            return None, None
        return tree, compile_where(tree, self.patterns.compile)

    def condition(
        self, path: Path, raw: object, *, allow_event: bool
    ) -> tuple[ConditionTree, Condition] | tuple[None, None]:
        """Read and compile an `if` (or consent); (None, None) when absent or malformed."""
        if not isinstance(raw, Mapping):
            return None, None
        tree = parse_if(
            raw,
            touchpoints=self.touchpoints,
            stages=self.stages,
            allow_event=allow_event,
            report=self._reporter(path),
            locate=self._locator(path),
            patterns=self.patterns,
            hints=self.hints,
            experiments=self.experiments,
        )
        if tree is None:
            return None, None
        return tree, compile_if(tree, self.patterns.compile)


def _names(raw: object) -> dict[str, None]:
    """The text keys of a mapping, in file order."""
    return dict.fromkeys(name for name in as_mapping(raw) if isinstance(name, str))
