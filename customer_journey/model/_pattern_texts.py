"""Texts a `matches` pattern is likely to be found in, read from the pattern's own syntax.

Tools that make data for a journey need a text for `page: {matches: "^/pric(e|ing)$"}`.
These helpers read the pattern (its alternatives, classes, groups and repetitions) and
propose texts; they never decide: the compiled pattern judges every proposal.
"""

from __future__ import annotations

import re

__all__ = ["example_texts", "simple_literal", "without_metacharacters"]

#: Characters that make a regular expression more than a literal text.
_METACHARACTERS = re.compile(r"[\\.^$*+?{}\[\]|()]")
_ESCAPES = {"d": "0", "w": "a", "s": " ", "D": "a", "W": "-", "S": "a"}


def example_texts(pattern: str) -> list[str]:
    """Texts to try for `pattern`: an example of each alternative, its literal fragments, more."""
    examples = [_example(alternative) for alternative in _alternatives(pattern)]
    return [*examples, *_METACHARACTERS.split(pattern), "0", "1", "a", "A", "x"]


def simple_literal(pattern: str) -> str | None:
    """The text a simple pattern such as `^/books/` asks for, or None when it is not simple."""
    text = pattern.removeprefix("^").removesuffix("$")
    return None if _METACHARACTERS.search(text) else text


def without_metacharacters(pattern: str) -> str:
    """The pattern with every metacharacter left out: `^/books/.+` gives `/books/`."""
    return "".join(char for char in pattern if char not in "\\^$.*+?()[]{}|")


def _alternatives(pattern: str) -> list[str]:
    """Split a pattern on its top-level `|`."""
    parts, depth, start, index = [], 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    return [*parts, pattern[start:]]


def _example(pattern: str) -> str:
    """A text the pattern is likely to match: first alternatives, one of each repeat."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            out.append("" if escaped in "AZbB" else _ESCAPES.get(escaped, escaped))
            index += 2
            continue
        if char == "[":
            end = pattern.find("]", index + 2)
            body = pattern[index + 1 : end] if end > 0 else "a"
            out.append("~" if body.startswith("^") else _ESCAPES.get(body[1:2], body[:1]))
            index = end + 1 if end > 0 else len(pattern)
            continue
        if char == "(":
            end = _closing(pattern, index)
            body = re.sub(r"^\?(:|P<\w+>|<\w+>)", "", pattern[index + 1 : end])
            out.append(_example(_alternatives(body)[0]))
            index = end + 1
            continue
        if char == "{":
            repeat = re.match(r"\{(\d+)(,\d*)?\}", pattern[index:])
            if repeat and out:
                out.append(out[-1] * (int(repeat[1]) - 1))
                index += len(repeat[0])
                continue
        if char == ".":
            out.append("a")
        elif char not in "^$*+?":
            out.append(char)
        index += 1
    return "".join(out)


def _closing(pattern: str, start: int) -> int:
    """The index of the `)` closing the group opened at `start`."""
    depth = 0
    index = start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return len(pattern)
