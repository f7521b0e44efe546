"""Counting in several processes, or in shares merged, gives the one-process analysis."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import customer_journey as cj
from customer_journey.analytics import Analysis
from customer_journey.analytics._analyze import _count_part, _merged, _Task
from customer_journey.analytics._stats import EXACT_LIMIT, DurationSample
from customer_journey.analytics._tally import MOST_VALUES, _StageCounts
from customer_journey.analytics._workers import FileInput
from customer_journey.cli import main
from customer_journey.render import analysis_text
from customer_journey.testing.strategies import populations

JOURNEY = cj.loads(
    """\
journey: workers
timezone: Europe/Paris
touchpoints:
  ad:      { event: ad.clicked, channel: paid_ads }
  mail:    { event: email.clicked, channel: email }
  pricing: { event: page.viewed, channel: web, where: { page: /pricing } }
  order:   { event: order.completed, channel: web }
  close:   { event: account.closed, channel: web }
stages:
  aware:
    phase: awareness
    entry: [ad]
    expected_duration: 2d
    transitions:
      - { to: considering, when: pricing }
      - { to: lapsed, after: 6d }
  considering:
    phase: consideration
    entry: [mail]
    transitions:
      - { to: customer, when: order }
      - { to: aware, when: ad }
      - { to: aware, after: 4d }
    friction:
      - { label: mail fatigue, when: mail, times: 2, within: 1d }
    actions:
      - { id: nudge, channel: email, priority: 10 }
  customer:
    phase: conversion
  lapsed:
    transitions:
      - { to: considering, when: pricing }
  churned:
    terminal: true
anywhere:
  - { to: churned, when: close }
goals:
  buy: { reach: customer, within: 7d }
  ever: { reach: customer }
