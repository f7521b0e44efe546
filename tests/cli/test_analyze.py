"""`customer-journey analyze` and `compare`: the tables, the JSON, and every error's exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

import customer_journey
from customer_journey.render import analysis_text, comparison_text

Run = Callable[..., Result]

RECORDS = [
    {
        "customer_id": "c1",
        "type": "page.viewed",
        "timestamp": "2026-01-01T09:00:00Z",
        "traits": {"segment": "vip"},
    },
    {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
    {"customer_id": "c1", "type": "order.completed", "timestamp": "2026-01-02T10:00:00Z"},
    {"customer_id": "c2", "type": "page.viewed", "timestamp": "2026-01-01T12:00:00Z"},
    {"customer_id": "c2", "type": "cart.added", "timestamp": "2026-01-01T13:00:00Z"},
    {"customer_id": "c3", "type": "page.viewed", "timestamp": "2026-01-02T09:00:00Z"},
    {"customer_id": "c4", "type": "cart.added", "timestamp": "2026-01-02T09:30:00Z"},
    {"customer_id": "c5", "type": "page.viewed", "timestamp": "2025-12-31T08:00:00Z"},
    {"customer_id": "c5", "type": "cart.added", "timestamp": "2025-12-31T09:00:00Z"},
    {"customer_id": "c5", "type": "order.completed", "timestamp": "2026-01-03T08:00:00Z"},
]


def write_jsonl(path: Path, records: list[object]) -> str:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path.name


@pytest.fixture
def events(workdir: Path) -> str:
    return write_jsonl(workdir / "events.jsonl", [*RECORDS, "not json"])


@pytest.fixture
def journey(workdir: Path) -> customer_journey.Journey:
    return customer_journey.load(workdir / "shop.journey.yaml")


@pytest.fixture
def version_b(workdir: Path) -> str:
    """The shop journey with a shorter timeout: shoppers fall back to visitors after a day."""
    text = (workdir / "shop.journey.yaml").read_text(encoding="utf-8")
    (workdir / "b.journey.yaml").write_text(text.replace("after: 2d", "after: 1d"), "utf-8")
    return "b.journey.yaml"


def test_the_tables_are_the_analysis_of_the_file_as_text(
    run: Run, journey: customer_journey.Journey, events: str
) -> None:
    result = run("analyze", "shop.journey.yaml", events)
    assert result.exit_code == 0, result.stderr
    analysis = customer_journey.analyze(journey, events)
    assert result.stdout == analysis_text(analysis, timezone=journey.timezone)
    assert result.stderr == ""


def test_the_tables_show_the_figures_of_each_stage(run: Run, events: str) -> None:
    lines = run("analyze", "shop.journey.yaml", events).stdout.splitlines()
    assert lines[:7] == [
        "journey 'shop', as of 2026-01-03T08:00:00Z",
        "customers: 4 in the journey, 1 outside",
        "records: 11 read, 10 accepted, 1 rejected, 0 duplicates, 0 after as_of",
        "",
        "Rejected records: 1",
        "  events.jsonl:11: not valid JSON: expecting value at column 1",
        "",
    ]
    funnel = lines.index("Funnel")
    assert lines[funnel + 1 : funnel + 5] == [
        "  stage    entered  reached  in now    step  overall  stalled"
        "  onward  back  timeout  terminal",
        "  visitor        4        4       1  100.0%   100.0%        0"
        "       3     0        0         0",
        "  shopper        3        3       1   75.0%    75.0%        0"
        "       1     0        1         0",
        "  buyer          2        2       2   66.7%    50.0%        0"
        "       0     0        0         0",
    ]
    goals = lines.index("Goals (time: from entering the journey)")
    assert lines[goals + 2 : goals + 4] == [
        "  purchase  buyer          2       0        2  50.0%           2d     2d19h",
        "  browse    shopper        3       0        1  75.0%           1h        1h",
    ]


def test_json_dash_writes_the_report_to_stdout_instead_of_the_tables(
    run: Run, journey: customer_journey.Journey, events: str
) -> None:
    result = run("analyze", "shop.journey.yaml", events, "--json", "-")
    assert result.exit_code == 0
    expected = customer_journey.analyze(journey, events).to_dict()
    assert json.loads(result.stdout) == expected
    assert result.stderr == "1 record was rejected; see 'rejections' in the JSON\n"


def test_json_file_writes_the_report_and_still_prints_the_tables(
    run: Run, workdir: Path, events: str
) -> None:
    tables = run("analyze", "shop.journey.yaml", events).stdout
    result = run("analyze", "shop.journey.yaml", events, "--json", "report.json")
    assert result.exit_code == 0
    assert result.stdout == tables
    report = json.loads((workdir / "report.json").read_text(encoding="utf-8"))
    assert report["customers"] == 4
    assert report["rejections"][0]["row"] == 11


def test_options_reach_the_analysis(
    run: Run, journey: customer_journey.Journey, events: str
) -> None:
    options = {"as_of": "2026-01-02T12:00:00Z", "goal": "browse", "every": "day", "top": 2}
    result = run(
        "analyze",
        "shop.journey.yaml",
        events,
        "--as-of",
        "2026-01-02T12:00:00Z",
        "--goal",
        "browse",
        "--every",
        "day",
        "--top",
        "2",
        "--min-count",
        "1",
        "--json",
        "-",
    )
    assert result.exit_code == 0
    analysis = customer_journey.analyze(journey, events, min_count=1, **options)  # type: ignore[arg-type]
    assert json.loads(result.stdout) == analysis.to_dict()
    assert analysis.goal == "browse"
    assert len(analysis.flows.variants) == 2
    assert analysis.root_causes


def test_by_adds_a_table_per_group_after_the_whole(run: Run, events: str) -> None:
    result = run("analyze", "shop.journey.yaml", events, "--by", "customer.segment")
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "By customer.segment\n"
        "  customer.segment  (none)     vip\n"
        "  customers              3       1\n"
        "  goal 'purchase'    33.3%  100.0%\n"
        "  in 'visitor' now       1       0\n"
        "  in 'shopper' now       1       0\n"
        "  in 'buyer' now         1       1\n"
    )


def test_by_first_channel_splits_by_the_channel_that_placed_the_customer(
    run: Run, events: str
) -> None:
    result = run("analyze", "shop.journey.yaml", events, "--by", "first_channel", "--json", "-")
    assert list(json.loads(result.stdout)["groups"]) == ["web"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--goal", "purchse"],
            "Invalid value for '--goal': unknown goal 'purchse'; did you mean 'purchase'?",
        ),
        (
            ["--goal", "signup"],
            "Invalid value for '--goal': unknown goal 'signup'; "
            "the journey's goals are 'purchase', 'browse'",
        ),
        (
            ["--by", "segment"],
            "Invalid value for '--by': must be 'first_channel', a trait such as "
            "'customer.segment' or an experiment such as 'experiment.global_holdout' "
            "(got 'segment')",
        ),
        (["--by", "customer."], "Invalid value for '--by': must be 'first_channel'"),
        (
            ["--every", "year"],
            "Invalid value for '--every': 'year' is not one of 'day', 'week', 'month'.",
        ),
        (["--as-of", "soon"], "Invalid value for '--as-of': not a date and time"),
        (["--top", "0"], "Invalid value for '--top': 0 is not in the range x>=1."),
    ],
)
def test_a_bad_option_is_a_usage_error(
    run: Run, events: str, options: list[str], message: str
) -> None:
    result = run("analyze", "shop.journey.yaml", events, *options)
    assert result.exit_code == 2
    assert f"Error: {message}" in result.stderr
    assert result.stdout == ""


def test_a_journey_without_goals_says_so_for_goal(run: Run, workdir: Path, events: str) -> None:
    text = (workdir / "shop.journey.yaml").read_text(encoding="utf-8")
    (workdir / "bare.journey.yaml").write_text(text.split("goals:")[0], encoding="utf-8")
    result = run("analyze", "bare.journey.yaml", events, "--goal", "purchase")
    assert result.exit_code == 2
    assert "unknown goal 'purchase'; the journey has no goals" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["nope.journey.yaml", "events.jsonl"],
            "error: cannot read 'nope.journey.yaml': no such file\n",
        ),
        (["shop.journey.yaml", "nope.jsonl"], "error: cannot read 'nope.jsonl': no such file\n"),
        (
            ["shop.journey.yaml", "events.jsonl", "--json", "missing/report.json"],
            "error: cannot write 'missing/report.json': no such file\n",
        ),
    ],
)
def test_a_file_that_cannot_be_read_or_written_is_an_input_error(
    run: Run, events: str, arguments: list[str], message: str
) -> None:
    result = run("analyze", *arguments)
    assert result.exit_code == 3
    assert result.stderr == message


def test_an_invalid_journey_is_an_input_error_with_its_problems(
    run: Run, workdir: Path, events: str
) -> None:
    text = (workdir / "shop.journey.yaml").read_text(encoding="utf-8")
    broken = text.replace("entry: [visit]", "entry: [vist]")
    (workdir / "broken.journey.yaml").write_text(broken, encoding="utf-8")
    result = run("analyze", "broken.journey.yaml", events)
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == (
        "broken.journey.yaml:10:13: unknown touchpoint 'vist'; did you mean 'visit'? "
        "[unknown-touchpoint]"
    )
    assert result.stdout == ""


def test_a_file_without_events_needs_an_as_of(run: Run, workdir: Path) -> None:
    empty = write_jsonl(workdir / "empty.jsonl", [])
    result = run("analyze", "shop.journey.yaml", empty)
    assert result.exit_code == 3
    assert result.stderr == "error: there are no events to analyze and no as_of\n"
    dated = run("analyze", "shop.journey.yaml", empty, "--as-of", "2026-01-01")
    assert dated.exit_code == 0
    assert dated.stdout.splitlines()[1] == "customers: 0 in the journey, 0 outside"


def test_strict_stops_at_the_first_bad_record(run: Run, events: str) -> None:
    result = run("analyze", "shop.journey.yaml", events, "--strict")
    assert result.exit_code == 3
    assert result.stderr == "error: events.jsonl:11: not valid JSON: expecting value at column 1\n"


def test_too_many_rejected_records_fail_the_analysis(run: Run, events: str) -> None:
    result = run("analyze", "shop.journey.yaml", events, "--max-reject-rate", "0.05")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        "error: 1 of 11 records were rejected (9%), more than --max-reject-rate 5%; "
        "see why with 'customer-journey replay --rejects FILE'\n"
    )


def test_compare_shows_the_comparison_of_the_two_versions(
    run: Run, events: str, version_b: str
) -> None:
    result = run("compare", "shop.journey.yaml", version_b, events)
    assert result.exit_code == 0, result.stderr
    # Loaded by the names the command was given: the tables name each version's file.
    version_a = customer_journey.load("shop.journey.yaml")
    comparison = customer_journey.compare(version_a, customer_journey.load(version_b), events)
    assert result.stdout == comparison_text(comparison)
    assert result.stdout.endswith(
        "Stage changes (most first)\n"
        "  a stage  b stage  customers  for example\n"
        "  shopper  visitor          1  c2\n"
    )


def test_compare_json_is_the_comparison_as_a_dict(
    run: Run, workdir: Path, events: str, version_b: str
) -> None:
    expected = customer_journey.compare(
        customer_journey.load("shop.journey.yaml"),
        customer_journey.load(version_b),
        events,
        "2026-01-03",
    ).to_dict()
    result = run("compare", "shop.journey.yaml", version_b, events, "--as-of", "2026-01-03")
    to_stdout = run(
        "compare", "shop.journey.yaml", version_b, events, "--as-of", "2026-01-03", "--json", "-"
    )
    assert json.loads(to_stdout.stdout) == expected
    to_file = run(
        "compare",
        "shop.journey.yaml",
        version_b,
        events,
        "--as-of",
        "2026-01-03",
        "--json",
        "c.json",
    )
    assert to_file.stdout == result.stdout
    assert json.loads((workdir / "c.json").read_text(encoding="utf-8")) == expected


def test_compare_with_a_missing_file_is_an_input_error(run: Run, events: str) -> None:
    missing_b = run("compare", "shop.journey.yaml", "nope.journey.yaml", events)
    assert missing_b.exit_code == 3
    assert missing_b.stderr == "error: cannot read 'nope.journey.yaml': no such file\n"
    missing_events = run("compare", "shop.journey.yaml", "shop.journey.yaml", "nope.jsonl")
    assert missing_events.exit_code == 3
    assert missing_events.stderr == "error: cannot read 'nope.jsonl': no such file\n"


# --- drill-down and the journey's zone -----------------------------------------------------


def test_customers_of_a_stage_are_listed_one_a_line_sorted(run: Run, events: str) -> None:
    result = run("analyze", "shop.journey.yaml", events, "--customers", "buyer")
    assert (result.exit_code, result.stdout) == (0, "c1\nc5\n")


def test_customers_of_a_friction_go_to_out(run: Run, workdir: Path, events: str) -> None:
    friction = "timed out of 'shopper' into 'visitor'"
    result = run("analyze", "shop.journey.yaml", events, "--customers", friction, "--out", "ids")
    assert (result.exit_code, result.stdout) == (0, "")
    assert (workdir / "ids").read_text(encoding="utf-8") == "c5\n"


def test_customers_of_an_unknown_name_is_a_usage_error_naming_the_closest(
    run: Run, events: str
) -> None:
    result = run("analyze", "shop.journey.yaml", events, "--customers", "buyr")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--customers': unknown stage or friction 'buyr'; "
        "did you mean 'buyer'?\n"
    )
    assert result.stdout == ""


def test_as_of_is_shown_in_the_journeys_zone_and_kept_in_utc_in_the_json(
    run: Run, workdir: Path, events: str
) -> None:
    text = (workdir / "shop.journey.yaml").read_text(encoding="utf-8")
    berlin = text.replace("journey: shop\n", "journey: shop\ntimezone: Europe/Berlin\n")
    (workdir / "berlin.journey.yaml").write_text(berlin, encoding="utf-8")
    tables = run("analyze", "berlin.journey.yaml", events, "--as-of", "2026-01-03")
    assert tables.stdout.splitlines()[0] == "journey 'shop', as of 2026-01-03T00:00:00+01:00"
    report = run("analyze", "berlin.journey.yaml", events, "--as-of", "2026-01-03", "--json", "-")
    data = json.loads(report.stdout)
    assert (data["as_of"], data["timezone"]) == ("2026-01-02T23:00:00Z", "Europe/Berlin")


def test_out_without_customers_is_a_usage_error(run: Run, events: str) -> None:
    result = run("analyze", "shop.journey.yaml", events, "--out", "ids")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: --out is for --customers; the tables go to stdout, and --json PATH writes "
        "the JSON\n"
    )


# --- experiments ---------------------------------------------------------------------------

STREAMING = Path(__file__).resolve().parents[2].parent / "shared" / "dsl" / "streaming.journey.yaml"


@pytest.fixture
def simulated(run: Run) -> str:
    """400 customers of the streaming reference journey, from `customer-journey simulate`."""
    result = run(
        "simulate", str(STREAMING), "--customers", "400", "--seed", "3", "--out", "s.jsonl"
    )
    assert result.exit_code == 0, result.output
    return "s.jsonl"


def test_the_json_reports_each_experiment_of_the_streaming_journey(
    run: Run, simulated: str
) -> None:
    result = run("analyze", str(STREAMING), simulated, "--json", "-")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    analysis = customer_journey.analyze(customer_journey.load(STREAMING), simulated)
    assert report["experiments"] == [figures.to_dict() for figures in analysis.experiments]
    control = report["experiments"][0]
    assert (control["experiment"], control["reference"]) == ("global_control", "control")
    assert [arm["arm"] for arm in control["arms"]] == ["control", "treated"]
    assert sum(arm["customers"] for arm in control["arms"]) == report["customers"] == 400
    assert [goal["goal"] for goal in control["arms"][1]["goals"]] == ["converted", "binged"]
    assert all(goal["lift"] is None for goal in control["arms"][0]["goals"])
    offer = report["experiments"][1]
    assert (offer["experiment"], offer["reference"]) == ("trial_offer", "discount")


def test_the_tables_end_with_the_experiments(run: Run, simulated: str) -> None:
    result = run("analyze", str(STREAMING), simulated)
    assert result.exit_code == 0, result.output
    section = result.stdout[result.stdout.index("\nExperiments") :].splitlines()
    assert section[1:3] == [
        "Experiments: each arm's goals, and its lift over the reference arm",
        "  global_control: 400 customers, reference arm 'control'",
    ]
    assert section[-1] == (
        "  lift: rate minus the reference's, in percentage points; a 95% range across 0: no "
        "clear difference"
    )


def test_by_an_experiment_splits_by_arm(run: Run, simulated: str) -> None:
    result = run(
        "analyze", str(STREAMING), simulated, "--by", "experiment.trial_offer", "--json", "-"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["by"] == "experiment.trial_offer"
    arms = {arm["arm"]: arm["customers"] for arm in report["experiments"][1]["arms"]}
    assert {value: group["customers"] for value, group in report["groups"].items()} == arms


def test_by_an_unknown_experiment_is_a_usage_error_naming_the_closest(
    run: Run, simulated: str
) -> None:
    result = run("analyze", str(STREAMING), simulated, "--by", "experiment.trial")
    assert result.exit_code == 2
    assert (
        "Invalid value for '--by': unknown experiment 'trial'; did you mean 'trial_offer'?"
        in result.stderr
    )
