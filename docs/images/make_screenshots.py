"""Write the report screenshots of the documentation, taken in headless Chromium.

`report.png`, the top of the bundled example's report (the README shows it), then three
reports, each cropped to the journey map and the flow chart (the sections between them
hidden):

- `report-bookshop.png`: the bundled example (`examples/bookshop.journey.yaml` with
  `examples/events.jsonl`);
- `report-tiny.png`: a gym membership journey of 4 customers, with no awareness stage and a
  cancellation that applies from every stage (`anywhere`);
- `report-50-stages.png`: a generated journey of 50 stages with skips and returns, and 400
  seeded customers.

Run from the repository root: `python docs/images/make_screenshots.py` (needs Chromium at
/usr/bin/chromium and Python Playwright; see `.ci/browser`). The browser tests import this
file for the same tiny and 50-stage journeys.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import customer_journey as cj
from customer_journey.render import report_html

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples"
CHROMIUM = Path("/usr/bin/chromium")
#: Chromium must not reach out on its own (updates, safe browsing, QUIC probes).
CHROMIUM_ARGS = [
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
#: The height of `report.png`: the header, the map, the funnel and the top of the flow.
TOP = 2200
#: What each screenshot shows: the map, then the flow chart (the rest of the page hidden).
SHOWN = ("#map", "#flow svg.sankey")
HIDE_THE_REST = """() => {
    for (const part of document.querySelectorAll('main > section:not(#map):not(#flow), '
            + '#flow > :not(h2):not(svg), main > div.group')) {
        part.style.display = 'none';
    }
}"""
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)

TINY_JOURNEY = """\
journey: gym-membership
title: Gym membership
timezone: Europe/Berlin
phases: [consideration, conversion, retention]
touchpoints:
  trial_booked: { event: trial.booked, channel: web }
  signed_up:    { event: membership.started, channel: store }
  check_in:     { event: gym.checked_in, channel: store }
  cancel:       { event: membership.cancelled, channel: web }
stages:
  trial:
    phase: consideration
    entry: [trial_booked]
    customer_actions: [Books a free trial]
    transitions:
      - { to: member, when: signed_up }
  member:
    phase: conversion
    transitions:
      - { to: regular, when: check_in, times: 3, within: 14d }
  regular:
    phase: retention
    transitions:
      - { to: lapsed, after: 30d }
  lapsed:
    transitions:
      - { to: regular, when: check_in }
  cancelled:
    terminal: true
anywhere:
  - { to: cancelled, when: cancel }
goals:
  habit: { reach: regular, within: 30d }
