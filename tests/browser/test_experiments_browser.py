"""The report's experiments section in a real browser: each interval drawn where it belongs.

On the membership example (a global holdout and an A/B test) with simulated customers:
every interval bar lies inside its chart, the dot marking the difference lies on its bar,
the zero line is at the chart's middle, and each chart says its lift in words (its title,
the tooltip). Skips, saying why, when /usr/bin/chromium or Python Playwright is missing.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

import customer_journey as cj
from customer_journey.render._report import report_html
from customer_journey.testing import simulate

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"no Chromium at {CHROMIUM} (Debian package 'chromium'; see .ci/browser)",
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Python Playwright is not installed (pip install playwright)"
)


def _screenshots() -> ModuleType:
    """docs/images/make_screenshots.py (not a package): the browser settings the docs use."""
    name = "docs_make_screenshots"
    if name not in sys.modules:  # test_report_browser.py may have loaded it
        spec = importlib.util.spec_from_file_location(
            name, ROOT / "docs" / "images" / "make_screenshots.py"
        )
        assert spec is not None
        assert spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


shots = _screenshots()

#: Per interval chart: its width, the bar's ends, the zero line, the dot, the title, and
#: where the chart sits on the page.
_INTERVALS = """svgs => svgs.map(svg => {
    const bar = svg.querySelectorAll('rect')[1];
    const line = svg.querySelector('line');
    const dot = svg.querySelector('circle');
    const box = svg.getBoundingClientRect();
    return {
        width: svg.viewBox.baseVal.width,
        low: bar.x.baseVal.value,
        high: bar.x.baseVal.value + bar.width.baseVal.value,
        zero: line.x1.baseVal.value,
        dot: dot.cx.baseVal.value,
        title: svg.querySelector('title').textContent,
        shown: box.width > 0 && box.height > 0,
    };
})"""


def test_every_interval_lies_in_its_chart_with_its_dot_on_the_bar_and_its_words() -> None:
    journey = cj.load(ROOT / "examples" / "membership.journey.yaml")
    analysis = cj.analyze(journey, list(simulate(journey, 200, seed=4)))
    lifts = [
        goal.lift
        for experiment in analysis.experiments
        for arm in experiment.arms
        for goal in arm.goals
        if goal.lift is not None
    ]
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(shots.CHROMIUM), args=shots.CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": shots.WIDTH, "height": 900})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.set_content(report_html(journey.model, analysis), wait_until="load")
            charts = page.eval_on_selector_all("#experiments svg.interval", _INTERVALS)
        finally:
            browser.close()
    assert errors == []
    assert len(charts) == len(lifts) == 4  # two goals, one arm against each reference
    for chart, lift in zip(charts, lifts, strict=True):
        assert chart["shown"]
        assert 0 <= chart["low"] <= chart["dot"] <= chart["high"] <= chart["width"]
        assert chart["zero"] == chart["width"] / 2
        assert (chart["low"] <= chart["zero"] <= chart["high"]) == (lift.low <= 0 <= lift.high)
        assert " points " in chart["title"]
        assert chart["title"].endswith(")")
