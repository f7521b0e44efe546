"""Conditions and other YAML values written back as one line of flow text, for messages.

`{page: {in: [/a, '1']}}`: texts are quoted only where YAML would read them otherwise, so
the text reads back as the same value (the testing helpers parse it again).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import timedelta

from customer_journey._durations import format_duration

__all__ = ["render_condition"]

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^,\[\]{}#]*")
_NOT_TEXT = re.compile(
    r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
    r"|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)


def render_condition(raw: object) -> str:
    """Render a condition (or any YAML value) as compact one-line flow text.

    Texts are quoted only where YAML would read them otherwise: `{page: {in: [/a, '1']}}`.
    """
    if isinstance(raw, Mapping):
        items = (f"{render_condition(k)}: {render_condition(v)}" for k, v in raw.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(raw, (list, tuple)):
        return "[" + ", ".join(render_condition(item) for item in raw) + "]"
    if isinstance(raw, str):
        plain = (
            _PLAIN.fullmatch(raw) and not _NOT_TEXT.fullmatch(raw)
            and ": " not in raw and not raw.endswith((":", " "))
        )  # fmt: skip
        return raw if plain else "'" + raw.replace("'", "''") + "'"
    return _render_scalar(raw)


def _render_scalar(raw: object) -> str:
    if raw is None or isinstance(raw, bool):
        return _WORDS[raw]
    if isinstance(raw, timedelta):
        return format_duration(raw)
    if isinstance(raw, float) and not math.isfinite(raw):
        return ".nan" if math.isnan(raw) else ("-.inf" if raw < 0 else ".inf")
    return str(raw)


_WORDS = {None: "null", True: "true", False: "false"}
