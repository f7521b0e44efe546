"""Reading `experiments` and `send_windows` (section 10 of the DSL specification).

The schema has checked their shape; these readers check what it cannot say: weights that
are positive numbers, a holdout that is one of the arms, day names, `HH:MM-HH:MM` hours
and time zones, each reported at the node at fault with the fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType

from customer_journey.dsl._checks import Checker, as_mapping
from customer_journey.dsl._hints import listed
from customer_journey.dsl._schema import show
from customer_journey.dsl._yaml import Path
from customer_journey.model import DAY_NAMES, Experiment, SendWindow

__all__ = ["read_experiments", "read_send_windows"]

_CLOCK = r"([01][0-9]|2[0-3]):([0-5][0-9])"
_HOURS = re.compile(rf"{_CLOCK}-(?:{_CLOCK}|(24):(00))")
_DAY = {name: index for index, name in enumerate(DAY_NAMES)}
_TRAIT = "customer."


def read_experiments(check: Checker) -> dict[str, Experiment]:
    """Each well-formed experiment, in file order; every mistake is reported."""
    experiments: dict[str, Experiment] = {}
    for name, raw_value in as_mapping(check.data.get("experiments")).items():
        if not isinstance(name, str):
            continue
        path: Path = ("experiments", name)
        raw = as_mapping(raw_value)
        arms = _weights(check, (*path, "arms"), as_mapping(raw.get("arms")))
        holdout = raw.get("holdout")
        if isinstance(holdout, str) and holdout not in check.experiments[name]:
            arm_names = check.experiments[name]
            hint = check.hints.closest(holdout, arm_names) or (
                f"the arms are {listed(arm_names)}" if arm_names else "declare the arms first"
            )
            message = f"holdout '{holdout}' is not an arm of experiment '{name}'"
            check.report((*path, "holdout"), "bad-holdout", message, hint)
            arms = None
        salt = raw.get("salt", name)
        if arms and isinstance(salt, str):
            experiments[name] = Experiment(
                id=name,
                arms=MappingProxyType(arms),
                salt=salt,
                holdout=holdout if isinstance(holdout, str) else None,
                location=check.locator.key(path),
            )
    return experiments


def _weights(check: Checker, path: Path, raw: Mapping[object, object]) -> dict[str, float] | None:
    """Arm -> weight, or None when a weight was reported."""
    weights: dict[str, float] = {}
    fine = True
    for arm, weight in raw.items():
        if not isinstance(arm, str):
            continue
        is_number = isinstance(weight, (int, float)) and not isinstance(weight, bool)
        if not is_number or not math.isfinite(weight) or weight <= 0:  # type: ignore[arg-type,operator]  # a number, just checked
            message = f"the weight of arm '{arm}' must be a positive number (got {show(weight)})"
            hint = "weights are shares, such as 'control: 10' and 'treated: 90'"
            check.report((*path, arm), "bad-weight", message, hint)
            fine = False
            continue
        weights[arm] = float(weight)  # type: ignore[arg-type]
    return weights if fine else None


def read_send_windows(check: Checker) -> dict[str, SendWindow]:
    """Each well-formed send window, by channel; every mistake is reported."""
    windows: dict[str, SendWindow] = {}
    for channel, raw_value in as_mapping(check.data.get("send_windows")).items():
        path: Path = ("send_windows", channel)
        known = check.channel(path, channel, at_key=True)
        raw = as_mapping(raw_value)
        days = _days(check, (*path, "days"), raw.get("days"))
        hours = _hours(check, (*path, "hours"), raw.get("hours"))
        zone, trait, zone_fine = _zone(check, (*path, "timezone"), raw.get("timezone"))
        if known is None or days is None or hours is None or not zone_fine:
            continue
        windows[known] = SendWindow(
            channel=known,
            days=days,
            start=hours[0],
            end=hours[1],
            timezone=zone,
            trait=trait,
            location=check.locator.key(path),
        )
    return windows


def _days(check: Checker, path: Path, raw: object) -> frozenset[int] | None:
    """The weekdays of `days` (every day when absent), or None when one was reported."""
    if raw is None:
        return frozenset(range(7))
    if not isinstance(raw, list) or not raw:
        return None  # the schema reported it
    days: set[int] = set()
    fine = True
    for index, name in enumerate(raw):
        if not isinstance(name, str):
            fine = False  # the schema reported it
        elif name not in _DAY:
            hint = check.hints.closest(name, DAY_NAMES) or f"the days are {listed(DAY_NAMES)}"
            check.report((*path, index), "bad-day", f"unknown day '{name}'", hint)
            fine = False
        else:
            days.add(_DAY[name])
    return frozenset(days) if fine else None


def _hours(check: Checker, path: Path, raw: object) -> tuple[int, int] | None:
    """`hours` as (start, end) minutes of the day, or None when it was reported."""
    if not isinstance(raw, str):
        return None  # the schema reported it
    found = _HOURS.fullmatch(raw)
    if found is None:
        message = f"'hours' must be HH:MM-HH:MM such as 09:00-20:00 (got '{raw}')"
        hint = "write both times with two digits each; 24:00 may end a window"
        check.report(path, "bad-hours", message, hint)
        return None
    # The fifth group matched when the window ends at 24:00.
    start_hour, start_minute, end_hour, end_minute, day_end, _ = found.groups()
    start = int(start_hour) * 60 + int(start_minute)
    end = 1440 if day_end else int(end_hour) * 60 + int(end_minute)
    if start == end:
        message = f"'hours' must not start and end at the same time (got '{raw}')"
        check.report(path, "bad-hours", message, "for a window open all day write 00:00-24:00")
        return None
    return start, end


def _zone(check: Checker, path: Path, raw: object) -> tuple[str | None, str | None, bool]:
    """(IANA zone, trait, fine) of a window's `timezone`: one of the first two, or neither."""
    if raw is None or not isinstance(raw, str):
        return None, None, raw is None  # a non-text value: the schema reported it
    if raw.startswith(_TRAIT) and len(raw) > len(_TRAIT):
        return None, raw.removeprefix(_TRAIT), True
    return raw, None, check.zone(path, raw) is not None
