"""The live app example runs, sends every change once, and prints what the guide shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "live_app.py"
GUIDE = ROOT / "docs" / "guides" / "live.md"
SNIPPET = '--8<-- "examples/live_app.py"'


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> str:
    # From another folder: the example finds its files next to itself, and leaves nothing.
    folder = tmp_path_factory.mktemp("elsewhere")
    run = subprocess.run(
        [sys.executable, str(APP)], cwd=folder, capture_output=True, text=True, check=False
    )
    assert (run.returncode, run.stderr) == (0, "")
    assert list(folder.iterdir()) == []
    return run.stdout


def _shown_in_guide() -> str:
    """The ```text block that follows the guide's inclusion of the example."""
    lines = GUIDE.read_text(encoding="utf-8").splitlines()
    start = lines.index("```text", lines.index(SNIPPET))
    end = lines.index("```", start + 1)
    return "".join(f"{line}\n" for line in lines[start + 1 : end])


def test_the_example_prints_exactly_what_the_guide_shows(printed: str) -> None:
    assert printed == _shown_in_guide()


def test_every_outbox_message_is_sent_once_in_id_order(printed: str) -> None:
    sent = [int(number) for number in re.findall(r"^  sent #(\d+) ", printed, re.MULTILINE)]

    assert sent == list(range(1, 12))


def test_the_late_event_and_the_redelivery_are_counted_and_c1_enters_active_on_time(
    printed: str,
) -> None:
    counted = "2026-03-05T12:00:00Z: 3 read, 2 accepted, 0 rejected, 1 duplicates, 1 late\n"
    on_time = "  sent #4 to c1: stage_entered, entered active at 2026-03-04 10:00\n"

    assert counted in printed
    assert on_time in printed


def test_the_live_state_ends_where_batch_replay_puts_each_customer(printed: str) -> None:
    assert printed.endswith(
        "c1: active (converted missed)\n"
        "c2: lapsed (converted missed)\n"
        "c3: paying (converted reached)\n"
        "rejected: {'customer_id': 'c2', 'type': 'account.created', "
        "'timestamp': '01/03/2026 11:00'} [bad-timestamp]\n"
        "live status equals batch replay: True\n"
    )
