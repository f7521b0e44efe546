"""YAML values written back as one line of flow text, for condition texts and messages.

`{page: {in: [/a, '1']}}`: texts are quoted only where YAML would read them otherwise, so
the text reads back as the same value. A duration operand keeps the spelling it was
written with (`2w` stays `2w`, not `14d`), so a condition reads as the marketer wrote it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import timedelta

from customer_journey._durations import format_duration

__all__ = ["WrittenDuration", "flow_text"]

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^,\[\]{}#]*")
_NOT_TEXT = re.compile(
    r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
    r"|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)


class WrittenDuration(timedelta):
    """A duration operand that remembers how it was written (`2w`, `48h`).

    It is a `timedelta` in every other way: it compares and computes as one, and anything
    computed from it is a plain `timedelta`, which is written in its largest exact unit.
    """

    __slots__ = ("text",)
    text: str

    def __new__(cls, value: timedelta, text: str) -> WrittenDuration:  # noqa: D102, RUF100
        duration = super().__new__(cls, value.days, value.seconds, value.microseconds)
        duration.text = text
        return duration

    def __repr__(self) -> str:
        return f"WrittenDuration({self._plain()!r}, {self.text!r})"

    def __reduce__(self) -> tuple[type[WrittenDuration], tuple[timedelta, str]]:
        return WrittenDuration, (self._plain(), self.text)

    def _plain(self) -> timedelta:
        return timedelta(self.days, self.seconds, self.microseconds)


def flow_text(value: object) -> str:
    """Render a condition, or any YAML value, as compact one-line flow text.

    Texts are quoted only where YAML would read them otherwise: `{page: {in: [/a, '1']}}`.
    """
    if isinstance(value, Mapping):
        items = (f"{flow_text(k)}: {flow_text(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow_text(item) for item in value) + "]"
    if isinstance(value, str):
        plain = (
            _PLAIN.fullmatch(value) and not _NOT_TEXT.fullmatch(value)
            and ": " not in value and not value.endswith((":", " "))
        )  # fmt: skip
        return value if plain else "'" + value.replace("'", "''") + "'"
    return _scalar_text(value)


def _scalar_text(value: object) -> str:
    if value is None or isinstance(value, bool):
        return _WORDS[value]
    if isinstance(value, WrittenDuration):
        return value.text
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    return str(value)


_WORDS = {None: "null", True: "true", False: "false"}
