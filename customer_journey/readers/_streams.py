"""Reading data files line by line within bounds; opening them is `_file_access`'s.

Every reader opens its input through `opened`, so an input that cannot be read at all
raises the same `DataFileError` whatever its format: from `from_file` for a file that is
missing, a directory, a device or not ours to read; while reading for one that breaks (an
I/O error) or is gone by a later pass. Errors of the readers' own making (`DataFileError`)
pass through untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import AnyStr

from customer_journey._file_access import STDIN, STDIN_NAME, check_file, opened

__all__ = [
    "MAX_LINE_LENGTH",
    "STDIN",
    "STDIN_NAME",
    "check_file",
    "opened",
    "skip_rest_of_line",
]

#: The longest line a reader takes (1 MiB: bytes for JSON Lines, characters for CSV), not
#: counting its line end; a longer line is rejected alone, without being read into memory.
MAX_LINE_LENGTH = 1_048_576

#: How much of a too-long line is read at a time while skipping the rest of it.
_SKIP_CHUNK = 65_536


def skip_rest_of_line(
    readline: Callable[[int], AnyStr], start: AnyStr, ends: tuple[AnyStr, ...]
) -> None:
    """Read past the end of a line whose `start` was read, a bounded chunk at a time."""
    chunk = start
    while chunk and not chunk.endswith(ends):
        chunk = readline(_SKIP_CHUNK)
