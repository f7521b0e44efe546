"""`report_html`: the journey map and analytics as one self-contained, offline HTML page."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

import customer_journey as cj
from customer_journey.analytics import Analysis, Snapshot
from customer_journey.cli._report import report_command
from customer_journey.render._report import analysis_html, report_html
from customer_journey.render._report._svg import trend_svg
from customer_journey.testing import simulate

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BOOKSHOP = EXAMPLES / "bookshop.journey.yaml"
AS_OF = "2026-04-01T00:00:00Z"


@cache
def bookshop() -> cj.Journey:
    return cj.load(BOOKSHOP)


@cache
def analysis_of(customers: int) -> Analysis:
    records = list(simulate(bookshop(), customers, seed=11))
    return cj.analyze(bookshop(), records, AS_OF)


class _Cells(HTMLParser):
    """Every element with `data-figure`: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[dict[str, str | None], str]] = []
        self._open: list[dict[str, str | None]] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        del tag
        found = dict(attrs)
        if "data-figure" in found:
            self._open.append(found)
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        del tag
        if self._open:
            self.found.append((self._open.pop(), "".join(self._text)))


def funnel_cells(page: str) -> dict[tuple[str, str], str]:
    cells = _Cells()
    cells.feed(page)
    return {
        (str(attrs["data-stage"]), str(attrs["data-figure"])): text
        for attrs, text in cells.found
        if "data-stage" in attrs
    }


def test_the_funnel_cells_show_the_analysis_numbers() -> None:
    analysis = analysis_of(200)
    cells = funnel_cells(report_html(bookshop().model, analysis))

    for figures in analysis.stages:
        stage = figures.stage
        assert cells[stage, "entered"] == f"{figures.entered:,}"
        assert cells[stage, "in_now"] == f"{figures.in_now:,}"
        assert cells[stage, "reached"] == (
            "-" if figures.reached is None else f"{figures.reached:,}"
        )
    assert len(cells) == 5 * len(analysis.stages)


def test_the_page_fetches_nothing_and_runs_no_script() -> None:
    page = report_html(bookshop().model, analysis_of(200))

    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert page.endswith("</body></html>\n")
    for needle in ("http:", "https:", "<script", "<link", "<img", "src=", "url(", "@import"):
        assert needle not in page, needle


def test_the_same_analysis_gives_the_same_bytes() -> None:
    model = bookshop().model
    again = cj.analyze(bookshop(), list(simulate(bookshop(), 200, seed=11)), AS_OF)

    assert report_html(model, analysis_of(200)) == report_html(model, again)


def test_every_section_is_there_in_order() -> None:
    page = report_html(bookshop().model, analysis_of(200))

    assert re.findall(r'<section id="(\w+)">', page) == [
        "map", "funnel", "flow", "dwell", "goals", "friction", "trend", "actions",
    ]  # fmt: skip
    assert page.count('<svg class="sankey"') == 1
    assert page.count('<svg class="trend"') == 1


def test_the_map_has_a_column_per_phase_and_the_rows_from_the_file() -> None:
    page = report_html(bookshop().model, analysis_of(200))
    grid = page[page.index('<table class="map">') : page.index("</table>")]

    assert re.findall(r'<th class="phase" scope="col"[^>]*>([^<]+)</th>', grid) == [
        "awareness", "consideration", "conversion", "retention", "advocacy",
        "outside the lifecycle",
    ]  # fmt: skip
    assert re.findall(r'<th scope="row">([^<]+)</th>', grid) == [
        "Stages", "Touchpoints", "Customer actions", "Motivations", "Questions",
        "Pain points", "Measured friction", "From any stage",
    ]  # fmt: skip
    assert "<li>Too many books to choose from</li>" in grid
    assert '<span class="channel">paid_ads</span>: ad_click' in grid


GYM = """\
journey: gym
phases: [consideration, conversion]
touchpoints:
  trial: { event: trial.booked, channel: web }
  join: { event: membership.started, channel: store }
  cancel: { event: membership.cancelled, channel: web }
stages:
  trial:
    phase: consideration
    entry: [trial]
    questions: [Is it crowded?]
    transitions:
      - { to: member, when: join }
  member:
    phase: conversion
  cancelled:
    terminal: true
anywhere:
  - { to: cancelled, when: cancel }
  - { to: cancelled, after: 400d }
"""


