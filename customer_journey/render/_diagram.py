"""Journey diagrams: Mermaid and Graphviz DOT text, optionally weighted by measured moves.

Both formats are written from one layout (`_layout`): stages grouped by phase, an entry
node, one `anywhere` node whose transitions are drawn once, and the stage's own
transitions merged per target so that each drawn edge is one stage-to-stage move and can
carry the analysis's count. Every identifier is generated (`s0`, `g1`, ...); names only
ever appear inside quoted, escaped labels, so a stage called `end` or `a "b" --> c` is
safe. Producers: they return text and never write it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from html import escape
from typing import Literal, Protocol

import attrs

from customer_journey._durations import format_duration
from customer_journey._printable import printable
from customer_journey.analytics import Analysis
from customer_journey.model import JourneyModel, Stage, Transition

__all__ = ["dot", "journey_html", "mermaid"]

NodeKind = Literal["stage", "goal", "terminal", "entry", "anywhere"]
EdgeKind = Literal["move", "entry", "anywhere"]

#: Edge widths, in pixels (Mermaid) or points (DOT), for the fewest and the most moves.
THINNEST = 1.0
THICKEST = 8.0
#: The group of the stages outside the lifecycle phases.
OUTSIDE = "outside the lifecycle"

_MERMAID_SHAPES: Mapping[NodeKind, tuple[str, str]] = {
    "stage": ("[", "]"),
    "goal": ("[[", "]]"),
    "terminal": ("([", "])"),
    "entry": ("((", "))"),
    "anywhere": ("{{", "}}"),
}
_MERMAID_CLASSES = (
    "classDef goal fill:#e6f4ea,stroke:#1e7b34,stroke-width:2px",
    "classDef terminal fill:#eeeeee,stroke:#555555,stroke-dasharray:4 2",
    "classDef marker fill:#ffffff,stroke:#888888",
)
_DOT_STYLES: Mapping[NodeKind, str] = {
    "stage": 'shape=box, style="rounded"',
    "goal": 'shape=box, style="rounded,filled,bold", fillcolor="#e6f4ea", color="#1e7b34"',
    "terminal": 'shape=box, style="rounded,filled,dashed", fillcolor="#eeeeee", peripheries=2',
    "entry": 'shape=circle, color="#888888"',
    "anywhere": 'shape=hexagon, style="dashed", color="#888888"',
}
_LEGEND: tuple[tuple[NodeKind, str], ...] = (
    ("stage", "stage"),
    ("goal", "goal stage"),
    ("terminal", "terminal stage"),
)


class HasModel(Protocol):
    """Anything holding a compiled journey, such as `customer_journey.Journey`.

    Render sits below the facade in the layers, so it takes anything with a `model`.
    """

    @property
    def model(self) -> JourneyModel:
        """The compiled journey."""
        ...


Drawable = HasModel | JourneyModel


@attrs.frozen
class _Node:
    id: str
    lines: tuple[str, ...]
    kind: NodeKind


@attrs.frozen
class _Edge:
    source: str
    target: str
    label: str
    kind: EdgeKind
    count: int | None = None


@attrs.frozen
class _Group:
    id: str
    label: str
    nodes: tuple[_Node, ...]


@attrs.frozen
class _Layout:
    groups: tuple[_Group, ...]
    loose: tuple[_Node, ...]
    edges: tuple[_Edge, ...]
    legend: tuple[_Node, ...]
    weighted: bool


def _trigger(transition: Transition) -> str:
    """What fires a transition, in the DSL's words: `after 30d`, `idle 14d`, `3x x within 7d`."""
    if transition.after is not None:
        text = f"after {format_duration(transition.after)}"
    elif transition.idle is not None:
        text = f"idle {format_duration(transition.idle)}"
    elif transition.times is not None and transition.within is not None:
        names = ", ".join(transition.touchpoints)
        text = f"{transition.times}x {names} within {format_duration(transition.within)}"
    else:
        text = ", ".join(transition.touchpoints)
    if transition.condition_tree is not None:
        text += f" if {transition.condition_tree.text}"
    return text