"""

#: Each tiny customer's events: (days after START, event type).
TINY_CUSTOMERS = {
    "anna": [(0, "trial.booked"), (1, "membership.started"), (2, "gym.checked_in"),
             (5, "gym.checked_in"), (8, "gym.checked_in"), (50, "gym.checked_in")],
    "ben": [(0, "trial.booked"), (3, "membership.started"), (20, "membership.cancelled")],
    "cleo": [(1, "trial.booked"), (2, "membership.started"), (3, "gym.checked_in"),
             (4, "gym.checked_in"), (6, "gym.checked_in"), (45, "membership.cancelled")],
    "dev": [(2, "trial.booked"), (30, "membership.cancelled")],
}  # fmt: skip


def tiny() -> tuple[cj.Journey, list[dict[str, Any]]]:
    """The 4-customer gym journey and its events."""
    records = [
        {"customer_id": customer, "type": kind, "timestamp": _at(START + timedelta(days=day))}
        for customer, events in TINY_CUSTOMERS.items()
        for day, kind in events
    ]
    return cj.loads(TINY_JOURNEY, source="gym.journey.yaml"), records


def fifty_stages(customers: int = 400, seed: int = 15) -> tuple[cj.Journey, list[dict[str, Any]]]:
    """A 50-stage journey (ten per phase) with skips and returns, and seeded customers.

    From stage i a customer moves on to i+1 (`next`), skips to i+2 (`skip`), and from every
    fifth stage may go back four stages (`back`); anyone may quit (`anywhere`).
    """
    phases = ["awareness", "consideration", "conversion", "retention", "advocacy"]
    stages: dict[str, Any] = {}
    for index in range(50):
        transitions: list[dict[str, Any]] = []
        if index < 49:
            transitions.append({"to": f"s{index + 1:02d}", "when": "next"})
        if index < 48:
            transitions.append({"to": f"s{index + 2:02d}", "when": "skip"})
        if index % 5 == 4:
            transitions.append({"to": f"s{index - 4:02d}", "when": "back"})
        stages[f"s{index:02d}"] = {"phase": phases[index // 10], "transitions": transitions}
        if index == 0:
            stages["s00"]["entry"] = ["next"]
    stages["quit"] = {"terminal": True}
    journey = cj.from_mapping(
        {
            "journey": "fifty-stages",
            "timezone": "America/New_York",
            "touchpoints": {
                name: {"event": name, "channel": "web"} for name in ("next", "skip", "back", "quit")
            },
            "stages": stages,
            "anywhere": [{"to": "quit", "when": "quit"}],
        },
        source="fifty.journey.yaml",
    )
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    for number in range(customers):
        customer = f"c{number:04d}"
        moment = START + timedelta(hours=rng.randrange(24 * 60))
        records.append({"customer_id": customer, "type": "next", "timestamp": _at(moment)})
        stage = 0
        while stage < 49 and (kind := _fifty_move(rng, stage)):
            moment += timedelta(hours=rng.randrange(1, 72))
            records.append({"customer_id": customer, "type": kind, "timestamp": _at(moment)})
            if kind == "quit":
                break
            stage += {"next": 1, "skip": 2, "back": -4}[kind]
    return journey, records


def _fifty_move(rng: random.Random, stage: int) -> str:
    """The next move of a 50-stage customer, or "" to stop there."""
    roll = rng.random()
    if roll < 0.04:
        return ""
    if roll < 0.07:
        return "quit"
    if roll < 0.17 and stage % 5 == 4:
        return "back"
    return "skip" if roll < 0.3 else "next"


def bookshop() -> tuple[cj.Journey, Path]:
    """The bundled example journey and its events file."""
    return cj.load(EXAMPLES / "bookshop.journey.yaml"), EXAMPLES / "events.jsonl"


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def page(journey: cj.Journey, records: Any) -> str:
    """The report page of `records` in `journey`."""
    return report_html(journey.model, cj.analyze(journey, records, workers=1))


def main() -> int:
    """Write the four screenshots next to this script."""
    from playwright.sync_api import FloatRect, sync_playwright  # noqa: PLC0415 - screenshots only

    reports = {"bookshop": bookshop(), "tiny": tiny(), "50-stages": fifty_stages()}
    pages = {name: page(journey, records) for name, (journey, records) in reports.items()}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": WIDTH, "height": 900})
            tab.set_content(pages["bookshop"], wait_until="load")
            first: FloatRect = {"x": 0, "y": 0, "width": WIDTH, "height": TOP}
            tab.screenshot(path=HERE / "report.png", full_page=True, clip=first)
            print(f"wrote {(HERE / 'report.png').relative_to(Path.cwd())} ({TOP} px high)")
            for name, html in pages.items():
                tab.set_content(html, wait_until="load")
                tab.evaluate(HIDE_THE_REST)
                boxes = [tab.locator(selector).bounding_box() for selector in SHOWN]
                top = min(box["y"] for box in boxes if box)
                bottom = max(box["y"] + box["height"] for box in boxes if box)
                clip: FloatRect = {"x": 0, "y": top, "width": WIDTH, "height": bottom - top}
                target = HERE / f"report-{name}.png"
                tab.screenshot(path=target, full_page=True, clip=clip)
                print(f"wrote {target.relative_to(Path.cwd())} ({bottom - top:.0f} px high)")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
