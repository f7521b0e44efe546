"""Compose one YAML document into nodes, in a loop, within the limits of `limits`.

PyYAML's composer recurses once per level of nesting, and everything after it (conversion,
the schema, the compiler) walks an alias as many times as it is used: nine nested lists of
ten aliases make a billion values out of 400 bytes. This composer reads the parser's events
in a loop, counts the nesting depth and the nodes aliases add as it goes, and stops at the
first event past a limit with a located problem. It reads libyaml's events when PyYAML has
libyaml (twenty times faster than PyYAML's own parser), but tells syntax errors in PyYAML's
words, which say more. Scalars get the tags of the YAML 1.2 core schema: a marketer who
writes `channel: no` or `opens: 12:30` means text, not a boolean or a number.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import yaml

from customer_journey.dsl import limits
from customer_journey.errors import Location, Problem

__all__ = ["TAG", "Composed", "compose"]

TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = TAG + "str", TAG + "seq", TAG + "map"


def _resolvers(
    *rules: tuple[str, str, list[str]],
) -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    """First character of a plain scalar ('' when empty) -> the (tag, pattern) pairs to try."""
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, firsts in rules:
        for first in firsts:
            table.setdefault(first, []).append((TAG + tag, re.compile(pattern)))
    return {first: tuple(pairs) for first, pairs in table.items()}


_RESOLVERS = _resolvers(
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
    # Not in YAML 1.2, but widely used to share blocks: `<<: *defaults`.
    ("merge", r"^<<$", ["<"]),
)

#: Readable hints for the parser problems marketers meet most.
_SYNTAX_HINTS = {
    "found character '\\t' that cannot start any token": "indent with spaces, not tabs",
    "mapping values are not allowed": (
        "put a space after each ':' and quote text that contains ': '"
    ),
    "found undefined alias": "define the anchor ('&name') before using it ('*name')",
    "found duplicate anchor": "give each anchor ('&name') its own name",
    "but found another document": "keep one journey per file, without '---' between parts",
}

#: libyaml's syntax errors are told again by PyYAML's parser, which says more (`found
#: character '\t'`), when they are within this many characters of the start.
_RETOLD_WITHIN = 100_000
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: libyaml's own nesting limit (1000), which its lookahead may meet before ours.
_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"

_C_PARSER: Any = getattr(yaml, "CBaseLoader", None)


@attrs.frozen
class Composed:
    """A composed document, or the one problem that stopped it.

    Attributes:
        root: the root node; None for an empty document or when there is a problem.
        problem: a syntax error or a limit passed, located; None when all went well.
        root_keys: the text keys of the top-level mapping read before any problem; None
            when the top level is not a mapping (or nothing was read).
    """

    root: yaml.Node | None
    problem: Problem | None
    root_keys: frozenset[str] | None


class _LimitError(Exception):
    """A limit was passed; `problem` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _Frame:
    """A collection being composed: its node, and a mapping's key waiting for its value."""

    __slots__ = ("anchor", "key", "node", "start")

    def __init__(self, node: yaml.CollectionNode, anchor: str | None, start: int) -> None:
        self.node = node
        self.anchor = anchor
        self.start = start
        self.key: yaml.Node | None = None


