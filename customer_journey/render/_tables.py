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
from customer_journey.analytics import OddsRatio

__all__ = [
    "GAP",
    "INDENT",
    "NONE",
    "WIDTH",
    "Row",
    "count",
    "duration",
    "note",
    "odds",
    "percent",
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
