r"""Text from journeys and event data made safe to print: control characters spelled out.

Names come from journey files and from event data (a customer id, an event type, a trait
value), and either may hold a newline, which would forge a line of output, or an escape
sequence, which a terminal obeys (colours, a moved cursor, a changed window title).
`printable` spells such characters the way Python writes them in a string (`\n`,
`\x1b`, `\u202e`), so every line of output is one line and shows what the data holds.
"""

from __future__ import annotations

__all__ = ["UNPRINTABLE", "printable"]

_SPELLED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}

#: The characters `printable` spells out: C0 controls, DEL, C1 controls, the line and
#: paragraph separators (`str.splitlines` breaks lines there), and the bidirectional
#: embeddings, overrides and isolates that reorder what a terminal shows.
UNPRINTABLE: frozenset[int] = frozenset(
    [
        *range(0x20),
        *range(0x7F, 0xA0),
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
)


def _spelling(code: int) -> str:
    if code in _SPELLED:
        return _SPELLED[code]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {code: _spelling(code) for code in UNPRINTABLE}


def printable(text: str) -> str:
    r"""`text` with every control character spelled out (`a\nb` for a newline in it).

    A backslash already in the text is left alone, so paths and messages read as before;
    the result is meant for people (terminals, logs), not to be read back.
    """
    return text.translate(_TABLE)