def _merged(transitions: tuple[Transition, ...]) -> Iterator[tuple[str, str]]:
    """Target and label per target, in first-declared order: one edge per move."""
    labels: dict[str, list[str]] = {}
    for transition in transitions:
        labels.setdefault(transition.target, []).append(_trigger(transition))
    for target, triggers in labels.items():
        yield target, " or ".join(triggers)


def _kind(stage: Stage, goals: Mapping[str, list[str]]) -> NodeKind:
    if stage.is_terminal:
        return "terminal"
    return "goal" if stage.name in goals else "stage"


def _stage_node(stage: Stage, goals: Mapping[str, list[str]]) -> _Node:
    marks = [f"goal: {', '.join(goals[stage.name])}"] if stage.name in goals else []
    return _Node(f"s{stage.index}", (stage.name, *marks), _kind(stage, goals))


def _groups(model: JourneyModel, nodes: Mapping[str, _Node]) -> tuple[_Group, ...]:
    """One group per phase that has stages, in lifecycle order, then the stages outside."""
    groups: list[_Group] = []
    for phase in (*model.phases, None):
        members = tuple(nodes[s.name] for s in model.stages.values() if s.phase == phase)
        if members:
            label = OUTSIDE if phase is None else phase
            groups.append(_Group(f"g{len(groups)}", label, members))
    return tuple(groups)


def _layout(model: JourneyModel, analysis: Analysis | None) -> _Layout:
    goals: dict[str, list[str]] = {}
    for goal in model.goals.values():
        goals.setdefault(goal.stage, []).append(goal.name)
    nodes = {name: _stage_node(stage, goals) for name, stage in model.stages.items()}
    flows = analysis.flows if analysis is not None else None
    moves = flows.moves if flows is not None else {}
    edges: list[_Edge] = []
    loose: list[_Node] = []
    entries = [stage for stage in model.stages.values() if stage.entry]
    if entries:
        loose.append(_Node("n_entry", ("entry",), "entry"))
    for stage in entries:
        count = flows.entries.get(stage.name, 0) if flows is not None else None
        label = ", ".join(stage.entry)
        edges.append(_Edge("n_entry", nodes[stage.name].id, label, "entry", count))
    own: set[tuple[str, str]] = set()
    for stage in model.stages.values():
        for target, label in _merged(stage.transitions):
            own.add((stage.name, target))
            count = moves.get(stage.name, {}).get(target, 0) if flows is not None else None
            edges.append(_Edge(nodes[stage.name].id, nodes[target].id, label, "move", count))
    if model.anywhere:
        loose.append(_Node("n_anywhere", ("anywhere",), "anywhere"))
    for target, label in _merged(model.anywhere):
        # A move into an `anywhere` target counts here unless the stage has its own
        # transition to it (stage transitions are drawn, and counted, on their own edge).
        count = (
            sum(
                row.get(target, 0)
                for source, row in moves.items()
                if (source, target) not in own and source in nodes
            )
            if flows is not None
            else None
        )
        edges.append(_Edge("n_anywhere", nodes[target].id, label, "anywhere", count))
    shown = {node.kind for node in nodes.values()}
    legend = tuple(_Node(f"l_{kind}", (text,), kind) for kind, text in _LEGEND if kind in shown)
    return _Layout(_groups(model, nodes), tuple(loose), tuple(edges), legend, flows is not None)


def _model(journey: Drawable) -> JourneyModel:
    return journey if isinstance(journey, JourneyModel) else journey.model


def _label(edge: _Edge) -> str:
    if edge.count is None:
        return edge.label
    return f"{edge.label} ({edge.count})" if edge.label else str(edge.count)


def _widths(edges: tuple[_Edge, ...]) -> list[float]:
    """Edge widths scaled linearly from the fewest (0) to the most moves."""
    most = max((edge.count or 0 for edge in edges), default=0)
    return [
        round(THINNEST + (THICKEST - THINNEST) * (edge.count or 0) / most, 1) if most else THINNEST
        for edge in edges
    ]


# Mermaid ------------------------------------------------------------------------------------