class _Composer:
    """Builds the node tree from parser events, counting depth and expanded nodes."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.anchors: dict[str, yaml.Node] = {}
        #: anchor -> nodes in its block, aliases inside it expanded (once it is complete).
        self.sizes: dict[str, int] = {}
        self.nodes = 0  # nodes so far, aliases expanded
        self.added = 0  # of which aliases added
        self.root_keys: set[str] | None = None

    def document(self, parser: Any) -> yaml.Node | None:
        """Compose the stream's only document (None when the stream is empty)."""
        parser.get_event()  # the stream's start
        if parser.check_event(yaml.StreamEndEvent):
            return None
        parser.get_event()  # the document's start
        root = self._node(parser.get_event)
        parser.get_event()  # the document's end
        if not parser.check_event(yaml.StreamEndEvent):
            event = parser.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                root.start_mark,
                "but found another document",
                event.start_mark,
            )
        return root

    def _node(self, next_event: Any) -> yaml.Node:
        """Compose a node from the next events: a loop with a stack, not recursion."""
        stack: list[_Frame] = []
        while True:
            event = next_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                node: yaml.Node = self._scalar(event)
            elif kind is yaml.AliasEvent:
                node = self._alias(event)
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                frame = stack.pop()
                node = frame.node
                node.end_mark = event.end_mark
                if frame.anchor is not None:
                    self.sizes[frame.anchor] = self.nodes - frame.start
            else:
                if len(stack) >= limits.MAX_DEPTH:
                    raise self._too_deep(event)
                if not stack and kind is yaml.MappingStartEvent:
                    self.root_keys = set()
                stack.append(self._collection(event, kind))
                continue
            if not stack:
                return node
            self._attach(stack, node)

    def _attach(self, stack: list[_Frame], node: yaml.Node) -> None:
        """Add `node` to the innermost collection: an item, a key, or the key's value."""
        frame = stack[-1]
        if type(frame.node) is yaml.SequenceNode:
            frame.node.value.append(node)
        elif frame.key is None:
            frame.key = node
            if len(stack) == 1 and self.root_keys is not None and type(node) is yaml.ScalarNode:
                self.root_keys.add(node.value)
        else:
            frame.node.value.append((frame.key, node))
            frame.key = None

    def _anchor(self, event: Any, node: yaml.Node) -> None:
        anchor = event.anchor
        if anchor in self.anchors:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchors[anchor].start_mark,
                "second occurrence",
                event.start_mark,
            )
        self.anchors[anchor] = node

    def _scalar(self, event: Any) -> yaml.ScalarNode:
        tag = event.tag
        if tag is None or tag == "!":
            tag = _STR
            if event.implicit[0]:
                value: str = event.value
                for candidate, pattern in _RESOLVERS.get(value[:1], ()):
                    if pattern.match(value):
                        tag = candidate
                        break
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        self.nodes += 1
        if event.anchor is not None:
            self._anchor(event, node)
            self.sizes[event.anchor] = 1
        return node

    def _collection(self, event: Any, kind: type) -> _Frame:
        is_mapping = kind is yaml.MappingStartEvent
        tag = event.tag
        if tag is None or tag == "!":
            tag = _MAP if is_mapping else _SEQ
        node_type = yaml.MappingNode if is_mapping else yaml.SequenceNode
        node = node_type(tag, [], event.start_mark, None, flow_style=event.flow_style)
        if event.anchor is not None:
            self._anchor(event, node)
        self.nodes += 1
        return _Frame(node, event.anchor, self.nodes - 1)

    def _alias(self, event: Any) -> yaml.Node:
        anchor = event.anchor
        node = self.anchors.get(anchor)
        if node is None:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {anchor!r}", event.start_mark
            )
        # An alias inside the block it names (not complete yet) counts once; the
        # converter reports it.
        size = self.sizes.get(anchor, 1)
        self.nodes += size
        self.added += size
        if self.added > limits.MAX_ALIAS_NODES:
            raise _LimitError(
                Problem(
                    self._location(event),
                    "alias-expansion",
                    f"aliases ('*name') expand the file by more than {limits.MAX_ALIAS_NODES:,}"
                    " values",
                    "an alias repeats the whole block it names each time it is used; "
                    "use fewer aliases of large blocks",
                )
            )
        return node

    def _too_deep(self, event: Any) -> _LimitError:
        return _LimitError(
            Problem(
                self._location(event),
                "too-deep",
                f"the file is nested more than {limits.MAX_DEPTH} levels deep",
                "a journey needs about ten; check the brackets and the indentation here",
            )
        )

    def _location(self, event: Any) -> Location:
        mark = event.start_mark
        return Location(self.source, mark.line + 1, mark.column + 1)


def _parser(text: str) -> Any:
    """The libyaml parser when PyYAML has it, else PyYAML's (which names lone surrogates)."""
    if _C_PARSER is not None:
        try:
            return _C_PARSER(text)
        except UnicodeEncodeError:
            pass  # PyYAML's reader names the character
    return yaml.BaseLoader(text)


