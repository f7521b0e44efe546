"""Mermaid and DOT diagrams: exact text, weights from an analysis, and names that are unsafe."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import customer_journey
from customer_journey.render._diagram import dot, journey_html, mermaid

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS_PAGE = ROOT / "docs" / "guides" / "diagrams.md"

MINI = """\
journey: mini
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.completed, channel: web }
  closed: { event: account.closed, channel: web }
stages:
  end:                        # a Mermaid keyword as a stage name
    phase: awareness
    entry: [visit]
    expected_duration: 7d
    transitions:
      - to: buyer
        when: order
      - to: buyer
        when: visit
        times: 3
        within: 7d
      - to: lapsed
        after: 30d
  buyer:
    phase: conversion
    entry: [order]
    transitions:
      - to: buyer
        when: order
  lapsed:
    transitions:
      - to: buyer
        when: order
        if: { visited.buyer: { gte: 1 } }
  churned:
    terminal: true
anywhere:
  - to: churned
    when: closed
goals:
  first_order: { reach: buyer, within: 30d }
"""

# c1 enters and buys; c2 enters and times out; c3 closes the account; c4 buys at the till.
RECORDS = [
    {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c1", "type": "order.completed", "timestamp": "2026-01-02T09:00:00Z"},
    {"customer_id": "c2", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c3", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c3", "type": "account.closed", "timestamp": "2026-01-03T09:00:00Z"},
    {"customer_id": "c4", "type": "order.completed", "timestamp": "2026-01-01T09:00:00Z"},
]

MINI_MERMAID = """\
flowchart LR
  subgraph g0["awareness"]
    s0["end"]
  end
  subgraph g1["conversion"]
    s1[["buyer<br>goal: first_order"]]:::goal
  end
  subgraph g2["outside the lifecycle"]
    s2["lapsed"]
    s3(["churned"]):::terminal
  end
  n_entry(("entry")):::marker
  n_anywhere{{"anywhere"}}:::marker
  n_entry -.->|"visit"| s0
  n_entry -.->|"order"| s1
  s0 -->|"order or 3x visit within 7d"| s1
  s0 -->|"after 30d"| s2
  s1 -->|"order"| s1
  s2 -->|"order if {visited.buyer: {gte: 1}}"| s1
  n_anywhere -.->|"closed"| s3
  subgraph legend["legend"]
    l_stage["stage"]
    l_goal[["goal stage"]]:::goal
    l_terminal(["terminal stage"]):::terminal
  end
  classDef goal fill:#e6f4ea,stroke:#1e7b34,stroke-width:2px
  classDef terminal fill:#eeeeee,stroke:#555555,stroke-dasharray:4 2
  classDef marker fill:#ffffff,stroke:#888888
"""

MINI_DOT = """\
digraph "mini" {
  rankdir=LR;
  node [fontname="Helvetica"];
  edge [fontname="Helvetica", fontsize=10];
  subgraph "cluster_g0" {
    label="awareness";
    "s0" [label="end", shape=box, style="rounded"];
  }
  subgraph "cluster_g1" {
    label="conversion";
    "s1" [label="buyer\\ngoal: first_order", shape=box, style="rounded,filled,bold", \
fillcolor="#e6f4ea", color="#1e7b34"];
  }
  subgraph "cluster_g2" {
    label="outside the lifecycle";
    "s2" [label="lapsed", shape=box, style="rounded"];
    "s3" [label="churned", shape=box, style="rounded,filled,dashed", fillcolor="#eeeeee", \
peripheries=2];
  }
  "n_entry" [label="entry", shape=circle, color="#888888"];
  "n_anywhere" [label="anywhere", shape=hexagon, style="dashed", color="#888888"];
  "n_entry" -> "s0" [label="visit", style="dashed"];
  "n_entry" -> "s1" [label="order", style="dashed"];
  "s0" -> "s1" [label="order or 3x visit within 7d"];
  "s0" -> "s2" [label="after 30d"];
  "s1" -> "s1" [label="order"];
  "s2" -> "s1" [label="order if {visited.buyer: {gte: 1}}"];
  "n_anywhere" -> "s3" [label="closed", style="dashed"];
  subgraph "cluster_legend" {
    label="legend";
    "l_stage" [label="stage", shape=box, style="rounded"];
    "l_goal" [label="goal stage", shape=box, style="rounded,filled,bold", fillcolor="#e6f4ea", \
color="#1e7b34"];
    "l_terminal" [label="terminal stage", shape=box, style="rounded,filled,dashed", \
fillcolor="#eeeeee", peripheries=2];
  }
}
"""

# Every name is something Mermaid or DOT would misread if it were written bare.
TRICKY = """\
journey: 'tricky "journey" \\ <x>'
phases: [end, 'sub "graph"', 'a|b']
touchpoints:
  'start #1 "go"': { event: a.b, channel: web }
  'x-->y|z`': { event: c.d, channel: email }
  end: { event: e.f, channel: web }
