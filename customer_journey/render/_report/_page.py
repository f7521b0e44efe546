"""The whole report page, and the compact fragment a notebook shows for an analysis."""

from __future__ import annotations

from collections.abc import Callable

from customer_journey.analytics import Analysis
from customer_journey.model import JourneyModel
from customer_journey.render._report._html import count_of, esc
from customer_journey.render._report._map import map_section
from customer_journey.render._report._sections import (
    actions_section,
    dwell_section,
    experiments_section,
    flow_section,
    friction_section,
    funnel_section,
    goals_section,
    head_lines,
    trend_section,
)
from customer_journey.render._report._style import FRAGMENT_CSS, PAGE_CSS

__all__ = ["analysis_html", "report_html"]


#: A section of the page: its anchor, its heading, what renders it.
_Section = tuple[str, str, Callable[[JourneyModel, Analysis], str]]

#: The sections of the page, in order.
_SECTIONS: tuple[_Section, ...] = (
    ("map", "Journey map", map_section),
    ("funnel", "Funnel", lambda _, analysis: funnel_section(analysis)),
    ("flow", "Flow between stages", lambda _, analysis: flow_section(analysis)),
    ("dwell", "Time in stage", lambda _, analysis: dwell_section(analysis)),
    ("goals", "Goals", lambda _, analysis: goals_section(analysis)),
    ("friction", "Friction and root causes", lambda _, analysis: friction_section(analysis)),
    ("trend", "Trend", lambda _, analysis: trend_section(analysis)),
    ("actions", "Next best actions", lambda _, analysis: actions_section(analysis)),
    ("experiments", "Experiments and lift", lambda _, analysis: experiments_section(analysis)),
)


def _shown(analysis: Analysis) -> list[_Section]:
    """The sections `analysis` has something for: experiments only when the journey has some."""
    return [section for section in _SECTIONS if section[0] != "experiments" or analysis.experiments]


def report_html(
    journey_model: JourneyModel, analysis: Analysis, *, title: str | None = None
) -> str:
    """The analysis of a journey as one self-contained HTML page.

    Inline CSS and inline SVG only: no script, no font, no image is fetched, so the file
    works offline and prints (each section on its own page). Every text from the journey
    file or the data is escaped; the same journey and analysis always give the same text.
    An analysis split by group (`by`) shows the whole population first, then the same
    sections for each group, each group's anchors prefixed `group-N-`.

    Args:
        journey_model: the compiled journey (`Journey.model`): its map rows and phases.
        analysis: what `analyze` measured for it.
        title: the page's title (default: the journey's title, else its identifier).
    """
    heading = title or journey_model.title or journey_model.name
    nav = "".join(f'<a href="#{key}">{esc(name)}</a>' for key, name, _ in _shown(analysis))
    body = _sections(journey_model, analysis, "", "h2")
    if analysis.by is not None and analysis.groups:
        nav += '<a href="#groups">By group</a>'
        body += _groups(journey_model, analysis, analysis.by)
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


def _sections(model: JourneyModel, analysis: Analysis, prefix: str, level: str) -> str:
    """Every section of the page for one analysis, anchors prefixed by `prefix`."""
    return "".join(
        f'<section id="{prefix}{key}"><{level}>{esc(name)}</{level}>{render(model, analysis)}'
        "</section>"
        for key, name, render in _shown(analysis)
    )


def _groups(model: JourneyModel, analysis: Analysis, by: str) -> str:
    """A part per group: its heading and summary, links to its sections, the sections."""
    index = "".join(
        f'<li><a href="#group-{number}">{esc(value)}</a>: {count_of(group.customers, "customer")}'
        "</li>"
        for number, (value, group) in enumerate(analysis.groups.items(), start=1)
    )
    parts = [
        f'<section id="groups"><h2>By {esc(by)}</h2><p class="note">The same sections for the '
        f"customers of each value of {esc(by)}.</p><ul>{index}</ul></section>"
    ]
    for number, (value, group) in enumerate(analysis.groups.items(), start=1):
        prefix = f"group-{number}-"
        links = "".join(
            f'<a href="#{prefix}{key}">{esc(name)}</a>' for key, name, _ in _shown(group)
        )
        summary = "".join(f"<p>{line}</p>" for line in head_lines(group))
        parts.append(
            f'<div class="group" id="group-{number}"><h2>{esc(by)} = {esc(value)}</h2>'
            f'{summary}<p class="links">{links}</p>{_sections(model, group, prefix, "h3")}</div>'
        )
    return "".join(parts)


def analysis_html(analysis: Analysis) -> str:
    """A compact HTML view of an analysis for notebooks: summary, funnel, goals, actions."""
    summary = "".join(f"<p>{line}</p>" for line in head_lines(analysis))
    return (
        f'<div class="cj-report"><style>{FRAGMENT_CSS}</style>{summary}'
        f"<h3>Funnel</h3>{funnel_section(analysis)}"
        f"<h3>Goals</h3>{goals_section(analysis)}"
        f"<h3>Next best actions</h3>{actions_section(analysis)}</div>"
    )
