"""Safe YAML reading with YAML 1.2 scalars and a location for every node.

PyYAML speaks YAML 1.1, where `on`, `no` and `12:30` are booleans and numbers. A marketer
who writes `channel: no` or `opens: 12:30` means text, so `_compose` builds the node tree
with the tags of the YAML 1.2 core schema and we convert the nodes ourselves. Keeping the
nodes lets a `Locator` say where any value (or key) was written, so every later problem can
name `file:line:column`. Nothing here constructs objects from tags.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Hashable, Iterator
from typing import Any

import attrs
import yaml

from customer_journey.dsl import limits
from customer_journey.dsl._compose import TAG as _TAG
from customer_journey.dsl._compose import compose
from customer_journey.errors import Location, Problem

__all__ = [
    "WHOLE_FILE_CODES",
    "Document",
    "Locator",
    "Path",
    "gc_paused",
    "parse_yaml",
    "read_document",
    "size_problem",
]

#: A path to a node: mapping keys and sequence indexes from the document root.
Path = tuple[str | int, ...]


class Locator:
    """Finds where a node of a parsed document was written.

    A locator built without a document (as for a journey given as a Python mapping)
    knows no places and answers None everywhere.
    """

    def __init__(self, source: str, root: yaml.Node | None = None) -> None:
        self.source = source
        self._root = root
        #: id(mapping node) -> key -> (key node, value node); id(sequence node) -> items.
        self._children: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = {}

    def value(self, path: Path) -> Location | None:
        """Where the node at `path` starts (1-based), or None when there is no such node."""
        found = self._find(path)
        return self._location(found[1]) if found else None

    def key(self, path: Path) -> Location | None:
        """Where the mapping key of the last element of `path` starts; else `value(path)`."""
        found = self._find(path)
        if found is None:
            return None
        return self._location(found[0] if found[0] is not None else found[1])

    def text(self, path: Path) -> str | None:
        """The scalar at `path` exactly as written (`1.10` stays `1.10`), else None."""
        found = self._find(path)
        if found is None or not isinstance(found[1], yaml.ScalarNode):
            return None
        text: str = found[1].value
        return text

    def nearest(self, path: Path) -> Location | None:
        """`value(path)`, or else the location of the closest ancestor that exists."""
        for end in range(len(path), -1, -1):
            location = self.value(path[:end])
            if location is not None:
                return location
        return None

    def _location(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.source, mark.line + 1, mark.column + 1)

    def _find(self, path: Path) -> tuple[yaml.Node | None, yaml.Node] | None:
        """Return the (key node or None, value node) at `path`."""
        if self._root is None:
            return None
        key_node: yaml.Node | None = None
        node: yaml.Node = self._root
        for element in path:
            children = self._children.get(id(node))
            if isinstance(node, yaml.SequenceNode):
                if not isinstance(element, int) or not 0 <= element < len(node.value):
                    return None
                key_node, node = None, node.value[element]
            elif children is not None and _hashable(element) and element in children:
                key_node, node = children[element]
            else:
                return None
        return key_node, node


class _Converter:
    """Turns a composed node tree into plain Python values, recording problems."""

    def __init__(self, locator: Locator) -> None:
        self.locator = locator
        self.problems: list[Problem] = []
        self._done: dict[int, Any] = {}
        self._in_progress: set[int] = set()

    def convert(self, node: yaml.Node) -> Any:
        # Aliases share their anchor's node; converting it once keeps expansion linear.
        if id(node) in self._done:
            return self._done[id(node)]
        if id(node) in self._in_progress:
            self._problem(node, "an alias ('*name') cannot refer to the block it is inside")
            return None
        self._in_progress.add(id(node))
        if isinstance(node, yaml.MappingNode):
            value: Any = self._mapping(node)
        elif isinstance(node, yaml.SequenceNode):
            value = self._sequence(node)
        else:
            value = self._scalar(node)
        self._in_progress.discard(id(node))
        self._done[id(node)] = value
        return value

    def _problem(self, node: yaml.Node, message: str, code: str = "yaml-syntax") -> None:
        self.problems.append(Problem(self.locator._location(node), code, message))

    def _unsupported_tag(self, node: yaml.Node) -> None:
        tag = node.tag.replace(_TAG, "!!", 1) if node.tag.startswith(_TAG) else node.tag
        self._problem(node, f"unsupported tag '{tag}'; remove it")

    def _sequence(self, node: yaml.SequenceNode) -> list[Any]:
        if node.tag != _TAG + "seq":
            self._unsupported_tag(node)
        return [self.convert(item) for item in node.value]

    def _mapping(self, node: yaml.MappingNode) -> dict[Any, Any]:
        if node.tag != _TAG + "map":
            self._unsupported_tag(node)
        result: dict[Any, Any] = {}
        children: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
        merged: list[tuple[Any, tuple[yaml.Node, yaml.Node], Any]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged.extend(self._merge(value_node))
                continue
            key = self.convert(key_node)
            if not _hashable(key):
                self._problem(key_node, "a key must be a name, not a list or mapping", "bad-key")
                continue
            if key in children:
                first = children[key][0].start_mark.line + 1
                self._problem(
                    key_node, f"duplicate key '{key}' (first at line {first})", "duplicate-key"
                )
                continue
            children[key] = (key_node, value_node)
            result[key] = self.convert(value_node)
        if merged:
            # Merged keys come first; keys written in the mapping itself win over them.
            kept = [(key, nodes, value) for key, nodes, value in merged if key not in children]
            children = {key: nodes for key, nodes, _ in kept} | children
            result = {key: value for key, _, value in kept} | result
        self.locator._children[id(node)] = children
        return result

    def _merge(self, node: yaml.Node) -> list[tuple[Any, tuple[yaml.Node, yaml.Node], Any]]:
        """Return (key, nodes, value) of every mapping merged with `<<`, earlier ones first."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        entries: list[tuple[Any, tuple[yaml.Node, yaml.Node], Any]] = []
        seen: set[Any] = set()
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self._problem(source, "'<<' must name a mapping, such as '<<: *defaults'")
                continue
            values = self.convert(source)
            for key, nodes in self.locator._children.get(id(source), {}).items():
                if key not in seen:
                    seen.add(key)
                    entries.append((key, nodes, values[key]))
        return entries

    def _scalar(self, node: yaml.Node) -> Any:
        text: str = node.value
        tag = node.tag.removeprefix(_TAG)
        if tag in ("str", "merge"):
            return text
        if tag == "null":
            return None
        if tag == "bool" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if tag in ("int", "float"):
            number = _number(text, as_float=tag == "float")
            if number is not None:
                return number
            self._problem(node, f"'{text}' is not a number")
            return text
        self._unsupported_tag(node)
        return text


