"""The whole report page, and the compact fragment a notebook shows for an analysis."""

from __future__ import annotations

from collections.abc import Callable

from customer_journey.analytics import Analysis
from customer_journey.model import JourneyModel
from customer_journey.render._report._html import esc
from customer_journey.render._report._map import map_section
from customer_journey.render._report._sections import (
    actions_section,
    dwell_section,
    flow_section,
    friction_section,
    funnel_section,
    goals_section,
    head_lines,
    trend_section,
)
from customer_journey.render._report._style import FRAGMENT_CSS, PAGE_CSS

__all__ = ["analysis_html", "report_html"]


def report_html(
    journey_model: JourneyModel, analysis: Analysis, *, title: str | None = None
) -> str:
    """The analysis of a journey as one self-contained HTML page.

    Inline CSS and inline SVG only: no script, no font, no image is fetched, so the file
    works offline and prints (each section on its own page). Every text from the journey
    file or the data is escaped; the same journey and analysis always give the same text.

    Args:
        journey_model: the compiled journey (`Journey.model`): its map rows and phases.
        analysis: what `analyze` measured for it.
        title: the page's title (default: the journey's title, else its identifier).
    """
    heading = title or journey_model.title or journey_model.name
    sections: list[tuple[str, str, Callable[[], str]]] = [
        ("map", "Journey map", lambda: map_section(journey_model, analysis)),
        ("funnel", "Funnel", lambda: funnel_section(analysis)),
        ("flow", "Flow between stages", lambda: flow_section(analysis)),
        ("dwell", "Time in stage", lambda: dwell_section(analysis)),
        ("goals", "Goals", lambda: goals_section(analysis)),
        ("friction", "Friction and root causes", lambda: friction_section(analysis)),
        ("trend", "Trend", lambda: trend_section(analysis)),
        ("actions", "Next best actions", lambda: actions_section(analysis)),
    ]
    nav = "".join(f'<a href="#{key}">{esc(name)}</a>' for key, name, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{esc(name)}</h2>{render()}</section>'
        for key, name, render in sections
    )
    summary = "".join(f"<p>{line}</p>" for line in head_lines(analysis))
    description = (
        f'<p class="meta">{esc(journey_model.description)}</p>' if journey_model.description else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(heading)}</title><style>{PAGE_CSS}</style></head>\n"
        f'<body class="cj-report"><header><h1>{esc(heading)}</h1>{description}{summary}'
        f"</header><nav>{nav}</nav><main>{body}</main>"
        "<footer>Made by customer-journey. Self-contained: works offline.</footer>"
        "</body></html>\n"
    )


def analysis_html(analysis: Analysis) -> str:
    """A compact HTML view of an analysis for notebooks: summary, funnel, goals, actions."""
    summary = "".join(f"<p>{line}</p>" for line in head_lines(analysis))
    return (
        f'<div class="cj-report"><style>{FRAGMENT_CSS}</style>{summary}'
        f"<h3>Funnel</h3>{funnel_section(analysis)}"
        f"<h3>Goals</h3>{goals_section(analysis)}"
        f"<h3>Next best actions</h3>{actions_section(analysis)}</div>"
    )
