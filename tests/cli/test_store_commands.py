"""The live store's commands: ingest, status, tick, outbox, upgrade and rejects, on SQLite.

`status` must print what `replay` prints of the same events, byte for byte; the others are
checked by their exact output and exit codes. (PostgreSQL is the store's own tests' job.)
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from customer_journey.cli import _analyze, main

Run = Callable[..., Result]

EXAMPLES = Path(__file__).parent.parent.parent / "docs" / "examples"

RECORDS = [
    {"customer_id": "c2", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
    {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-01T10:00:00Z"},
    {"customer_id": "c3", "type": "cart.added", "timestamp": "2026-01-01T11:00:00Z"},
    {"customer_id": "c2", "type": "order.completed", "timestamp": "2026-01-02T09:00:00Z"},
    {"customer_id": "c4", "type": "page.viewed", "timestamp": "2026-01-02T12:00:00Z"},
]
BAD = {"customer_id": "c9", "type": "page.viewed"}

INGESTED = """\
records: 7 read, 6 accepted, 1 rejected, 0 duplicates, 0 late
customers changed: 3; changes: 5 stage_entered, 2 goal_reached, 1 goal_missed
"""
REJECTED = """\
events.jsonl:7: missing 'timestamp' [missing-field]
the store keeps them: list them with 'customer-journey rejects --store sqlite:///live.db'
"""

#: c1 waits in `shopper` 1 day instead of 2 before going back to `visitor`.
QUICKER = "shop-quicker.journey.yaml"


def write_jsonl(path: Path, records: Sequence[object]) -> str:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path.name


@pytest.fixture
def events(workdir: Path) -> str:
    return write_jsonl(workdir / "events.jsonl", [*RECORDS, BAD])


@pytest.fixture
def store(run: Run, events: str) -> str:
    """A store holding the events, made by `ingest`."""
    result = run("ingest", "shop.journey.yaml", events, "--store", "live.db")
    assert result.exit_code == 0, result.stderr
    return "live.db"


@pytest.fixture
def quicker(workdir: Path) -> str:
    text = (workdir / "shop.journey.yaml").read_text(encoding="utf-8")
    (workdir / QUICKER).write_text(text.replace("after: 2d", "after: 1d"), encoding="utf-8")
    return QUICKER


# ingest ------------------------------------------------------------------------------------


def test_ingest_prints_what_happened_to_the_records_and_the_rejected_ones(
    run: Run, events: str
) -> None:
    result = run("ingest", "shop.journey.yaml", events, "--store", "live.db")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == INGESTED
    assert result.stderr == REJECTED


def test_ingesting_the_same_file_again_finds_only_duplicates(
    run: Run, store: str, events: str
) -> None:
    result = run("ingest", "shop.journey.yaml", events, "--store", store)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "records: 7 read, 0 accepted, 1 rejected, 6 duplicates, 0 late\n"
        "customers changed: 0; changes: none\n"
    )


def test_ingest_adds_up_several_files_and_counts_late_events(run: Run, workdir: Path) -> None:
    later = write_jsonl(workdir / "later.jsonl", RECORDS[3:])
    earlier = write_jsonl(workdir / "earlier.jsonl", RECORDS[:3])
    result = run("ingest", "shop.journey.yaml", later, earlier, "--store", "sqlite:///live.db")
    assert result.exit_code == 0, result.stderr
    # c2's page view arrives after their order: late, and the customer is re-derived
    assert result.stdout.splitlines()[0] == (
        "records: 6 read, 6 accepted, 0 rejected, 0 duplicates, 1 late"
    )
    assert result.stderr == ""


def test_ingest_shows_the_first_five_rejections_and_counts_the_rest(
    run: Run, workdir: Path
) -> None:
    bad = [{"customer_id": f"c{n}", "type": "page.viewed"} for n in range(7)]
    events = write_jsonl(workdir / "events.jsonl", [RECORDS[0], *bad])
    more = ["--max-reject-rate", "1"]
    result = run("ingest", "shop.journey.yaml", events, "--store", "live.db", *more)
    assert result.exit_code == 0, result.stderr
    lines = [f"events.jsonl:{row}: missing 'timestamp' [missing-field]" for row in range(2, 7)]
    assert result.stderr.splitlines() == [
        *lines,
        "and 2 more; the store keeps them: list them with "
        "'customer-journey rejects --store sqlite:///live.db'",
    ]


def test_ingest_with_more_rejections_than_allowed_stores_the_rest_and_exits_3(
    run: Run, workdir: Path
) -> None:
    events = write_jsonl(workdir / "events.jsonl", [RECORDS[0], BAD, BAD])
    result = run("ingest", "shop.journey.yaml", events, "--store", "live.db")
    assert result.exit_code == 3
    assert result.stdout.splitlines()[0] == (
        "records: 3 read, 1 accepted, 2 rejected, 0 duplicates, 0 late"
    )
    assert result.stderr.splitlines()[-1] == (
        "error: 2 of 3 records were rejected (67%), more than --max-reject-rate 50%; the "
        "accepted events are stored"
    )
    assert run("status", "--store", "live.db", "--format", "csv").stdout.count("\n") == 2


def test_ingest_into_a_store_of_another_journey_is_a_usage_error_that_says_to_upgrade(
    run: Run, store: str, events: str, quicker: str
) -> None:
    result = run("ingest", quicker, events, "--store", store)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: the store at 'sqlite:///live.db' runs another version of journey 'shop' "
        "(from shop.journey.yaml); to switch to this version, upgrade the store first\n"
    )


def test_ingest_on_a_terminal_draws_a_count_and_gives_the_same_summary(
    run: Run, events: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_analyze, "stderr_is_terminal", lambda: True)
    result = run("ingest", "shop.journey.yaml", events, "--store", "live.db")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == INGESTED
    assert result.stderr.endswith(REJECTED)


@pytest.mark.usefixtures("workdir")
def test_ingest_reads_events_from_stdin() -> None:
    lines = "".join(json.dumps(record) + "\n" for record in RECORDS)
    result = CliRunner().invoke(
        main, ["ingest", "shop.journey.yaml", "-", "--store", "live.db"], input=lines
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "records: 6 read, 6 accepted, 0 rejected, 0 duplicates, 0 late"
    )


# status ------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["jsonl", "csv", "table"])
@pytest.mark.parametrize("as_of", [None, "2026-01-02T10:00:00", "2026-01-20"])
def test_status_prints_what_replay_prints_of_the_same_events(
    run: Run, store: str, events: str, output_format: str, as_of: str | None
) -> None:
    more = [] if as_of is None else ["--as-of", as_of]
    status = run("status", "--store", store, "--format", output_format, *more)
    replay = run("replay", "shop.journey.yaml", events, "--format", output_format, *more)
    assert status.exit_code == 0, status.stderr
    assert replay.exit_code == 0, replay.stderr
    assert status.stdout_bytes == replay.stdout_bytes


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
@pytest.mark.parametrize("as_of", [None, "2026-03-20"])
def test_status_of_the_bundled_example_is_its_replay(
    run: Run, workdir: Path, output_format: str, as_of: str | None
) -> None:
    for name in ("trial.journey.yaml", "trial.events.jsonl"):
        shutil.copy(EXAMPLES / name, workdir)
    ingested = run("ingest", "trial.journey.yaml", "trial.events.jsonl", "--store", "trial.db")
    assert ingested.exit_code == 0, ingested.stderr
    more = [] if as_of is None else ["--as-of", as_of]
    status = run("status", "--store", "trial.db", "--format", output_format, *more)
    replay = run(
        "replay", "trial.journey.yaml", "trial.events.jsonl", "--format", output_format, *more
    )
    assert status.stdout_bytes == replay.stdout_bytes


def test_status_is_replay_whatever_order_and_chunks_the_events_came_in(
    run: Run, workdir: Path
) -> None:
    write_jsonl(workdir / "events.jsonl", RECORDS)
    write_jsonl(workdir / "backwards.jsonl", RECORDS[::-1])
    ingested = run("ingest", "shop.journey.yaml", "backwards.jsonl", "--store", "live.db")
    assert ingested.exit_code == 0, ingested.stderr
    again = run(
        "ingest", "shop.journey.yaml", "events.jsonl", "--store", "live.db", "--chunk-size", "2"
    )
    assert again.stdout.startswith("records: 6 read, 0 accepted, 0 rejected, 6 duplicates")
    status = run("status", "--store", "live.db", "--format", "jsonl")
    replay = run("replay", "shop.journey.yaml", "events.jsonl", "--format", "jsonl")
    assert status.stdout_bytes == replay.stdout_bytes


def test_status_of_one_customer_is_their_line_of_the_whole_status(run: Run, store: str) -> None:
    whole = run("status", "--store", store, "--format", "jsonl").stdout.splitlines()
    one = run("status", "--store", store, "--format", "jsonl", "--customer", "c2")
    assert one.exit_code == 0, one.stderr
    assert one.stdout == whole[1] + "\n"
    assert one.stderr == ""


def test_status_tells_the_customers_and_the_time_on_stderr(run: Run, store: str) -> None:
    result = run("status", "--store", store, "--as-of", "2026-01-01T10:30:00Z")
    assert result.stderr == "customers: 2, as of 2026-01-01T10:30:00Z\n"
    assert run("status", "--store", store).stderr == "customers: 4, as of 2026-01-02T12:00:00Z\n"


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ([], "error: no events for customer 'c9' in the store\n"),
        (
            ["--as-of", "2026-01-01"],
            "error: no events for customer 'c9' in the store by 2026-01-01T00:00:00Z\n",
        ),
    ],
)
def test_status_of_a_customer_without_events_is_exit_3(
    run: Run, store: str, more: list[str], message: str
) -> None:
    result = run("status", "--store", store, "--customer", "c9", *more)
    assert result.exit_code == 3
    assert result.stderr == message
    assert result.stdout == ""


def test_status_before_the_first_event_lists_nobody_and_a_customer_then_is_exit_3(
    run: Run, store: str
) -> None:
    early = ["--as-of", "2025-12-31"]
    assert run("status", "--store", store, "--format", "jsonl", *early).stdout == ""
    assert run("status", "--store", store, "--customer", "c1", *early).exit_code == 3


def test_status_writes_the_same_text_to_out(run: Run, store: str, workdir: Path) -> None:
    result = run("status", "--store", store, "--format", "csv", "--out", "positions.csv")
    assert result.exit_code == 0, result.stderr
    expected = run("status", "--store", store, "--format", "csv").stdout
    assert (workdir / "positions.csv").read_text(encoding="utf-8") == expected
    assert [p.name for p in workdir.iterdir() if p.name.endswith(".part")] == []


def test_status_refuses_to_write_over_the_store(run: Run, store: str, workdir: Path) -> None:
    before = (workdir / store).read_bytes()
    result = run("status", "--store", f"sqlite:///{store}", "--out", store)
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--out': 'live.db' is the same file as --store 'live.db'; "
        "write to another file\n"
    )
    assert (workdir / store).read_bytes() == before


def test_status_reads_the_store_from_the_environment(
    run: Run, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUSTOMER_JOURNEY_STORE", f"sqlite:///{store}")
    result = run("status", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run("status", "--store", store, "--format", "csv").stdout


def test_the_help_names_the_environment_variable(run: Run) -> None:
    result = run("status", "--help")
    assert "[env var: CUSTOMER_JOURNEY_STORE; required]" in " ".join(result.stdout.split())


def test_a_store_command_without_a_store_is_a_usage_error(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CUSTOMER_JOURNEY_STORE", raising=False)
    result = run("tick")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Missing option '--store' (env var: 'CUSTOMER_JOURNEY_STORE').\n"
    )


@pytest.mark.parametrize("command", ["status", "tick", "rejects", "outbox --claim 1"])
def test_a_store_file_that_does_not_exist_is_exit_3_and_is_not_made(
    run: Run, workdir: Path, command: str
) -> None:
    result = run(*command.split(), "--store", "sqlite:///missing.db")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: no store at 'missing.db'; make one with 'customer-journey ingest JOURNEY "
        "EVENTS --store URL'\n"
    )
    assert not (workdir / "missing.db").exists()


def test_a_store_url_of_another_kind_is_a_usage_error(run: Run) -> None:
    result = run("status", "--store", "mysql://db/x")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--store': 'url' must start with 'sqlite://' or "
        "'postgresql://' (got 'mysql://')\n"
    )


def test_a_file_that_is_not_a_database_is_exit_3(run: Run, workdir: Path) -> None:
    (workdir / "notes.db").write_text("not a database at all, just some text\n" * 100)
    result = run("status", "--store", "notes.db")
    assert result.exit_code == 3
    assert result.stderr == ("error: cannot open the store at 'notes.db': file is not a database\n")


def test_a_database_that_runs_no_journey_is_not_a_store(run: Run, workdir: Path) -> None:
    with sqlite3.connect(workdir / "other.db") as database:
        database.execute("CREATE TABLE notes (text TEXT)")
    database.close()
    result = run("status", "--store", "other.db")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: no store at 'other.db' (it runs no journey); make one with 'customer-journey "
        "ingest JOURNEY EVENTS --store URL'\n"
    )


def test_a_store_of_another_schema_version_is_exit_3(run: Run, store: str, workdir: Path) -> None:
    with sqlite3.connect(workdir / store) as database:
        database.execute("UPDATE cj_settings SET value = '99' WHERE name = 'schema'")
    database.close()
    result = run("status", "--store", store)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "error: the store at 'sqlite:///live.db' has schema version 99; "
    )
    assert result.stderr.count("\n") == 1


# tick --------------------------------------------------------------------------------------


def test_tick_fires_what_is_due_and_counts_the_changes_by_kind(run: Run, store: str) -> None:
    result = run("tick", "--store", store, "--now", "2026-01-05")
    assert result.exit_code == 0, result.stderr
    # c1 times out of 'shopper' back to 'visitor'; no goal's deadline has passed yet
    assert result.stdout == (
        "customers judged: 1, as of 2026-01-05T00:00:00Z\n"
        "customers changed: 1; changes: 1 stage_entered, 2 friction_raised\n"
    )
    again = run("tick", "--store", store, "--now", "2026-01-05")
    assert again.stdout == (
        "customers judged: 0, as of 2026-01-05T00:00:00Z\ncustomers changed: 0; changes: none\n"
    )


def test_tick_moves_the_stores_clock_for_status(run: Run, store: str) -> None:
    run("tick", "--store", store, "--now", "2026-01-05")
    result = run("status", "--store", store, "--customer", "c1", "--format", "csv")
    assert result.stdout.splitlines()[1].startswith("c1,visitor,awareness,2026-01-03T10:00:00Z,")


def test_tick_reads_naive_times_in_the_journeys_timezone_and_refuses_a_bad_one(
    run: Run, store: str
) -> None:
    assert run("tick", "--store", store, "--now", "2026-01-05 08:00").stdout.startswith(
        "customers judged: 1, as of 2026-01-05T08:00:00Z\n"
    )
    result = run("tick", "--store", store, "--now", "soon")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--now': not a date and time; write it like "
        "2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600\n"
    )


# outbox ------------------------------------------------------------------------------------


def test_outbox_claims_messages_as_json_lines_and_acknowledges_them(run: Run, store: str) -> None:
    first = run("outbox", "--store", store, "--claim", "2")
    assert first.exit_code == 0, first.stderr
    assert [json.loads(line) for line in first.stdout.splitlines()] == [
        {
            "id": 1,
            "customer": "c1",
            "kind": "stage_entered",
            "at": "2026-01-01T09:00:00Z",
            "attempts": 1,
            "stage": "visitor",
            "phase": "awareness",
            "from": None,
            "trigger": "entry",
            "touchpoint": "visit",
        },
        {
            "id": 2,
            "customer": "c1",
            "kind": "stage_entered",
            "at": "2026-01-01T10:00:00Z",
            "attempts": 1,
            "stage": "shopper",
            "phase": "consideration",
            "from": "visitor",
            "trigger": "touchpoint",
            "touchpoint": "cart",
        },
    ]
    assert first.stderr == "claimed 2 messages for 60s\n"
    # held for their lease: the next claim gets the next ones
    second = run("outbox", "--store", store, "--claim", "1")
    assert json.loads(second.stdout)["id"] == 3
    acked = run("outbox", "--store", store, "--ack", "1", "2", "99")
    assert acked.exit_code == 0, acked.stderr
    assert acked.stderr == "acknowledged 2 messages (1 not in the outbox)\n"
    assert acked.stdout == ""


def test_an_unacknowledged_message_is_claimed_again_after_its_lease(run: Run, store: str) -> None:
    run("outbox", "--store", store, "--claim", "1", "--lease", "0")
    message = json.loads(run("outbox", "--store", store, "--claim", "1").stdout)
    assert (message["id"], message["attempts"]) == (1, 2)


def test_outbox_acknowledges_before_it_claims(run: Run, store: str) -> None:
    run("outbox", "--store", store, "--claim", "1", "--lease", "0")
    result = run("outbox", "--store", store, "--ack", "1", "--claim", "1")
    assert result.stderr == "acknowledged 1 message\nclaimed 1 message for 60s\n"
    assert json.loads(result.stdout)["id"] == 2


@pytest.mark.parametrize(
    ("more", "message"),
    [
        ([], "give --claim N to take messages, or --ack IDS... to acknowledge"),
        (["3"], "message ids are given without --ack"),
        (["--ack"], "--ack needs the ids of the messages sent"),
    ],
)
def test_outbox_without_something_to_do_is_a_usage_error(
    run: Run, store: str, more: list[str], message: str
) -> None:
    result = run("outbox", "--store", store, *more)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: {message}\n")
    assert result.stdout == ""


# upgrade -----------------------------------------------------------------------------------


def test_upgrade_shows_the_comparison_as_compare_does_and_changes_nothing(
    run: Run, store: str, events: str, quicker: str
) -> None:
    result = run("upgrade", quicker, "--store", store)
    assert result.exit_code == 0, result.stderr
    compared = run("compare", "shop.journey.yaml", quicker, events)
    assert result.stdout == compared.stdout
    assert "\n  shopper  visitor          1  c1\n" in result.stdout
    assert result.stderr == (
        "not applied: run again with --apply to switch the store to this version\n"
    )
    assert run("ingest", quicker, events, "--store", store).exit_code == 2


def test_upgrade_with_apply_switches_the_store_to_the_new_version(
    run: Run, store: str, events: str, quicker: str
) -> None:
    result = run("upgrade", quicker, "--store", store, "--apply")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "applied: the store now runs this version of journey 'shop'\n"
    status = run("status", "--store", store, "--format", "jsonl")
    assert status.stdout == run("replay", quicker, events, "--format", "jsonl").stdout
    assert run("ingest", quicker, events, "--store", store).exit_code == 0
    assert run("ingest", "shop.journey.yaml", events, "--store", store).exit_code == 2


def test_upgrade_json_to_stdout_replaces_the_tables(run: Run, store: str, quicker: str) -> None:
    result = run("upgrade", quicker, "--store", store, "--json", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["changed"] == 1
    assert result.stderr.startswith("not applied:")


def test_a_store_without_events_can_be_upgraded(run: Run, workdir: Path, quicker: str) -> None:
    events = write_jsonl(workdir / "bad.jsonl", [BAD])
    made = run("ingest", "shop.journey.yaml", events, "--store", "live.db")
    assert made.exit_code == 3  # every record rejected: say, the field names were wrong
    result = run("upgrade", quicker, "--store", "live.db", "--apply")
    assert result.exit_code == 0, result.stderr
    assert "customers in a different stage: 0" in result.stdout
    assert result.stderr == "applied: the store now runs this version of journey 'shop'\n"


# rejects -----------------------------------------------------------------------------------


def test_rejects_lists_the_refused_records_as_a_table(run: Run, store: str) -> None:
    result = run("rejects", "--store", store)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "source        row  code           reason\n"
        "events.jsonl    7  missing-field  missing 'timestamp'\n"
    )


def test_rejects_as_json_lines_keep_the_record(run: Run, store: str) -> None:
    result = run("rejects", "--store", store, "--format", "jsonl")
    assert json.loads(result.stdout) == {
        "source": "events.jsonl",
        "row": 7,
        "code": "missing-field",
        "reason": "missing 'timestamp'",
        "record": BAD,
    }


def test_rejects_of_a_store_without_any_says_so_on_stderr(run: Run, workdir: Path) -> None:
    events = write_jsonl(workdir / "events.jsonl", RECORDS)
    run("ingest", "shop.journey.yaml", events, "--store", "live.db")
    result = run("rejects", "--store", "live.db")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "no rejected records\n"
