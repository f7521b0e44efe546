"""Times for people are in the journey's timezone, with its offset; machine formats keep UTC.

The journey here runs in Europe/Berlin: UTC+01:00 in winter, UTC+02:00 from 29 March 2026.
Every command that shows a time to people (tables, summaries, echoes of `--as-of` and
`--now`, `explain`, messages, the report) shows it there; JSON Lines, CSV and JSON keep
UTC with `Z`. A naive `--as-of` is read in the journey's timezone, so `--as-of 2026-03-25`
is midnight in Berlin, `2026-03-24T23:00:00Z`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]

JOURNEY = """\
journey: gym
timezone: Europe/Berlin
touchpoints:
  join: { event: member.joined, channel: web }
  visit: { event: gym.visited, channel: store }
stages:
  member:
    entry: join
    transitions:
      - { to: lapsed, after: 30d }
  lapsed:
    actions:
      - { id: winback_email, channel: email }
goals:
  retained: { reach: member, within: 7d }
"""

EVENTS = """\
{"customer_id": "c1", "type": "member.joined", "timestamp": "2026-02-01T09:00:00Z"}
{"customer_id": "c1", "type": "action.performed", "action": "winback_email", "timestamp": "2026-03-05T08:00:00Z"}
{"customer_id": "c2", "type": "member.joined", "timestamp": "2026-03-10T12:00:00Z"}
"""  # noqa: E501 - records as a file holds them

#: `--as-of 2026-03-25`, naive: midnight in Berlin, as people and machines see it.
AS_OF = "2026-03-25"
AS_OF_LOCAL = "2026-03-25T00:00:00+01:00"
AS_OF_UTC = "2026-03-24T23:00:00Z"

TABLE = """\
customer  stage   phase  entered_at                 time_in_stage  terminal  stalled  next_action    friction  goal.retained
c1        lapsed  -      2026-03-03T10:00:00+01:00  21d14h         false     false    winback_email  timeout   reached
c2        member  -      2026-03-10T13:00:00+01:00  14d11h         false     false    -              -         reached
"""  # noqa: E501 - a table as the command prints it

CSV = """\
customer,stage,phase,entered_at,time_in_stage,terminal,stalled,next_action,friction,goal.retained
c1,lapsed,,2026-03-03T09:00:00Z,21d14h,false,false,winback_email,timeout,reached
c2,member,,2026-03-10T12:00:00Z,14d11h,false,false,,,reached
"""


@pytest.fixture
def gym(workdir: Path) -> Path:
    """The gym journey, in Europe/Berlin, and its events, in the current directory."""
    (workdir / "gym.journey.yaml").write_text(JOURNEY, encoding="utf-8")
    (workdir / "events.jsonl").write_text(EVENTS, encoding="utf-8")
    return workdir


@pytest.fixture
def store(gym: Path, run: Run) -> str:
    """A live store of the gym journey holding its events."""
    assert run("ingest", "gym.journey.yaml", "events.jsonl", "--store", "live.db").exit_code == 0
    return "live.db"


# Commands of this part: explain and the store's. ---------------------------------------


def test_explain_shows_every_time_in_the_journeys_timezone(gym: Path, run: Run) -> None:
    result = run(
        "explain", "gym.journey.yaml", "events.jsonl", "--customer", "c1", "--as-of", AS_OF
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:15] == [
        f"customer c1, as of {AS_OF_LOCAL}",
        "",
        "Timeline",
        "  2026-02-01T10:00:00+01:00  member.joined [join]: entered the journey at 'member'",
        "  2026-03-03T10:00:00+01:00  timeout after 30d: member -> lapsed",
        "  2026-03-05T09:00:00+01:00  action.performed 'winback_email': stayed in 'lapsed'",
        "",
        "Position",
        "  stage: lapsed",
        "  entered at: 2026-03-03T10:00:00+01:00",
        "  time in stage: 21d14h",
        "  stalled: no",
        "  events: 2 (0 duplicates ignored)",
        "  goals:",
        "    retained: reached at 2026-02-01T10:00:00+01:00",
    ]
    assert "first 2026-03-03T10:00:00+01:00, last 2026-03-03T10:00:00+01:00" in result.stdout


def test_explain_json_keeps_utc(gym: Path, run: Run) -> None:
    result = run(
        "explain", "gym.journey.yaml", "events.jsonl", "--customer", "c1", "--as-of", AS_OF,
        "--format", "json",
    )  # fmt: skip
    shown = json.loads(result.stdout)
    assert (shown["as_of"], shown["entered_at"]) == (AS_OF_UTC, "2026-03-03T09:00:00Z")
    assert shown["trace"][0]["at"] == "2026-02-01T09:00:00Z"


def test_status_table_and_summary_are_in_the_journeys_timezone(store: str, run: Run) -> None:
    result = run("status", "--store", store, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout == TABLE
    assert result.stderr == f"customers: 2, as of {AS_OF_LOCAL}\n"


@pytest.mark.parametrize("output_format", ["csv", "jsonl"])
def test_status_csv_and_jsonl_keep_utc(store: str, run: Run, output_format: str) -> None:
    result = run("status", "--store", store, "--as-of", AS_OF, "--format", output_format)
    if output_format == "csv":
        assert result.stdout == CSV
    else:
        first = json.loads(result.stdout.splitlines()[0])
        assert (first["as_of"], first["entered_at"]) == (AS_OF_UTC, "2026-03-03T09:00:00Z")
    assert result.stderr == f"customers: 2, as of {AS_OF_LOCAL}\n"


def test_status_of_a_customer_without_events_names_the_time_in_the_journeys_zone(
    store: str, run: Run
) -> None:
    result = run("status", "--store", store, "--customer", "c9", "--as-of", AS_OF)
    assert result.exit_code == 3
    assert result.stderr == f"error: no events for customer 'c9' in the store by {AS_OF_LOCAL}\n"


def test_tick_echoes_now_with_the_offset_of_that_day(store: str, run: Run) -> None:
    # Berlin is on summer time (UTC+02:00) from 29 March 2026.
    result = run("tick", "--store", store, "--now", "2026-04-10")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ("customers judged: 1, as of 2026-04-10T00:00:00+02:00")


def test_outbox_messages_keep_utc(store: str, run: Run) -> None:
    result = run("outbox", "--store", store, "--claim", "1")
    assert json.loads(result.stdout)["at"] == "2026-02-01T09:00:00Z"


# Commands of other parts (replay, compare, upgrade: helper "workers"; analyze:
# "analytics15"; report: "render15"). -----------------------------------------------------


def test_replay_table_and_summary_are_in_the_journeys_timezone(gym: Path, run: Run) -> None:
    result = run("replay", "gym.journey.yaml", "events.jsonl", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout == TABLE
    assert f"customers: 2, as of {AS_OF_LOCAL}\n" in result.stderr


def test_replay_csv_keeps_utc(gym: Path, run: Run) -> None:
    result = run("replay", "gym.journey.yaml", "events.jsonl", "--as-of", AS_OF, "--format", "csv")
    assert result.stdout == CSV


def test_analyze_echoes_as_of_in_the_journeys_timezone(gym: Path, run: Run) -> None:
    result = run("analyze", "gym.journey.yaml", "events.jsonl", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"journey 'gym', as of {AS_OF_LOCAL}"


def test_analyze_json_keeps_utc(gym: Path, run: Run) -> None:
    result = run("analyze", "gym.journey.yaml", "events.jsonl", "--as-of", AS_OF, "--json", "-")
    assert json.loads(result.stdout)["as_of"] == AS_OF_UTC


def test_compare_echoes_as_of_in_the_journeys_timezone(gym: Path, run: Run) -> None:
    result = run(
        "compare", "gym.journey.yaml", "gym.journey.yaml", "events.jsonl", "--as-of", AS_OF
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(f", as of {AS_OF_LOCAL}")


def test_upgrade_echoes_the_stores_clock_in_the_journeys_timezone(store: str, run: Run) -> None:
    result = run("upgrade", "gym.journey.yaml", "--store", store)
    assert result.exit_code == 0, result.output
    # The store's clock is its latest event, 2026-03-10T12:00:00Z.
    assert result.stdout.splitlines()[0].endswith(", as of 2026-03-10T13:00:00+01:00")


def test_report_shows_as_of_in_the_journeys_timezone(gym: Path, run: Run) -> None:
    result = run(
        "report", "gym.journey.yaml", "events.jsonl", "--as-of", AS_OF, "--out", "report.html"
    )
    assert result.exit_code == 0, result.output
    page = (gym / "report.html").read_text(encoding="utf-8")
    assert f'<time data-figure="as_of">{AS_OF_LOCAL}</time>' in page