#: Characters that could end a quoted label or be read as markup, as Mermaid entity codes.
_MERMAID_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "|": "#124;",
    "`": "#96;",
    "\n": " ",
    "\r": " ",
}


def _mermaid_text(text: str) -> str:
    """A Mermaid quoted label: entity codes, line breaks as spaces, other controls spelled."""
    return printable("".join(_MERMAID_ENTITIES.get(char, char) for char in text))


def _mermaid_node(node: _Node) -> str:
    opening, closing = _MERMAID_SHAPES[node.kind]
    label = "<br>".join(_mermaid_text(line) for line in node.lines)
    suffix = {"goal": ":::goal", "terminal": ":::terminal"}.get(node.kind, "")
    if node.kind in ("entry", "anywhere"):
        suffix = ":::marker"
    return f'{node.id}{opening}"{label}"{closing}{suffix}'


def _mermaid_edge(edge: _Edge) -> str:
    arrow = "-.->" if edge.kind in ("anywhere", "entry") else "-->"
    label = _label(edge)
    if not label:
        return f"{edge.source} {arrow} {edge.target}"
    return f'{edge.source} {arrow}|"{_mermaid_text(label)}"| {edge.target}'


def mermaid(journey: Drawable, *, analysis: Analysis | None = None) -> str:
    """The journey as a Mermaid flowchart, for docs, GitHub and notebooks.

    Stages are grouped by phase (stages outside the lifecycle in a group of their own);
    transitions are labelled with their touchpoints, `after <timeout>` or `idle <timeout>`;
    goal stages are drawn as double-sided boxes and terminal stages as rounded, dashed
    boxes, with a legend. With `analysis`, each edge also carries the measured moves and its width
    grows with them.
    """
    layout = _layout(_model(journey), analysis)
    lines = ["flowchart LR"]
    for group in layout.groups:
        lines.append(f'  subgraph {group.id}["{_mermaid_text(group.label)}"]')
        lines.extend(f"    {_mermaid_node(node)}" for node in group.nodes)
        lines.append("  end")
    lines.extend(f"  {_mermaid_node(node)}" for node in layout.loose)
    lines.extend(f"  {_mermaid_edge(edge)}" for edge in layout.edges)
    if layout.legend:
        lines.append('  subgraph legend["legend"]')
        lines.extend(f"    {_mermaid_node(node)}" for node in layout.legend)
        lines.append("  end")
    lines.extend(f"  {line}" for line in _MERMAID_CLASSES)
    if layout.weighted:
        lines.extend(
            f"  linkStyle {index} stroke-width:{width}px"
            for index, width in enumerate(_widths(layout.edges))
        )
    return "".join(f"{line}\n" for line in lines)


# DOT ----------------------------------------------------------------------------------------


def _dot_text(text: str) -> str:
    r"""A DOT quoted string's content: one line, other controls spelled, `\` and `"` escaped."""
    line = printable(text.replace("\r", " ").replace("\n", " "))
    return line.replace("\\", "\\\\").replace('"', '\\"')


def _dot_node(node: _Node) -> str:
    label = "\\n".join(_dot_text(line) for line in node.lines)
    return f'"{node.id}" [label="{label}", {_DOT_STYLES[node.kind]}];'


def _dot_edge(edge: _Edge, width: float | None) -> str:
    attributes = [f'label="{_dot_text(_label(edge))}"']
    if edge.kind != "move":
        attributes.append('style="dashed"')
    if width is not None:
        attributes.append(f"penwidth={width}")
    return f'"{edge.source}" -> "{edge.target}" [{", ".join(attributes)}];'


