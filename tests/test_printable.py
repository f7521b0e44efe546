"""Names and data in text output are spelled out, never obeyed by a terminal."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from customer_journey import analyze, loads
from customer_journey._printable import printable
from customer_journey.engine import ReplayResult
from customer_journey.render import analysis_text, dot, explain_text, mermaid
from customer_journey.render._tables import table

JOURNEY = """\
journey: "shop\\e[2J"
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  "a\\nb\\e]0;x\\a":
    entry: [visit]
"""


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("\r\t", "\\r\\t"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x00\x7f", "\\x00\\x7f"),
        ("\x9b2J", "\\x9b2J"),
        ("line\u2028next\u2029", "line\\u2028next\\u2029"),
        ("\u202eevil\u2066", "\\u202eevil\\u2066"),
    ],
)
def test_printable_spells_out_control_characters(text: str, shown: str) -> None:
    assert printable(text) == shown


@pytest.mark.parametrize("text", ["C:\\journeys\\shop.yaml", "café 🛒 ünïcode", "[bold]x"])
def test_printable_leaves_other_text_as_it_is(text: str) -> None:
    assert printable(text) == text


def test_a_table_lines_up_cells_with_controls_spelled_out() -> None:
    assert table(("name", "n"), [("a\x1bb", "1"), ("longer", "22")]) == [
        "  name     n",
        "  a\\x1bb   1",
        "  longer  22",
    ]


def test_explain_text_keeps_each_line_one_line() -> None:
    result = ReplayResult(
        customer="c1\n\x1b[2Jfake",
        as_of=datetime(2026, 1, 1, tzinfo=timezone.utc),
        stage=None,
        phase=None,
        entered_at=None,
        time_in_stage=None,
        is_terminal=False,
        is_stalled=False,
        path=(),
        counts={},
        goals={},
        events=0,
        duplicates=0,
        trace=(),
    )
    assert explain_text(result).splitlines()[0] == (
        "customer c1\\n\\x1b[2Jfake, as of 2026-01-01T00:00:00Z"
    )


def test_analysis_text_spells_out_controls_in_names_and_groups() -> None:
    journey = loads(JOURNEY)
    records = [
        {
            "customer_id": "c1",
            "type": "page.viewed",
            "timestamp": "2026-01-01T09:00:00Z",
            "traits": {"segment": "vip\x1b[5m"},
        }
    ]
    shown = analysis_text(analyze(journey, records, by="customer.segment"))
    assert "\x1b" not in shown
    assert shown.splitlines()[0] == "journey 'shop\\x1b[2J', as of 2026-01-01T09:00:00Z"
    assert "  a\\nb\\x1b]0;x\\x07" in shown
    header = next(line for line in shown.splitlines() if line.startswith("  customer.segment"))
    assert header.endswith("  vip\\x1b[5m")


def test_diagrams_spell_out_controls_and_keep_line_breaks_as_spaces() -> None:
    journey = loads(JOURNEY)
    assert '"a b\\x1b]0;x\\x07"' in mermaid(journey)
    assert 'label="a b\\\\x1b]0;x\\\\x07"' in dot(journey)
