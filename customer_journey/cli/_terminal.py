"""Drawing on an interactive stderr with rich: the record counter and the summary table.

Only used when stderr is a terminal, and only imported then (rich takes a while to
import); pipes, files and CI logs get plain text instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from customer_journey._printable import printable
from customer_journey.readers import EventSource

__all__ = ["counting_records", "show_table"]


class _RecordsRead(ProgressColumn):
    """Shows how many records the source has read so far, at each refresh."""

    def __init__(self, source: EventSource) -> None:
        super().__init__()
        self._source = source

    def render(self, task: Task) -> Text:
        """The live count of records read."""
        return Text(f"{self._source.report.read:,} records read")


@contextlib.contextmanager
def counting_records(source: EventSource) -> Iterator[None]:
    """Show a live count of the records `source` reads while the block runs."""
    columns = (SpinnerColumn(), _RecordsRead(source), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        progress.add_task("reading", total=None)
        yield


def show_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Draw a table on stderr; the last columns are right-aligned numbers.

    Cells are `Text`, never markup: a stage named `[bold]x` is shown as it is written, and
    its control characters are spelled out.
    """
    table = Table(*header[:1])
    for name in header[1:]:
        table.add_column(name, justify="right")
    for row in rows:
        table.add_row(*(Text(printable(cell)) for cell in row))
    Console(stderr=True).print(table)