def test_the_map_leaves_out_empty_rows_and_shows_anywhere_moves_once() -> None:
    journey = cj.loads(GYM)
    records = [
        {"customer_id": "c1", "type": "trial.booked", "timestamp": "2026-01-01T00:00:00Z"},
        {"customer_id": "c1", "type": "membership.cancelled", "timestamp": "2026-01-02T00:00:00Z"},
    ]
    page = report_html(journey.model, cj.analyze(journey, records))
    grid = page[page.index('<table class="map">') : page.index("</table>")]

    assert re.findall(r'<th scope="row">([^<]+)</th>', grid) == [
        "Stages", "Touchpoints", "Questions", "Measured friction", "From any stage",
    ]  # fmt: skip
    assert (
        '<tr class="anywhere"><th scope="row">From any stage</th><td colspan="3"><ul>'
        "<li>cancel or after 400d \N{RIGHTWARDS ARROW} <strong>cancelled</strong></li></ul>"
        '<ul><li><span class="channel">web</span>: cancel</li></ul></td></tr>'
    ) in grid
    assert grid.count("cancel or after 400d") == 1
    assert '<span class="channel">web</span>: trial</li>' in grid


def _numbers(text: str) -> list[float]:
    return [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?", text)]


def test_moves_back_are_arcs_under_the_columns_inside_the_chart_with_their_counts() -> None:
    analysis = analysis_of(200)
    chart = report_html(bookshop().model, analysis).split('<svg class="sankey"')[1]
    left, top, width, height = _numbers(re.findall(r'viewBox="([^"]+)"', chart)[0])
    node_bottom = max(
        y + h for y, h in ((float(a), float(b)) for a, b in re.findall(
            r'<rect x="[^"]+" y="([^"]+)" width="14" height="([^"]+)"', chart
        ))
    )  # fmt: skip
    arcs = re.findall(r'<g class="back"><path d="([^"]+)".*?class="count">([^<]+)</text>', chart)
    order = {f.stage: i for i, f in enumerate(analysis.stages)}
    back = [
        count
        for source, row in analysis.flows.moves.items()
        for target, count in row.items()
        if target == source or order[target] < order[source] or (
            bookshop().model.stages[target].phase is None
            and bookshop().model.stages[source].phase is None
        )
    ]  # fmt: skip

    assert sorted(int(label.replace(",", "")) for _, label in arcs) == sorted(back)
    for path, _ in arcs:
        points = _numbers(path)
        xs, ys = points[0::2], points[1::2]
        assert min(ys) > node_bottom
        assert left <= min(xs) <= max(xs) <= left + width
        assert top <= min(ys) <= max(ys) <= top + height


def test_the_trend_dates_are_the_days_in_the_journeys_zone() -> None:
    midnight_in_berlin = datetime(2026, 3, 24, 23, tzinfo=timezone.utc)
    snapshots = [
        Snapshot(midnight_in_berlin, {"trial": 2}),
        Snapshot(midnight_in_berlin + timedelta(days=7), {"trial": 1}),
    ]

    berlin = trend_svg(snapshots, ["trial"], zone="Europe/Berlin")
    utc = trend_svg(snapshots, ["trial"])

    assert re.findall(r">(\d{4}-\d\d-\d\d)</text>", berlin) == ["2026-03-25", "2026-04-01"]
    assert re.findall(r">(\d{4}-\d\d-\d\d)</text>", utc) == ["2026-03-24", "2026-03-31"]


def test_text_from_the_journey_file_is_escaped() -> None:
    journey = cj.loads(
        """\
journey: tricky
title: "Fish & <chips>"
touchpoints:
  visit: { event: page.viewed, channel: web }
stages:
  aware:
    phase: awareness
    entry: [visit]
    description: "<script>alert('x')</script>"
    pain_points: ['"quoted" & <b>bold</b>']
"""
    )
    records = [{"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T00:00:00Z"}]
    page = report_html(journey.model, cj.analyze(journey, records))

    assert "<script" not in page
    assert "<title>Fish &amp; &lt;chips&gt;</title>" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<li>&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;</li>" in page


def test_a_title_replaces_the_journeys() -> None:
    page = report_html(bookshop().model, analysis_of(200), title="Q2 review")

    assert "<title>Q2 review</title>" in page
    assert "<h1>Q2 review</h1>" in page


def test_the_size_does_not_grow_with_the_customers() -> None:
    model = bookshop().model
    small = len(report_html(model, analysis_of(200)).encode())
    large = len(report_html(model, analysis_of(2000)).encode())

    assert large < 150_000
    assert abs(large - small) < 10_000


def test_an_analysis_shows_a_compact_fragment_in_a_notebook() -> None:
    analysis = analysis_of(200)
    fragment = analysis._repr_html_()

    assert fragment == analysis_html(analysis)
    assert fragment.startswith('<div class="cj-report"><style>')
    assert "<html" not in fragment
    assert (
        funnel_cells(fragment)["browsing", "entered"] == f"{analysis.stage('browsing').entered:,}"
    )


# --- the command -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "events.jsonl"
    lines = (json.dumps(record) + "\n" for record in simulate(bookshop(), 50, seed=3))
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_the_command_writes_the_page_and_says_where(events: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        report_command, [str(BOOKSHOP), str(events), "--out", str(out), "--title", "Demo"]
    )

    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<h1>Demo</h1>" in page
    assert result.output == (
        f"wrote the report of 50 customers to {out} ({len(page.encode()):,} bytes)\n"
    )


def test_the_command_writes_to_stdout_with_a_dash(events: Path) -> None:
    result = CliRunner().invoke(
        report_command, [str(BOOKSHOP), str(events), "--out", "-", "--as-of", AS_OF]
    )

    assert result.exit_code == 0
    assert result.output.startswith("<!DOCTYPE html>")
    assert result.output.endswith("</body></html>\n")


def test_without_out_the_command_writes_report_html_here_and_says_so(
    events: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(report_command, [str(BOOKSHOP), str(events)])

    assert result.exit_code == 0, result.output
    size = (tmp_path / "report.html").stat().st_size
    assert result.output == f"wrote the report of 50 customers to report.html ({size:,} bytes)\n"


def test_by_adds_the_sections_of_each_group_after_the_whole_population(
    events: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        report_command, [str(BOOKSHOP), str(events), "--out", str(out), "--by", "first_channel"]
    )

    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    analysis = cj.analyze(bookshop(), events, by="first_channel")
    sections = ["map", "funnel", "flow", "dwell", "goals", "friction", "trend", "actions"]
    assert re.findall(r'<section id="([\w-]+)">', page) == [
        *sections,
        "groups",
        *(f"group-{n}-{key}" for n in range(1, len(analysis.groups) + 1) for key in sections),
    ]
    headings = re.findall(r'<div class="group" id="group-\d+"><h2>([^<]+)</h2>', page)
    assert headings == [f"first_channel = {value}" for value in analysis.groups]
    assert page.count('<svg class="sankey"') == 1 + len(analysis.groups)


def test_an_unknown_by_is_a_usage_error(events: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        report_command,
        [str(BOOKSHOP), str(events), "--out", str(tmp_path / "r.html"), "--by", "segment"],
    )

    assert result.exit_code == 2
    assert (
        "Invalid value for '--by': must be 'first_channel', a trait such as "
        "'customer.segment' or an experiment such as 'experiment.global_holdout' (got 'segment')"
    ) in result.output
    assert not (tmp_path / "r.html").exists()


def test_an_unknown_goal_is_a_usage_error(events: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        report_command,
        [str(BOOKSHOP), str(events), "--out", str(tmp_path / "r.html"), "--goal", "first_ordr"],
    )

    assert result.exit_code == 2
    assert "unknown goal 'first_ordr'; did you mean 'first_order'?" in result.output