def _number(text: str, *, as_float: bool) -> int | float | None:
    """Read a YAML 1.2 core-schema number; None when `text` is not one."""
    lowered = text.lower()
    try:
        if lowered.lstrip("+-") == ".inf":
            return -math.inf if lowered.startswith("-") else math.inf
        if lowered == ".nan":
            return math.nan
        if lowered.startswith("0o"):
            value: int | float = int(text[2:], 8)
        elif lowered.startswith("0x"):
            value = int(text[2:], 16)
        else:
            value = float(text) if as_float else int(text)
    except ValueError:
        return None
    return float(value) if as_float else value


def _hashable(value: object) -> bool:
    return isinstance(value, Hashable) and not isinstance(value, (list, dict))


#: Codes of problems about a file as a whole: its lines are neither located nor quoted,
#: since the file may be anything a path named by mistake.
WHOLE_FILE_CODES = frozenset({"file-too-large", "not-a-journey"})


def size_problem(text: str, *, source: str) -> Problem | None:
    """The `file-too-large` problem when `text` is longer than `MAX_TEXT_SIZE`, else None."""
    if len(text) <= limits.MAX_TEXT_SIZE:
        return None
    return Problem(
        Location(source, 1, 1),
        "file-too-large",
        f"the file has {len(text):,} characters, more than the {limits.MAX_TEXT_SIZE:,} "
        "a file may have",
        "a journey this large is usually generated by mistake; see the Limits page to "
        "raise the limit",
    )


@attrs.frozen
class Document:
    """A YAML document read into plain data.

    Attributes:
        data: the plain data (None for an empty document or a syntax error).
        locator: where each node of `data` was written.
        problems: a syntax error or a limit passed (then `data` is None), duplicate keys
            (the first value is kept), unsupported tags.
        root_keys: the text keys of the top-level mapping (those read before a syntax
            error); None when the top level is not a mapping.
    """

    data: Any
    locator: Locator
    problems: list[Problem]
    root_keys: frozenset[str] | None


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a file's nodes and values are built.

    A large file makes millions of small objects, none of them garbage, and the collector
    would walk them again and again: without it a 5 MB journey loads three times faster.
    Reference counting still frees everything; the collector resumes afterwards (if it ran).
    """
    was_running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_running:
            gc.enable()


def read_document(text: str, *, source: str) -> Document:
    """Read one YAML document safely, with YAML 1.2 scalars, within the DSL's limits."""
    too_large = size_problem(text, source=source)
    if too_large is not None:
        return Document(None, Locator(source), [too_large], None)
    with gc_paused():
        composed = compose(text, source=source)
        if composed.problem is not None:
            return Document(None, Locator(source), [composed.problem], composed.root_keys)
        locator = Locator(source, composed.root)
        if composed.root is None:
            return Document(None, locator, [], None)
        converter = _Converter(locator)
        data = converter.convert(composed.root)
    return Document(data, locator, converter.problems, composed.root_keys)


def parse_yaml(text: str, *, source: str) -> tuple[Any, Locator, list[Problem]]:
    """Parse one YAML document safely, with YAML 1.2 scalars.

    Args:
        text: the document.
        source: the name used in locations (usually the file's path).

    Returns:
        The plain data (None for an empty document), a locator for its nodes, and the
        problems found: a syntax error or a limit passed (then the data is None),
        duplicate keys (the first value is kept), unsupported tags.
    """
    document = read_document(text, source=source)
    return document.data, document.locator, document.problems
