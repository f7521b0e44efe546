"""The report's experiments section: each experiment a table, each lift's interval drawn.

The exact figures are the analytics guide's worked example (162 of 1,000 treated against
120 of 1,000 in the holdout); the command runs on the membership example's journey with
simulated customers.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

import customer_journey as cj
from customer_journey.analytics._lift import ExperimentTally
from customer_journey.cli._report import report_command
from customer_journey.render._report import report_html
from customer_journey.testing import simulate

MEMBERSHIP = Path(__file__).resolve().parents[2] / "examples" / "membership.journey.yaml"


@cache
def membership() -> cj.Journey:
    return cj.load(MEMBERSHIP)


def worked_example() -> cj.Analysis:
    """The membership analysis of a few customers, its experiments set to the worked example."""
    tally = ExperimentTally(
        [
            ("global_holdout", ["holdout", "treated"], "holdout"),
            ("winback", ["email", "sms"], None),
        ],
        ["joined", "regular"],
    )
    tally.customers.update(
        {("global_holdout", "holdout"): 1000, ("global_holdout", "treated"): 1000}
    )
    tally.customers.update({("winback", "email"): 500})
    tally.reached.update(
        {
            ("global_holdout", "holdout", "joined"): 120,
            ("global_holdout", "treated", "joined"): 162,
            ("global_holdout", "holdout", "regular"): 60,
            ("global_holdout", "treated", "regular"): 40,
            ("winback", "email", "joined"): 81,
        }
    )
    analysis = cj.analyze(membership(), list(simulate(membership(), 20, seed=1)))
    return attrs.evolve(analysis, experiments=tally.figures())


def _section(page: str) -> str:
    start = page.index('<section id="experiments">')
    return page[start : page.index("</section>", start)]


def test_the_experiments_section_is_last_and_in_the_navigation() -> None:
    page = report_html(membership().model, worked_example())
    assert re.findall(r'<section id="(\w+)">', page)[-2:] == ["actions", "experiments"]
    assert '<a href="#experiments">Experiments and lift</a></nav>' in page


def test_each_experiment_is_a_table_of_its_arms_and_goals() -> None:
    section = _section(report_html(membership().model, worked_example()))
    assert re.findall(r"<h3>(\w+)</h3>", section) == ["global_holdout", "winback"]
    assert (
        "2,000 customers in the journey; reference arm 'holdout'; the bars run from -10 to +10 "
        "points." in section
    )
    assert "500 customers in the journey; reference arm 'email'.</p>" in section
    reached = re.findall(
        r'data-experiment="(\w+)" data-arm="(\w+)" data-goal="(\w+)" '
        r'data-figure="reached" data-value="(\d+)"',
        section,
    )
    assert reached == [
        ("global_holdout", "holdout", "joined", "120"),
        ("global_holdout", "holdout", "regular", "60"),
        ("global_holdout", "treated", "joined", "162"),
        ("global_holdout", "treated", "regular", "40"),
        ("winback", "email", "joined", "81"),
        ("winback", "email", "regular", "0"),
        ("winback", "sms", "joined", "0"),
        ("winback", "sms", "regular", "0"),
    ]
    assert section.count('<td class="meta" colspan="3">reference</td>') == 4
    assert section.count('<td class="meta" colspan="3">no customers to compare</td>') == 2
    assert "<td>holdout <em>(reference)</em></td>" in section


def test_a_lift_shows_its_points_range_and_p_value() -> None:
    section = _section(report_html(membership().model, worked_example()))
    lift = worked_example().experiments[0].arms[1].goals[0].lift
    assert lift is not None
    assert (
        f'data-figure="difference" data-value="{lift.difference!r}">+4.2 (+1.1 to +7.3)</td>'
        in section
    )
    assert f'data-figure="p_value" data-value="{lift.p_value!r}">0.007</td>' in section


def test_the_interval_is_drawn_around_zero_coloured_by_what_it_shows() -> None:
    section = _section(report_html(membership().model, worked_example()))
    bars = re.findall(
        r'<svg class="interval"[^>]*><title>([^<]*)</title><rect class="track"[^>]*/>'
        r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="6" fill="(#\w+)"/>'
        r'<line x1="110.0" x2="110.0"[^>]*/><circle cx="([\d.]+)"',
        section,
    )
    # On an axis of -10 to +10 points over 220 pixels: 11 pixels a point, 0 at 110.
    assert bars == [
        (
            "&#x27;treated&#x27; reached &#x27;joined&#x27; 4.2 points more often than "
            "&#x27;holdout&#x27; (16.2% against 12.0%); 95% range +1.1 to +7.3 points, a rise "
            "of at least 1.1 points (p = 0.007)",
            "122.6",
            "67.1",
            "#59a14f",
            "156.2",
        ),
        (
            "&#x27;treated&#x27; reached &#x27;regular&#x27; 2.0 points less often than "
            "&#x27;holdout&#x27; (4.0% against 6.0%); 95% range -4.0 to -0.1 points, a fall of "
            "at least 0.1 points (p = 0.04)",
            "66.5",
            "42.6",
            "#e15759",
            "88.0",
        ),
    ]


def test_a_journey_without_experiments_has_no_experiments_section() -> None:
    analysis = attrs.evolve(worked_example(), experiments=())
    page = report_html(membership().model, analysis)
    assert 'id="experiments"' not in page
    assert "#experiments" not in page


# --- the command -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "events.jsonl"
    lines = (json.dumps(record) + "\n" for record in simulate(membership(), 80, seed=3))
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_by_an_experiment_shows_every_section_for_each_arm(events: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        report_command,
        [str(MEMBERSHIP), str(events), "--out", str(out), "--by", "experiment.winback"],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    analysis = cj.analyze(membership(), events, by="experiment.winback")
    assert list(analysis.groups) == ["email", "sms"]
    headings = re.findall(r'<div class="group" id="group-\d+"><h2>([^<]+)</h2>', page)
    assert headings == ["experiment.winback = email", "experiment.winback = sms"]
    assert re.findall(r'<section id="([\w-]*experiments)">', page) == [
        "experiments",
        "group-1-experiments",
        "group-2-experiments",
    ]
    email = analysis.groups["email"].experiments[1]
    assert [(arm.arm, arm.customers) for arm in email.arms] == [
        ("email", analysis.groups["email"].customers),
        ("sms", 0),
    ]


def test_by_an_unknown_experiment_is_a_usage_error_with_the_closest_one(
    events: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(
        report_command,
        [str(MEMBERSHIP), str(events), "--out", str(out), "--by", "experiment.winbak"],
    )
    assert result.exit_code == 2
    assert (
        "Invalid value for '--by': unknown experiment 'winbak'; did you mean 'winback'?"
        in result.output
    )
    assert not out.exists()
