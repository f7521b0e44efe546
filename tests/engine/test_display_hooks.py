"""Notebook display hooks of objects below render ask a registry; they never import render."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Whether render was loaded before any hook ran, and the start of each hook's output.
SCRIPT = """
import json, sys
from customer_journey.analytics import analyze
from customer_journey.journey import loads

journey = loads('''
journey: hooks
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  browsing:
    entry: [visit]
''')
records = [{"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T00:00:00Z"}]
result = journey.replay(records)
analysis = analyze(journey, records)
hooks = {
    "journey html": journey._repr_html_,
    "journey markdown": journey._repr_markdown_,
    "result html": result._repr_html_,
    "analysis html": analysis._repr_html_,
}
loaded_before = "customer_journey.render" in sys.modules
after = {name: (hook() or "")[:16] for name, hook in hooks.items()}
print(json.dumps([loaded_before, after]))
"""


def test_hooks_load_render_on_first_use_and_show_its_views() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded_before, after = json.loads(done.stdout)
    assert loaded_before is False
    assert after == {
        "journey html": "<div><p><b>hooks",
        "journey markdown": "```mermaid\nflowc",
        "result html": '<div style="bord',
        "analysis html": '<div class="cj-r',
    }
