"""'Did you mean' hints for one file, within a budget of work.

A hint compares the unknown name with every name it could have meant, at up to 30 µs a
comparison: a file with thousands of unknown names among thousands of known ones would
take hours. Each file gets a budget of comparisons; past it, problems keep their message
but hints stop guessing. Lists of names in hints are cut short for the same reason.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from customer_journey._suggest import did_you_mean

__all__ = ["Hints", "listed"]

#: Comparisons of an unknown name with a known one, per file (about half a second at most).
_COMPARISONS = 20_000
#: Names a hint lists before it says how many more there are.
_LISTED = 10


def listed(names: Iterable[str]) -> str:
    """`'a', 'b', 'c'`, or the first ten and `and 12 more`."""
    shown: list[str] = []
    more = 0
    for name in names:
        if len(shown) < _LISTED:
            shown.append(f"'{name}'")
        else:
            more += 1
    return ", ".join(shown) + (f" and {more:,} more" if more else "")


class Hints:
    """Gives the 'did you mean' hints of one file while its budget lasts."""

    def __init__(self) -> None:
        self._left = _COMPARISONS

    def closest(self, name: str, choices: Collection[str]) -> str | None:
        """`did you mean 'x'?` for the closest choice, or None (none close, or no budget left)."""
        if len(choices) > self._left:
            return None
        self._left -= len(choices)
        return did_you_mean(name, choices)

    def unknown(self, what: str, name: str, names: Collection[str]) -> str:
        """The hint for an unknown `what` (a stage, a touchpoint...): the closest or the list."""
        if not names:
            return f"declare some {what}s"
        return self.closest(name, names) or f"the journey's {what}s are {listed(names)}"
