"""The HTML report in a real browser: headless Chromium, driven by Playwright.

Renders the report for the bundled example (the bookshop journey and events from
examples/generate_events.py), then checks that the page loads without console errors or
any request beyond the page itself, that the funnel numbers it shows are the analysis
numbers, and takes a screenshot. Run with `pytest -s` to see how long the page took to
load. The documentation's screenshots come from docs/images/make_screenshots.py, whose
browser settings and journeys these tests share.

Then checks the flow chart's layout in the browser, on the bookshop and on a 50-stage
journey (from docs/images/make_screenshots.py): every arc of a move back lies inside the
chart, and no two of its labels overlap.

Skips, saying why, when /usr/bin/chromium or Python Playwright is missing.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import customer_journey as cj
from customer_journey.render._report import report_html

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "images" / "make_screenshots.py"


def _script(name: str, path: Path) -> ModuleType:
    # examples/ and docs/ are not packages: import by path, registered as dataclasses need.
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


#: The documentation's screenshots: the same browser, flags, window and journeys.
shots = _script("docs_make_screenshots", SCREENSHOTS)
CHROMIUM = shots.CHROMIUM
ARGS = shots.CHROMIUM_ARGS
WIDTH = shots.WIDTH

# Skipped on a machine without Chromium, but never in CI: there the test command installs
# it (`.ci/browser`), and a missing browser must fail rather than pass quietly.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"no Chromium at {CHROMIUM} (Debian package 'chromium'; see .ci/browser)",
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Python Playwright is not installed (pip install playwright)"
)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, cj.Analysis]:
    """The report of 1,000 example customers, written to a file, and its analysis."""
    folder = tmp_path_factory.mktemp("browser")
    events = folder / "events.jsonl"
    generator = _script("examples_generate_events", EXAMPLES / "generate_events.py")
    lines = generator.generate(1000, seed=7).lines
    events.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    journey = cj.load(EXAMPLES / "bookshop.journey.yaml")
    analysis = cj.analyze(journey, events)
    page = folder / "report.html"
    page.write_text(report_html(journey.model, analysis), encoding="utf-8")
    return page, analysis


def test_the_report_loads_offline_and_shows_the_analysis_numbers(
    example: tuple[Path, cj.Analysis], tmp_path: Path
) -> None:
    page_file, analysis = example
    url = page_file.as_uri()
    console: list[tuple[str, str]] = []
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.on("console", lambda message: console.append((message.type, message.text)))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            started = time.perf_counter()
            page.goto(url, wait_until="load")
            wall = time.perf_counter() - started
            load_ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            cells = page.eval_on_selector_all(
                "[data-stage][data-figure]",
                "cells => cells.map(c => [c.dataset.stage, c.dataset.figure, c.textContent])",
            )
            page.screenshot(path=tmp_path / "report.png", full_page=True)
        finally:
            browser.close()

    print(
        f"\nreport loaded in {load_ms:.0f} ms (navigation timing), {wall * 1000:.0f} ms wall clock"
    )
    assert [
        f"{message.type}: {message.text}" for message in console if message.type == "error"
    ] == []
    assert errors == []
    assert requests == [url]
    shown = {(stage, figure): text for stage, figure, text in cells}
    for figures in analysis.stages:
        assert shown[figures.stage, "entered"] == f"{figures.entered:,}"
        assert shown[figures.stage, "in_now"] == f"{figures.in_now:,}"
        reached = "-" if figures.reached is None else f"{figures.reached:,}"
        assert shown[figures.stage, "reached"] == reached
    assert (tmp_path / "report.png").stat().st_size > 10_000


#: In the browser: the flow chart's viewBox, the boxes of its arcs of moves back (in the
#: chart's own units) and of its labels (on the page), and the page's width of one unit.
_LAYOUT = """svg => {
    const box = svg.viewBox.baseVal;
    const arcs = [...svg.querySelectorAll('g.back')].map(g => {
        const b = g.getBBox(); return [b.x, b.y, b.width, b.height];
    });
    const labels = [...svg.querySelectorAll('text')].map(t => {
        const r = t.getBoundingClientRect();
        return [t.textContent, r.left, r.top, r.right, r.bottom];
    });
    return {view: [box.x, box.y, box.width, box.height], arcs, labels};
}"""


def _overlapping(labels: list[tuple[str, float, float, float, float]]) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap by more than half a pixel each way."""
    found = []
    for index, (name, left, top, right, bottom) in enumerate(labels):
        for other, left2, top2, right2, bottom2 in labels[index + 1 :]:
            across = min(right, right2) - max(left, left2)
            down = min(bottom, bottom2) - max(top, top2)
            if across > 0.5 and down > 0.5:
                found.append((name, other))
    return found


def _flow_layout(html: str) -> Any:
    """The flow chart's layout in the page, as `_LAYOUT` measures it."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.set_content(html, wait_until="load")
            layout = page.eval_on_selector("svg.sankey", _LAYOUT)
        finally:
            browser.close()
    return layout


def _assert_readable(layout: Any) -> None:
    """Every arc of a move back inside the chart's viewBox; no two labels overlapping."""
    left, top, width, height = layout["view"]
    assert len(layout["arcs"]) >= 5
    for x, y, w, h in layout["arcs"]:
        assert left <= x <= x + w <= left + width
        assert top <= y <= y + h <= top + height
    assert len(layout["labels"]) > 20
    assert _overlapping(layout["labels"]) == []


def test_the_bookshop_flow_chart_keeps_its_arcs_inside_and_its_labels_apart(
    example: tuple[Path, cj.Analysis],
) -> None:
    _assert_readable(_flow_layout(example[0].read_text(encoding="utf-8")))


def test_a_50_stage_flow_chart_keeps_its_arcs_inside_and_its_labels_apart() -> None:
    _assert_readable(_flow_layout(shots.page(*shots.fifty_stages())))
