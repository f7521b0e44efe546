"""`customer-journey diagram`: Mermaid and DOT on stdout or to a file, weighted by events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import customer_journey
from customer_journey.cli._diagram import diagram
from customer_journey.cli._main import CliGroup
from customer_journey.render._diagram import dot, mermaid

JOURNEY = "shop.journey.yaml"
RECORDS = [
    {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
    {"customer_id": "c2", "type": "page.viewed", "timestamp": "2026-01-05T09:00:00Z"},
]


def invoke(*args: str) -> Result:
    """Run the command in the error edge the `customer-journey` group gives it."""
    group = CliGroup("customer-journey")
    group.add_command(diagram)
    return CliRunner().invoke(group, ["diagram", *args], prog_name="customer-journey")


@pytest.fixture
def journey(workdir: Path) -> customer_journey.Journey:
    return customer_journey.load(workdir / JOURNEY)


@pytest.fixture
def events(workdir: Path) -> str:
    lines = "".join(json.dumps(record) + "\n" for record in RECORDS)
    (workdir / "events.jsonl").write_text(lines, encoding="utf-8")
    return "events.jsonl"


def test_diagram_prints_mermaid_by_default(journey: customer_journey.Journey) -> None:
    result = CliRunner().invoke(diagram, [JOURNEY])
    assert result.exit_code == 0, result.output
    assert result.output == mermaid(journey)


def test_diagram_prints_dot_with_format_dot(journey: customer_journey.Journey) -> None:
    result = invoke(JOURNEY, "--format", "dot")
    assert result.exit_code == 0, result.output
    assert result.output == dot(journey)


def test_diagram_with_events_is_weighted_by_their_analysis(
    journey: customer_journey.Journey, events: str
) -> None:
    result = invoke(JOURNEY, "--events", events, "--as-of", "2026-01-03T00:00:00Z")
    analysis = customer_journey.analyze(journey, events, "2026-01-03T00:00:00Z")
    assert result.exit_code == 0, result.output
    assert result.output == mermaid(journey, analysis=analysis)
    assert "linkStyle 0 stroke-width:" in result.output


def test_diagram_writes_to_out(journey: customer_journey.Journey, workdir: Path) -> None:
    result = invoke(JOURNEY, "--out", "shop.mmd")
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (workdir / "shop.mmd").read_text(encoding="utf-8") == mermaid(journey)


@pytest.mark.usefixtures("workdir")
def test_diagram_as_of_without_events_is_a_usage_error() -> None:
    result = invoke(JOURNEY, "--as-of", "2026-01-03")
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: --as-of needs --events: it says when the moves are measured\n"
    )


@pytest.mark.usefixtures("workdir")
def test_diagram_with_a_missing_events_file_exits_3() -> None:
    result = invoke(JOURNEY, "--events", "missing.jsonl")
    assert result.exit_code == 3
    assert result.output == "error: cannot read 'missing.jsonl': no such file\n"


@pytest.mark.usefixtures("workdir")
def test_diagram_with_a_missing_journey_exits_3() -> None:
    result = invoke("nope.journey.yaml")
    assert result.exit_code == 3
    assert result.output.startswith("error: cannot read 'nope.journey.yaml'")
