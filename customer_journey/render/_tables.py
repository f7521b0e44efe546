"""Plain-text tables and the number formats the analytics text shares.

Laid out for a 100-column terminal: the one column of free text in a wide table (a
friction label, a factor, a path) is shortened to fit.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from datetime import timedelta

from customer_journey._durations import describe_duration
from customer_journey._printable import printable
from customer_journey.analytics import FrictionFigures, Lift, OddsRatio, StageFigures

__all__ = [
    "AFTER",
    "GAP",
    "HIGHER",
    "HIGHER_SHORT",
    "INDENT",
    "NONE",
    "TERMS",
    "TOO_FEW",
    "TOO_FEW_SHORT",
    "WIDTH",
    "Row",
    "count",
    "duration",
    "finding",
    "leaving",
    "lift",
    "lost",
    "note",
    "odds",
    "p_value",
    "percent",
    "plural",
    "points",
    "section",
    "signed",
    "table",
]

#: The terminal width the tables are laid out for.
WIDTH = 100
#: Before every line under a section title.
INDENT = "  "
#: Between two columns.
GAP = "  "
#: What an empty section says.
NONE = "(none)"

#: What an odds ratio too uncertain to be a finding shows instead (`is_conclusive`).
TOO_FEW = "too few customers to judge"
#: The same in the text tables, which have less room (their note says it in full).
TOO_FEW_SHORT = "too few to judge"
#: What a friction whose customers reach the goal more often shows instead of a loss.
HIGHER = "higher goal rate"
#: The same in the text tables.
HIGHER_SHORT = "higher rate"
#: What a friction that only ever happened after the goal shows: it cost nothing.
AFTER = "after the goal"

#: The statistical terms in plain words: the notes under the text tables, and the
#: tooltips of the report.
TERMS = {
    "odds ratio": "how many times the odds of the outcome with it are those without it: "
    "above 1 it goes with more customers getting there, below 1 with fewer",
    "interval": "the range the true figure lies in, 95 times in 100; a wide range means "
    "too few customers to be sure",
    "chance": "the share of customers expected to reach the goal from how customers move "
    "between stages (a Markov chain of the moves)",
    "removal effect": "the share of the goal's conversions that would be lost without the "
    "moves that carried it",
    "lift": "the arm's reach rate minus the reference arm's, in percentage points (+4.2 "
    "points: 16.2% against 12.0%), with the range the true difference lies in 95 times in "
    "100; a range that crosses 0 means no measured difference",
    "p": "the chance of a difference at least this large if the arm made no difference at "
    "all: the smaller, the less it can be luck (0.05 is the usual line)",
}

_MORE = "..."
#: A shortened column keeps at least this many characters.
_NARROWEST = 12

Row = Sequence[str]


def percent(value: float | None) -> str:
    """A share with one decimal, `-` for none."""
    return "-" if value is None else f"{value:.1%}"


def count(value: int | None) -> str:
    """A count, `-` for none."""
    return "-" if value is None else str(value)


def signed(value: int) -> str:
    """A difference with its sign: `+3`, `-2`, `0`."""
    return f"{value:+d}" if value else "0"


def _ratio(value: float) -> str:
    """An odds ratio with about two significant digits: `0.023`, `2.09`, `14.2`."""
    if value < 0.001:
        return "<0.001"
    if value < 1:
        return f"{value:#.2g}"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def odds(value: OddsRatio | None) -> str:
    """An odds ratio and its 95% interval: `2.09 (1.79-2.45)`."""
    if value is None:
        return "-"
    return f"{_ratio(value.value)} ({_ratio(value.low)}-{_ratio(value.high)})"


def finding(value: OddsRatio | None, *, conclusive: bool, too_few: str = TOO_FEW) -> str:
    """`odds(value)` when it is conclusive, else `too_few` (`-` when there is none)."""
    if value is None or conclusive:
        return odds(value)
    return too_few


def lost(item: FrictionFigures, *, higher: str = HIGHER) -> str:
    """Customers lost to a friction, whole; `higher` when it goes with a higher goal rate.

    `AFTER` when every customer with it had reached the goal before it happened.
    """
    if item.customers_lost is None:
        return "-"
    if item.judged == 0:
        return AFTER
    if item.goes_with_higher_goal_rate:
        return higher
    return f"{item.customers_lost:.0f}"


def points(difference: float) -> str:
    """A difference of two rates in percentage points, signed: `+4.2`, `-0.1`, `+0.0`."""
    return f"{round(difference * 100, 1) + 0.0:+.1f}"  # + 0.0: no `-0.0`


def p_value(value: float) -> str:
    """A p-value to read at a glance: `= 0.45`, `= 0.06`, `= 0.007`, `< 0.0001`."""
    if value < 0.0001:
        return "< 0.0001"
    if value < 0.01:
        return f"= {value:.1g}"
    return f"= {value:.2f}"


def lift(value: Lift | None) -> str:
    """A lift in plain words: `+4.2 points (+1.1 to +7.3), p = 0.007`; `-` for none."""
    if value is None:
        return "-"
    return (
        f"{points(value.difference)} points ({points(value.low)} to {points(value.high)}), "
        f"p {p_value(value.p_value)}"
    )


def plural(number: int, noun: str) -> str:
    """A count with its noun: `1 customer`, `2 customers`, `0 customers`."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def leaving(figures: StageFigures) -> str:
    """How visits left a stage: `'cancel' 12 (60.0%), (timeout) 8 (40.0%)`."""
    total = sum(figures.leaving.values())
    parts = []
    for way, exits in figures.leaving.items():
        name = way if way.startswith("(") else f"'{way}'"  # a touchpoint, or `(timeout)`
        parts.append(f"{name} {exits} ({percent(exits / total)})")
    return ", ".join(parts)


def duration(value: timedelta | None) -> str:
    """A measured duration to two units at most: `2d6h`, `3h20m`, `4m10s`."""
    if value is None:
        return "-"
    seconds = round(value.total_seconds())
    for size, finer in ((86_400, 3_600), (3_600, 60)):
        if seconds >= size:
            seconds = round(seconds / finer) * finer
            break
    return describe_duration(timedelta(seconds=seconds))


def _shorten(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: max(width - len(_MORE), 1)] + _MORE


def table(
    header: Row,
    rows: Iterable[Row],
    *,
    text: tuple[int, ...] = (0,),
    fit: int | None = None,
    indent: str = INDENT,
) -> list[str]:
    """Aligned columns, indented: the `text` columns to the left, the others (numbers) right.

    When the table is wider than `WIDTH`, column `fit` (free text) is shortened to fit.
    Control characters in cells are spelled out first, so the columns line up.
    """
    table = [[printable(cell) for cell in row] for row in (header, *rows)]
    widths = [max(len(row[index]) for row in table) for index in range(len(header))]
    if fit is not None:
        spare = WIDTH - len(indent) - len(GAP) * (len(widths) - 1) - sum(widths)
        if spare < 0:
            widths[fit] = max(widths[fit] + spare, len(header[fit]), _NARROWEST)
            for row in table:
                row[fit] = _shorten(row[fit], widths[fit])
    return [
        indent
        + GAP.join(
            cell.ljust(width) if index in text else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in table
    ]


def section(title: str, lines: Iterable[str]) -> list[str]:
    """A titled block of lines."""
    return [title, *lines]


def note(text: str) -> list[str]:
    """A line of explanation under a table, wrapped to `WIDTH`."""
    return textwrap.wrap(text, WIDTH, initial_indent=INDENT, subsequent_indent=INDENT)
