"""Notebook display hooks, filled in from above.

A journey, a replay result and an analysis show themselves in Jupyter (`_repr_html_`,
`_repr_markdown_`), but their HTML and Markdown are made by `render`, which sits above
them. Rather than import `render` from below (which would close an import circle), the
hooks ask this registry, and `render` registers its producers here when it is imported.

`render` needs to have been imported for the hooks to show anything. The root package,
which may import every layer, can name a loader (`set_loader`) that imports it the first
time a hook finds nothing registered; without one, a hook finds nothing and returns None,
and Jupyter shows the plain `repr`.
"""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: the root package may import this module, and importing typing
# would cost more than the rest of it; the names below are for type checkers only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["register", "set_loader", "shown"]

#: (kind of object, MIME type) -> what turns such an object into that text:
#: ("result", "text/html") -> `render.result_html`.
_PRODUCERS: dict[tuple[str, str], Callable[[Any], str]] = {}
#: Imports the layer that registers the producers; called once, when first needed.
_LOADER: list[Callable[[], object]] = []


def register(kind: str, mime: str, producer: Callable[[Any], str]) -> None:
    """Show objects of `kind` (`journey`, `result`, `analysis`) as `mime` with `producer`."""
    _PRODUCERS[kind, mime] = producer


def set_loader(loader: Callable[[], object]) -> None:
    """Name what to call, once, when a hook finds no producer: it should register them."""
    _LOADER[:] = [loader]


def shown(kind: str, mime: str, value: object) -> str | None:
    """`value` as `mime` text, or None when no producer is registered for it."""
    producer = _PRODUCERS.get((kind, mime))
    if producer is None and _LOADER:
        _LOADER.pop()()
        producer = _PRODUCERS.get((kind, mime))
    return None if producer is None else producer(value)
