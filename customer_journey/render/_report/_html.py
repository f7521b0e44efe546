"""Small HTML helpers the report shares: escaping, numbers, stage colours.

Every text that comes from a journey file or from event data goes through `esc`; numbers
are formatted with a fixed precision so that the same input always gives the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

__all__ = [
    "PALETTE",
    "bar_svg",
    "colour",
    "count_of",
    "esc",
    "number",
    "table",
]

#: Categorical colours (Tableau 10), cycled over stages in file order: readable on screen
#: and in print, and distinct for people with the commonest colour-vision deficiencies.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)


def esc(text: object) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def number(value: int | None) -> str:
    """A count with thousands separators, `-` for none."""
    return "-" if value is None else f"{value:,}"


def count_of(count: int, word: str) -> str:
    """A count and a noun that agrees with it: `1 customer`, `1,204 customers`."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def colour(index: int) -> str:
    """The colour of the stage at `index` in file order."""
    return PALETTE[index % len(PALETTE)]


def bar_svg(fraction: float, fill: str, *, width: int = 160, height: int = 12) -> str:
    """A horizontal bar filling `fraction` (0 to 1) of its track."""
    length = max(0.0, min(1.0, fraction)) * width
    return (
        f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-hidden="true"><rect class="track" width="{width}" height="{height}"/>'
        f'<rect width="{length:.1f}" height="{height}" fill="{fill}"/></svg>'
    )


def table(header: Sequence[str], rows: Iterable[str], *, numeric_from: int = 1) -> str:
    """A table: `header` cells escaped here, `rows` already rendered `<tr>` elements.

    Header cells from `numeric_from` on are right-aligned, like the numbers under them.
    """
    cells = "".join(
        f"<th{' class=num' if index >= numeric_from else ''}>{esc(cell)}</th>"
        for index, cell in enumerate(header)
    )
    body = "".join(rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"
