"""Notebook views: render's producers, registered as the display hooks of the layers below.

A journey, a replay result and an analysis have `_repr_html_` (and a journey
`_repr_markdown_`), but they sit below `render` and may not import it. Their hooks ask
`customer_journey._display`, and importing `render` registers the producers here.
"""

from __future__ import annotations

from customer_journey import _display
from customer_journey.render._diagram import Drawable, journey_html, mermaid
from customer_journey.render._report import analysis_html
from customer_journey.render._result_html import result_html

__all__ = ["mermaid_block", "register"]


def mermaid_block(journey: Drawable) -> str:
    """The journey as a fenced Mermaid block, which JupyterLab draws from Markdown."""
    return f"```mermaid\n{mermaid(journey)}```\n"


def register() -> None:
    """Make journeys, replay results and analyses show themselves with render's producers."""
    _display.register("journey", "text/html", journey_html)
    _display.register("journey", "text/markdown", mermaid_block)
    _display.register("result", "text/html", result_html)
    _display.register("analysis", "text/html", analysis_html)