""",
    source="workers.yaml",
)

CUSTOMERS = ("ann", "bob", "cy", "dee", "eve", "fay", "gus")
BAD_LINES = ["not json", '{"customer_id": "ann", "type": "ad.clicked"}']


@st.composite
def exports(draw: st.DrawFn) -> list[str]:
    """JSONL lines: customers interleaved, some records twice, a few rejected lines."""
    records = draw(populations(JOURNEY, customers=CUSTOMERS, max_size=6))
    copies = draw(st.lists(st.integers(0, max(len(records) - 1, 0)), max_size=3))
    records += [records[index] for index in copies if index < len(records)]
    lines = [json.dumps(record, default=str) for record in records]
    for bad in draw(st.lists(st.sampled_from(BAD_LINES), max_size=2)):
        lines.insert(draw(st.integers(0, len(lines))), bad)
    return lines


def write(path: Path, lines: list[str]) -> str:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return str(path)


def in_shares(path: str, parts: int, *, by: str | None, as_of: datetime | None) -> Analysis:
    """The analysis of `parts` shares, each counted here as a worker would, then merged."""
    file = FileInput(path, None, path)
    text = JOURNEY.text or ""
    tasks = [
        _Task(text, JOURNEY.source, file, False, as_of, by, "buy", part, parts)
        for part in range(parts)
    ]
    run, totals, rejections = _merged(
        JOURNEY, [_count_part(task) for task in tasks], by=by, goal="buy"
    )
    return run.report(totals, rejections, every=None, top=10, min_count=1)


def assert_same(a: Analysis, b: Analysis) -> None:
    assert a.to_dict() == b.to_dict()
    zone = JOURNEY.timezone
    assert analysis_text(a, timezone=zone) == analysis_text(b, timezone=zone)


AS_OF = datetime(2026, 3, 20, tzinfo=timezone.utc)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    exports(),
    st.sampled_from([None, "customer.segment", "first_channel"]),
    st.sampled_from([None, AS_OF]),
)
def test_three_shares_merged_give_the_one_pass_analysis(
    tmp_path: Path, lines: list[str], by: str | None, as_of: datetime | None
) -> None:
    path = write(tmp_path / "events.jsonl", lines)
    try:
        whole = cj.analyze(JOURNEY, path, as_of, by=by, min_count=1, workers=1)
    except cj.ArgumentError:  # no events and no as_of: every share says so too
        with pytest.raises(cj.ArgumentError, match="no events to analyze"):
            in_shares(path, 3, by=by, as_of=as_of)
        return
    assert_same(in_shares(path, 3, by=by, as_of=as_of), whole)


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(exports().filter(lambda lines: len(lines) > 3))
def test_two_worker_processes_give_the_one_process_analysis(
    tmp_path: Path, lines: list[str]
) -> None:
    path = write(tmp_path / "events.jsonl", lines)
    by = "customer.segment"
    one = cj.analyze(JOURNEY, path, AS_OF, by=by, min_count=1, workers=1)
    assert_same(cj.analyze(JOURNEY, path, AS_OF, by=by, min_count=1, workers=2), one)


def test_records_in_memory_are_counted_in_this_process_whatever_the_workers() -> None:
    records = [
        {"customer_id": "ann", "type": "ad.clicked", "timestamp": "2026-03-01T09:00:00Z"},
        {"customer_id": "bob", "type": "email.clicked", "timestamp": "2026-03-02T09:00:00Z"},
    ]
    analysis = cj.analyze(JOURNEY, records, workers=4)
    assert analysis.customers == 2
    assert analysis.as_of == datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_workers_must_be_a_whole_number_of_one_or_more(workers: object) -> None:
    with pytest.raises(cj.ArgumentError, match=r"^'workers' must be a whole number of 1 or more"):
        cj.analyze(JOURNEY, [], AS_OF, workers=workers)  # type: ignore[arg-type]


def test_a_bad_record_in_strict_mode_raises_from_the_workers_as_in_one_process(
    tmp_path: Path,
) -> None:
    record = {"customer_id": "ann", "type": "ad.clicked", "timestamp": "2026-03-01T09:00:00Z"}
    path = write(tmp_path / "events.jsonl", [json.dumps(record), "not json"])
    with pytest.raises(cj.RecordError) as one:
        cj.analyze(JOURNEY, path, strict=True, workers=1)
    with pytest.raises(cj.RecordError) as two:
        cj.analyze(JOURNEY, path, strict=True, workers=2)
    assert str(two.value) == str(one.value)
    assert (two.value.source, two.value.row) == (path, 2)


def durations(count: int, seed: int) -> list[timedelta]:
    """Durations from zero to weeks, some repeated."""
    pick = random.Random(seed)
    return [
        timedelta(microseconds=pick.choice([0, 1, pick.randrange(10**12)])) for _ in range(count)
    ]


def filled(values: list[timedelta]) -> DurationSample:
    sample = DurationSample()
    for value in values:
        sample.add(value)
    return sample


@pytest.mark.parametrize(
    "sizes",
    [
        (EXACT_LIMIT // 2, EXACT_LIMIT // 2),  # exact together
        (EXACT_LIMIT // 2, EXACT_LIMIT // 2 + 1),  # one past the limit together
        (EXACT_LIMIT, 1),
        (0, EXACT_LIMIT + 1),  # one side already bucketed
        (EXACT_LIMIT + 1, 7),
        (EXACT_LIMIT + 5, EXACT_LIMIT + 9),  # both bucketed
        (100, 200, EXACT_LIMIT),  # exact, exact, then over
    ],
)
def test_merged_duration_samples_summarise_as_one_sample(sizes: tuple[int, ...]) -> None:
    parts = [durations(size, seed) for seed, size in enumerate(sizes)]
    merged = filled(parts[0])
    for part in parts[1:]:
        merged.merge(filled(part))
    whole = filled([value for part in parts for value in part])
    assert merged.summary() == whole.summary()
    assert merged.summary().is_exact is (sum(sizes) <= EXACT_LIMIT)


def features(prefix: str, count: int) -> frozenset[tuple[str, str]]:
    return frozenset(("event.ref", f"{prefix}{number}") for number in range(count))


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        (features("a", 30), features("b", 20), True),  # 50 distinct: counted
        (features("a", 30), features("b", 21), False),  # 51 over both: dropped
        (features("a", 40), features("a", 40) | features("b", 10), True),  # shared values
        (features("a", MOST_VALUES + 1), features("b", 1), False),  # dropped on one side
        (features("b", 1), features("a", MOST_VALUES + 1), False),
    ],
)
def test_a_feature_kind_over_the_limit_over_both_tallies_is_dropped_when_merged(
    first: frozenset[tuple[str, str]], second: frozenset[tuple[str, str]], *, kept: bool
) -> None:
    touch = frozenset({("touchpoint", "ad")})
    a, b, whole = (_StageCounts(()) for _ in range(3))
    for counts, visits in ((a, [first]), (b, [second]), (whole, [first, second])):
        for moved_on in (True, False):
            for seen in visits:
                for feature in sorted(seen | touch):  # one feature at a time, in any order
                    counts.count_features(frozenset({feature}), moved_on=moved_on)
    a.merge(b)
    assert a.features == whole.features
    assert (a.too_many, a.judged, a.moved_on) == (whole.too_many, whole.judged, whole.moved_on)
    assert any(kind == "event.ref" for kind, _ in a.features) is kept
    assert ("touchpoint", "ad") in a.features


def run_cli(*args: str) -> tuple[int, bytes]:
    result = CliRunner().invoke(main, list(args), prog_name="customer-journey")
    return result.exit_code, result.stdout_bytes


def test_the_cli_prints_the_same_bytes_with_two_workers_as_with_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "j.yaml").write_text(JOURNEY.text or "", encoding="utf-8")
    lines = [
        json.dumps(
            {
                "customer_id": f"c{number % 11}",
                "type": ["ad.clicked", "page.viewed", "email.clicked", "order.completed"][
                    number % 4
                ],
                "page": "/pricing",
                "timestamp": f"2026-03-{1 + number % 20:02d}T{number % 24:02d}:00:00Z",
                "traits": {"segment": ["vip", "new"][number % 2]},
            }
        )
        for number in range(120)
    ]
    write(tmp_path / "events.jsonl", [*lines, "not json"])
    for command in (
        ["analyze", "j.yaml", "events.jsonl", "--by", "customer.segment"],
        ["analyze", "j.yaml", "events.jsonl", "--json", "-"],
        ["report", "j.yaml", "events.jsonl", "--out", "-"],
    ):
        one = run_cli(*command, "--workers", "1")
        assert one[0] == 0
        assert run_cli(*command, "--workers", "2") == one
