"""Experiments and send windows (section 10 of the DSL specification), as pure values.

An experiment assigns each customer an arm by a hash of its salt and the customer id, so
any system can compute the same arms; a send window says when a channel's actions may be
offered, and when it next opens. Both are pure functions of their inputs: no clock, no
randomness, no environment.
"""

from __future__ import annotations

import functools
import hashlib
import zoneinfo
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

import attrs

from customer_journey.errors import Location

__all__ = ["DAY_NAMES", "Experiment", "SendWindow", "assign_arm", "zone_named"]

#: The weekday names of `days`, Monday first (`datetime.weekday()` order).
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_UTC = timezone.utc
_MINUTE = timedelta(minutes=1)
#: How far ahead a closed window is searched for its next opening: every window opens on
#: some weekday, so within a week and a day of any moment.
_HORIZON = timedelta(days=8)


def assign_arm(salt: str, customer: str, thresholds: tuple[tuple[float, str], ...]) -> str:
    """The arm of `customer`: the first whose cumulative share is greater than `u`.

    `u = int.from_bytes(sha256(f"{salt}:{customer}").digest()[:8], "big") / 2**64`, in
    [0, 1); `thresholds` pairs each arm with its cumulative weight over the total weight,
    in file order (the last is 1.0).
    """
    digest = hashlib.sha256(f"{salt}:{customer}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    for share, arm in thresholds:
        if share > u:
            return arm
    return thresholds[-1][1]  # unreachable: the last share is 1.0 and u < 1


@attrs.frozen
class Experiment:
    """A deterministic split of customers into weighted arms (section 10).

    Attributes:
        id: the experiment's key in the journey file.
        arms: arm -> weight, in file order.
        salt: what the customer id is hashed with (default: the id).
        holdout: the arm whose customers get no actions, or None.
        location: where it is declared.
    """

    id: str
    arms: Mapping[str, float]
    salt: str
    holdout: str | None = None
    location: Location | None = None
    thresholds: tuple[tuple[float, str], ...] = attrs.field(init=False, eq=False, repr=False)

    @thresholds.default
    def _thresholds(self) -> tuple[tuple[float, str], ...]:
        total = sum(self.arms.values())
        found: list[tuple[float, str]] = []
        running = 0.0
        for arm, weight in self.arms.items():
            running += weight
            found.append((running / total, arm))
        return tuple(found)

    def arm_of(self, customer: str) -> str:
        """The arm of `customer` (its id as text), the same on every run and machine."""
        return assign_arm(self.salt, customer, self.thresholds)


@functools.lru_cache(maxsize=512)
def zone_named(name: object) -> zoneinfo.ZoneInfo | None:
    """The IANA zone called `name`, or None when `name` is not text naming one.

    Cached: traits repeat the same few zones across customers, and a lookup that fails is
    as costly as one that succeeds.
    """
    if not isinstance(name, str) or not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


@attrs.frozen
class SendWindow:
    """When a channel's actions may be offered: days, hours and the zone they are read in.

    Attributes:
        channel: the channel it governs.
        days: weekdays it opens on, 0 for Monday (`datetime.weekday()`).
        start: minute of the day it opens (included).
        end: minute of the day it closes (excluded; 1440 for `24:00`). A start later
            than the end crosses midnight: open from `start` to the end of the day and
            from the start of the day to `end`, on each of `days` (the weekday checked is
            always the moment's own local weekday).
        timezone: the IANA zone it is read in, or None for the journey's.
        trait: with `timezone: customer.<trait>`, the trait naming the zone, else None.
        location: where it is declared.
    """

    channel: str
    days: frozenset[int]
    start: int
    end: int
    timezone: str | None = None
    trait: str | None = None
    location: Location | None = None

    def zone(self, traits: Mapping[str, object], fallback: str) -> zoneinfo.ZoneInfo:
        """The zone it is read in for a customer with these traits.

        A trait zone counts only when its latest value names a valid IANA zone; otherwise
        (and without `timezone`) the journey's zone, `fallback`.
        """
        if self.trait is not None:
            found = zone_named(traits.get(self.trait))
            if found is not None:
                return found
        named = zone_named(self.timezone or fallback)
        return named if named is not None else zoneinfo.ZoneInfo("UTC")

    def is_open(self, at: datetime, zone: zoneinfo.ZoneInfo) -> bool:
        """Whether the window contains the instant `at`, read in `zone`."""
        local = at.astimezone(zone)
        if local.weekday() not in self.days:
            return False
        minute = local.hour * 60 + local.minute
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end

    def opens_at(self, at: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
        """The first instant at or after `at` that the window contains, in UTC.

        Openness only changes where the local clock reads the start of the window or a
        new day, or where the zone's offset changes (daylight saving time): the answer
        is the earliest such instant that is open. Wall times in a gap are skipped and
        those in an overlap are tried at both of their instants, so a window that opens
        in the repeated hour opens at its first occurrence after `at`.
        """
        if self.is_open(at, zone):
            return at
        local = at.astimezone(zone)
        candidates = list(_offset_changes(at, zone))
        day = local.replace(hour=0, minute=0, second=0, microsecond=0, fold=0)
        for offset in range(_HORIZON.days + 1):
            date = (day + timedelta(days=offset)).date()
            for minute in {0, self.start}:
                wall = datetime(date.year, date.month, date.day, minute // 60, minute % 60)
                candidates += _instants(wall, zone)
        for moment in sorted(c for c in candidates if c > at):
            if self.is_open(moment, zone):
                return moment
        return at + _HORIZON  # unreachable: `days` is never empty


def _instants(wall: datetime, zone: zoneinfo.ZoneInfo) -> list[datetime]:
    """The UTC instants whose local time in `zone` is the naive `wall` (none in a gap)."""
    found = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(_UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall and instant not in found:
            found.append(instant)
    return found


def _offset_changes(at: datetime, zone: zoneinfo.ZoneInfo) -> list[datetime]:
    """The instant, to the minute, where `zone`'s offset changes within the horizon.

    Zones change offset at most once in eight days, so comparing the two ends and
    bisecting finds it.
    """
    low, high = at.astimezone(_UTC), at.astimezone(_UTC) + _HORIZON
    before = low.astimezone(zone).utcoffset()
    if high.astimezone(zone).utcoffset() == before:
        return []
    while high - low > _MINUTE:
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            middle = low + _MINUTE
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return [high]
