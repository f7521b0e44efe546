"""Notebook display hooks of objects below render ask a registry; they never import render."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Shows each hook's output (or None) before render is imported, after a loader is named,
#: and whether render was loaded by then.
SCRIPT = """
import importlib, json, sys
from customer_journey import _display
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
before = {name: hook() for name, hook in hooks.items()}
loaded_before = "customer_journey.render" in sys.modules
_display.set_loader(lambda: importlib.import_module("customer_journey.render"))
after = {name: (hook() or "")[:16] for name, hook in hooks.items()}
print(json.dumps([before, loaded_before, after]))
"""


def test_hooks_show_nothing_until_render_registers_its_producers() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, loaded_before, after = json.loads(done.stdout)
    assert before == dict.fromkeys(before, None)
    assert loaded_before is False
    assert after == {
        "journey html": "<div><p><b>hooks",
        "journey markdown": "```mermaid\nflowc",
        "result html": '<div style="bord',
        "analysis html": '<div class="cj-r',
    }