stages:
  end:
    phase: end
    entry: ['start #1 "go"']
    transitions:
      - to: subgraph
        when: 'x-->y|z`'
      - to: style
        after: 1d
  subgraph:
    phase: 'sub "graph"'
    transitions:
      - to: 'a "b" <i>&amp; #35; c\\d'
        when: end
  style:
    phase: 'a|b'
  'a "b" <i>&amp; #35; c\\d':
    terminal: true
  graph:
    transitions:
      - to: end
        when: end
anywhere:
  - to: graph
    when: end
"""


@pytest.fixture(scope="module")
def mini() -> customer_journey.Journey:
    return customer_journey.loads(MINI, source="mini.journey.yaml")


@pytest.fixture(scope="module")
def tricky() -> customer_journey.Journey:
    return customer_journey.loads(TRICKY, source="tricky.journey.yaml")


@pytest.fixture(scope="module")
def analysis(mini: customer_journey.Journey) -> customer_journey.Analysis:
    return customer_journey.analyze(mini, RECORDS, "2026-03-01T00:00:00Z")


def test_mermaid_groups_stages_by_phase_and_labels_transitions(
    mini: customer_journey.Journey,
) -> None:
    assert mermaid(mini) == MINI_MERMAID


def test_dot_draws_the_same_journey_in_clusters(mini: customer_journey.Journey) -> None:
    assert dot(mini) == MINI_DOT


def test_the_model_draws_like_the_journey(mini: customer_journey.Journey) -> None:
    assert mermaid(mini.model) == mermaid(mini)
    assert dot(mini.model) == dot(mini)


def test_mermaid_with_an_analysis_counts_moves_and_scales_edge_widths(
    mini: customer_journey.Journey, analysis: customer_journey.Analysis
) -> None:
    lines = mermaid(mini, analysis=analysis).splitlines()
    edges = [line.strip() for line in lines if "->" in line]
    assert edges == [
        'n_entry -.->|"visit (3)"| s0',
        'n_entry -.->|"order (1)"| s1',
        's0 -->|"order or 3x visit within 7d (1)"| s1',
        's0 -->|"after 30d (1)"| s2',
        's1 -->|"order (0)"| s1',
        's2 -->|"order if {visited.buyer: {gte: 1}} (0)"| s1',
        'n_anywhere -.->|"closed (1)"| s3',
    ]
    widths = [line.strip() for line in lines if line.strip().startswith("linkStyle")]
    assert widths == [
        "linkStyle 0 stroke-width:8.0px",
        "linkStyle 1 stroke-width:3.3px",
        "linkStyle 2 stroke-width:3.3px",
        "linkStyle 3 stroke-width:3.3px",
        "linkStyle 4 stroke-width:1.0px",
        "linkStyle 5 stroke-width:1.0px",
        "linkStyle 6 stroke-width:3.3px",
    ]


def test_dot_with_an_analysis_sets_pen_widths(
    mini: customer_journey.Journey, analysis: customer_journey.Analysis
) -> None:
    edges = [line.strip() for line in dot(mini, analysis=analysis).splitlines() if " -> " in line]
    assert edges[0] == '"n_entry" -> "s0" [label="visit (3)", style="dashed", penwidth=8.0];'
    assert edges[4] == '"s1" -> "s1" [label="order (0)", penwidth=1.0];'


def test_a_move_into_an_anywhere_target_counts_on_the_stage_edge_when_the_stage_has_one() -> None:
    journey = customer_journey.loads(
        MINI.replace(
            "      - to: lapsed\n",
            "      - to: churned\n        when: closed\n      - to: lapsed\n",
            1,
        )
    )
    analysis = customer_journey.analyze(journey, RECORDS, "2026-03-01T00:00:00Z")
    edges = [line.strip() for line in mermaid(journey, analysis=analysis).splitlines()]
    assert 's0 -->|"closed (1)"| s3' in edges
    assert 'n_anywhere -.->|"closed (0)"| s3' in edges


def test_anywhere_transitions_are_drawn_once_from_one_node(
    tricky: customer_journey.Journey,
) -> None:
    edges = [line for line in mermaid(tricky).splitlines() if "-.->" in line or "-->" in line]
    assert [edge.strip() for edge in edges if "n_anywhere" in edge] == ['n_anywhere -.->|"end"| s4']


def test_mermaid_quotes_and_escapes_every_name(tricky: customer_journey.Journey) -> None:
    lines = [line.strip() for line in mermaid(tricky).splitlines()]
    assert 'subgraph g0["end"]' in lines
    assert 'subgraph g1["sub #quot;graph#quot;"]' in lines
    assert 'subgraph g2["a#124;b"]' in lines
    assert 's3(["a #quot;b#quot; #lt;i#gt;#amp;amp; #35;35; c\\d"]):::terminal' in lines
    assert 'n_entry -.->|"start #35;1 #quot;go#quot;"| s0' in lines
    assert 's0 -->|"x--#gt;y#124;z#96;"| s1' in lines


_ID = r"(?:s\d+|n_entry|n_anywhere|l_[a-z]+)"
_MERMAID_LINE = re.compile(
    "|".join(
        [
            r"flowchart LR",
            r"subgraph (?:g\d+|legend)\[\"\"\]",
            r"end",
            rf'{_ID}(?:\[|\[\[|\(\[|\(\(|\{{\{{)""(?:\]|\]\]|\]\)|\)\)|\}}\}})(?::::[a-z]+)?',
            rf'{_ID} (?:-->|-\.->)\|""\| {_ID}',
            r"classDef [a-z]+ [a-z:#0-9,\- ]+",
            r"linkStyle \d+ stroke-width:[0-9.]+px",
        ]
    )
)


def test_mermaid_names_appear_only_inside_quoted_labels(tricky: customer_journey.Journey) -> None:
    lines = [line.strip() for line in mermaid(tricky).splitlines()]
    bare = [re.sub(r'"[^"]*"', '""', line) for line in lines]
    assert [line for line in bare if not _MERMAID_LINE.fullmatch(line)] == []


def test_dot_escapes_quotes_and_backslashes(tricky: customer_journey.Journey) -> None:
    text = dot(tricky)
    assert text.startswith('digraph "tricky \\"journey\\" \\\\ <x>" {\n')
    assert '    label="sub \\"graph\\"";\n' in text
    assert '"s3" [label="a \\"b\\" <i>&amp; #35; c\\\\d", ' in text


IDLE = """\
journey: idle
touchpoints:
  visit: { event: page.viewed, channel: web }
  order: { event: order.completed, channel: web }
