"""The HTML report in a real browser: headless Chromium, driven by Playwright.

Renders the report for the bundled example (the bookshop journey and events from
examples/generate_events.py), then checks that the page loads without console errors or
any request beyond the page itself, that the funnel numbers it shows are the analysis
numbers, and takes a screenshot. Run with `pytest -s` to see how long the page took to
load. Set REPORT_SCREENSHOT=docs/images/report.png to also write the documentation's
screenshot (the top 2,200 pixels of the page in a 1280-wide window).

Skips, saying why, when /usr/bin/chromium or Python Playwright is missing.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

import customer_journey as cj
from customer_journey.render._report import report_html

CHROMIUM = Path("/usr/bin/chromium")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: Chromium must not reach out on its own (updates, safe browsing, QUIC probes).
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH = 1280
#: The documentation's screenshot: the map, the funnel and the flow.
DOCS_HEIGHT = 2200

# Skipped on a machine without Chromium, but never in CI: there the test command installs
# it (`.ci/browser`), and a missing browser must fail rather than pass quietly.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason=f"no Chromium at {CHROMIUM} (Debian package 'chromium'; see .ci/browser)",
)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Python Playwright is not installed (pip install playwright)"
)


def _generator() -> ModuleType:
    # examples/ is not a package: import the script by path, registered as dataclasses need.
    name = "examples_generate_events"
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / "generate_events.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, cj.Analysis]:
    """The report of 1,000 example customers, written to a file, and its analysis."""
    folder = tmp_path_factory.mktemp("browser")
    events = folder / "events.jsonl"
    lines = _generator().generate(1000, seed=7).lines
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
            wanted = os.environ.get("REPORT_SCREENSHOT")
            if wanted:
                clip = {"x": 0, "y": 0, "width": WIDTH, "height": DOCS_HEIGHT}
                page.screenshot(path=wanted, full_page=True, clip=clip)
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