def _compose(text: str, source: str, *, python: bool = False) -> tuple[Composed, bool]:
    """Compose `text`; the flag says whether a syntax error came from libyaml."""
    composer = _Composer(source)
    parser: Any = None
    from_c = False
    try:
        parser = yaml.BaseLoader(text) if python else _parser(text)
        root = composer.document(parser)
    except _LimitError as refused:
        problem: Problem | None = refused.problem
        root = None
    except yaml.YAMLError as error:
        is_libyaml = isinstance(error, (yaml.scanner.ScannerError, yaml.parser.ParserError))
        from_c = is_libyaml and not isinstance(parser, yaml.BaseLoader)
        problem, root = _syntax_problem(error, source, text), None
    else:
        problem = None
    finally:
        if parser is not None:
            parser.dispose()
    keys = None if composer.root_keys is None else frozenset(composer.root_keys)
    return Composed(root, problem, keys), from_c


def compose(text: str, *, source: str) -> Composed:
    """Compose the one YAML document of `text`, stopping at its first problem.

    Args:
        text: the document.
        source: the name locations use.
    """
    composed, from_c = _compose(text, source)
    problem = composed.problem
    if not from_c or problem is None or problem.location is None:
        return composed
    # Tell libyaml's syntax error in PyYAML's words: parse again, up to the line after it.
    location = problem.location
    start = 0  # of the error's line (libyaml puts an error at the end on the line after)
    for _ in range(location.line - 1):
        found = text.find("\n", start)
        if found < 0:
            break
        if found >= _RETOLD_WITHIN:
            return attrs.evolve(composed, problem=_within_text(problem, text))
        start = found + 1
    if problem.message.startswith(_LIBYAML_TOO_DEEP):
        # Up to the error only: PyYAML slows down on a line of a thousand open brackets.
        end = start + location.column
    else:
        line_end = text.find("\n", start)
        next_end = text.find("\n", line_end + 1) if line_end >= 0 else -1
        end = next_end + 1 if next_end >= 0 else len(text)
    if end > _RETOLD_WITHIN:
        return attrs.evolve(composed, problem=_within_text(problem, text))
    retold, _ = _compose(text[:end], source, python=True)
    return attrs.evolve(composed, problem=retold.problem or _within_text(problem, text))


def _within_text(problem: Problem, text: str) -> Problem:
    """Move a problem libyaml put after the last line (no final line break) to its end."""
    location = problem.location
    lines = _LINE_BREAK.split(text)
    if location is None or location.line <= len(lines):
        return problem
    end = Location(location.source, len(lines), len(lines[-1]) + 1)
    return attrs.evolve(problem, location=end)


#: What ends a line in YAML (1.1, as PyYAML's marks count them).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _syntax_problem(error: yaml.YAMLError, source: str, text: str) -> Problem:
    """Turn a PyYAML error into one readable `yaml-syntax` problem."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = (error.problem or error.context or "the file is not valid YAML").strip()
        context = (error.context or "").strip()
        if error.problem and problem.startswith("but "):
            message = f"{context}, {problem}"
        elif error.problem and context and error.context_mark is not None:
            message = f"{problem} ({context} at line {error.context_mark.line + 1})"
        else:
            message = problem
        message = message.replace("'<stream end>'", "the end of the file")
        hint = next((h for start, h in _SYNTAX_HINTS.items() if problem.startswith(start)), None)
        location = Location(source, mark.line + 1, mark.column + 1) if mark else None
        return Problem(location, "yaml-syntax", message, hint)
    if isinstance(error, yaml.reader.ReaderError):
        # libyaml counts the position in UTF-8 bytes; lines end where YAML's do.
        before = text.encode("utf-8", "surrogatepass")[: error.position]
        before_text = before.decode("utf-8", "ignore")
        breaks = list(_LINE_BREAK.finditer(before_text))
        line = len(breaks) + 1
        column = len(before_text) - (breaks[-1].end() if breaks else 0) + 1
        character = error.character
        shown = repr(chr(character) if isinstance(character, int) else character)
        message = f"the file contains a character YAML does not allow ({shown})"
        return Problem(Location(source, line, column), "yaml-syntax", message)
    return Problem(None, "yaml-syntax", "the file is not valid YAML")