def dot(journey: Drawable, *, analysis: Analysis | None = None) -> str:
    """The journey as a Graphviz DOT digraph (`dot -Tsvg`), laid out left to right.

    The same drawing as `mermaid`: phase clusters, labelled transitions, goal and terminal
    stages marked with a legend, and with `analysis` the measured moves on each edge and
    pen widths that grow with them.
    """
    model = _model(journey)
    layout = _layout(model, analysis)
    lines = [
        f'digraph "{_dot_text(model.name)}" {{',
        "  rankdir=LR;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for group in layout.groups:
        lines.append(f'  subgraph "cluster_{group.id}" {{')
        lines.append(f'    label="{_dot_text(group.label)}";')
        lines.extend(f"    {_dot_node(node)}" for node in group.nodes)
        lines.append("  }")
    lines.extend(f"  {_dot_node(node)}" for node in layout.loose)
    widths: list[float | None] = (
        list(_widths(layout.edges)) if layout.weighted else [None] * len(layout.edges)
    )
    lines.extend(
        f"  {_dot_edge(edge, width)}" for edge, width in zip(layout.edges, widths, strict=True)
    )
    if layout.legend:
        lines.append('  subgraph "cluster_legend" {')
        lines.append('    label="legend";')
        lines.extend(f"    {_dot_node(node)}" for node in layout.legend)
        lines.append("  }")
    lines.append("}")
    return "".join(f"{line}\n" for line in lines)


# HTML ---------------------------------------------------------------------------------------

_CELL = 'style="vertical-align:top;border:1px solid #ccc;padding:6px;text-align:left"'
_BOX = "border:1px solid #999;border-radius:6px;padding:4px 6px;margin:4px 0"
#: Stage boxes are coloured like the diagram's classes.
_FILLS: Mapping[NodeKind, str] = {"goal": "#e6f4ea", "terminal": "#eeeeee"}
_MOVES = 'style="margin:2px 0 0 0;padding-left:0.4em;list-style:none;font-size:90%"'


def _html_stage(stage: Stage, goals: Mapping[str, list[str]]) -> str:
    marks = [f"entry: {', '.join(stage.entry)}"] if stage.entry else []
    marks += [f"goal: {', '.join(goals[stage.name])}"] if stage.name in goals else []
    marks += ["terminal"] if stage.is_terminal else []
    if stage.expected_duration is not None:
        marks.append(f"expected {format_duration(stage.expected_duration)}")
    moves = "".join(
        f"<li>&rarr; {escape(target)}: {escape(label)}</li>"
        for target, label in _merged(stage.transitions)
    )
    head = f"<b>{escape(stage.name)}</b>"
    small = f"<br><small>{escape('; '.join(marks))}</small>" if marks else ""
    listed = f"<ul {_MOVES}>{moves}</ul>" if moves else ""
    fill = _FILLS.get(_kind(stage, goals))
    background = f";background:{fill}" if fill else ""
    return f'<div style="{_BOX}{background}">{head}{small}{listed}</div>'


def journey_html(journey: Drawable) -> str:
    """The journey as a self-contained HTML map, for notebooks (no scripts, nothing fetched).

    Phases are columns, each with its stages, their marks (entry, goal, terminal, expected
    duration) and transitions; `anywhere` transitions are listed once, under the map.
    """
    model = _model(journey)
    goals: dict[str, list[str]] = {}
    for goal in model.goals.values():
        goals.setdefault(goal.stage, []).append(goal.name)
    columns = [
        (label, [s for s in model.stages.values() if s.phase == phase])
        for phase, label in (*((p, p) for p in model.phases), (None, OUTSIDE))
    ]
    columns = [(label, stages) for label, stages in columns if stages]
    header = "".join(f"<th {_CELL}>{escape(label)}</th>" for label, _ in columns)
    cells = "".join(
        f"<td {_CELL}>{''.join(_html_stage(stage, goals) for stage in stages)}</td>"
        for _, stages in columns
    )
    anywhere = "".join(
        f"<li>&rarr; {escape(target)}: {escape(label)}</li>"
        for target, label in _merged(model.anywhere)
    )
    title = escape(model.title or model.name)
    parts = [
        f"<div><p><b>{title}</b> <small>(journey '{escape(model.name)}', "
        f"{len(model.stages)} stages)</small></p>",
        f'<table style="border-collapse:collapse"><tr>{header}</tr><tr>{cells}</tr></table>',
    ]
    if anywhere:
        parts.append(f"<p>From any stage that is not terminal:</p><ul {_MOVES}>{anywhere}</ul>")
    parts.append("</div>")
    return "".join(parts)