stages:
  browsing:
    entry: [visit]
    transitions:
      - { to: buyer, when: order }
      - { to: quiet, idle: 14d }
  buyer:
    terminal: true
  quiet:
    transitions:
      - { to: buyer, when: order }
anywhere:
  - { to: quiet, idle: 30d }
"""


def test_idle_timeouts_are_labelled_idle_in_mermaid_and_dot() -> None:
    journey = customer_journey.loads(IDLE, source="idle.journey.yaml")
    assert [line for line in mermaid(journey).splitlines() if "->" in line] == [
        '  n_entry -.->|"visit"| s0',
        '  s0 -->|"order"| s1',
        '  s0 -->|"idle 14d"| s2',
        '  s2 -->|"order"| s1',
        '  n_anywhere -.->|"idle 30d"| s2',
    ]
    assert [line for line in dot(journey).splitlines() if "->" in line] == [
        '  "n_entry" -> "s0" [label="visit", style="dashed"];',
        '  "s0" -> "s1" [label="order"];',
        '  "s0" -> "s2" [label="idle 14d"];',
        '  "s2" -> "s1" [label="order"];',
        '  "n_anywhere" -> "s2" [label="idle 30d", style="dashed"];',
    ]


def test_diagrams_are_the_same_on_every_call(mini: customer_journey.Journey) -> None:
    reloaded = customer_journey.loads(MINI)
    assert mermaid(reloaded) == mermaid(mini)
    assert dot(reloaded) == dot(mini)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
@pytest.mark.parametrize("name", ["mini", "tricky"])
def test_graphviz_renders_the_dot(name: str, request: pytest.FixtureRequest) -> None:
    journey = request.getfixturevalue(name)
    done = subprocess.run(
        ["dot", "-Tsvg"], input=dot(journey), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "<svg" in done.stdout


def test_the_diagrams_guide_shows_the_example_journey_as_mermaid_draws_it() -> None:
    page = DIAGRAMS_PAGE.read_text(encoding="utf-8")
    shown = page.split("```mermaid\n", 1)[1].split("```\n", 1)[0]
    journey = customer_journey.load(ROOT / "examples" / "bookshop.journey.yaml")
    assert shown == mermaid(journey)


def test_the_journey_shows_in_a_notebook_as_a_map_and_a_mermaid_block(
    tricky: customer_journey.Journey,
) -> None:
    assert tricky._repr_markdown_() == f"```mermaid\n{mermaid(tricky)}```\n"
    html = tricky._repr_html_()
    assert html == journey_html(tricky)
    assert "<script" not in html
    assert "<b>a &quot;b&quot; &lt;i&gt;&amp;amp; #35; c\\d</b>" in html
    assert "<li>&rarr; subgraph: x--&gt;y|z`</li>" in html
    assert "<p>From any stage that is not terminal:</p>" in html


def test_the_journey_map_has_a_column_per_phase_with_stages(
    mini: customer_journey.Journey,
) -> None:
    html = journey_html(mini)
    headers = re.findall(r"<th [^>]*>([^<]*)</th>", html)
    assert headers == ["awareness", "conversion", "outside the lifecycle"]
    assert "<small>entry: visit; expected 7d</small>" in html
    assert "<small>entry: order; goal: first_order</small>" in html
    assert "<small>terminal</small>" in html


@pytest.mark.skipif(
    not os.environ.get("MERMAID_JS"), reason="set MERMAID_JS to a mermaid.min.js to render"
)
@pytest.mark.parametrize("name", ["mini", "tricky"])
def test_mermaid_renders_in_chromium_with_every_label_intact(
    name: str, request: pytest.FixtureRequest
) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    journey = request.getfixturevalue(name)
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        page = browser.new_page()
        page.set_content("<div id='d'></div>")
        page.add_script_tag(path=os.environ["MERMAID_JS"])
        labels = page.evaluate(
            """async (text) => {
                mermaid.initialize({startOnLoad: false});
                const {svg} = await mermaid.render('g', text);
                document.getElementById('d').innerHTML = svg;
                return [...document.querySelectorAll('.nodeLabel')].map(e => e.textContent);
            }""",
            mermaid(journey),
        )
        browser.close()
    assert set(journey.model.stages) <= {label.split("goal: ")[0] for label in labels}
