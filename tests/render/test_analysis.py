"""`analysis_text` and `comparison_text`: journey analytics as tables for a 100-column terminal."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from customer_journey import analyze, compare, loads
from customer_journey.render import analysis_text, comparison_text

SHOP = (Path(__file__).parent.parent / "testing" / "data" / "shop.journey.yaml").read_text(
    encoding="utf-8"
)

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
    {
        "customer_id": "c3",
        "type": "page.viewed",
        "timestamp": "2026-01-02T09:00:00Z",
        "traits": {"segment": "vip"},
    },
    {"customer_id": "c4", "type": "cart.added", "timestamp": "2026-01-02T09:30:00Z"},
    {"customer_id": "c5", "type": "page.viewed", "timestamp": "2025-12-31T08:00:00Z"},
    {"customer_id": "c5", "type": "cart.added", "timestamp": "2025-12-31T09:00:00Z"},
    {"customer_id": "c5", "type": "order.completed", "timestamp": "2026-01-03T08:00:00Z"},
]

ANALYSIS = """\
journey 'shop', as of 2026-01-03T08:00:00Z
customers: 4 in the journey, 1 outside
records: 10 read, 10 accepted, 0 rejected, 0 duplicates, 0 after as_of

Funnel
  stage    entered  reached  in now    step  overall  stalled  onward  back  timeout  terminal
  visitor        4        4       1  100.0%   100.0%        0       3     0        0         0
  shopper        3        3       1   75.0%    75.0%        0       1     0        1         0
  buyer          2        2       2   66.7%    50.0%        0       0     0        0         0
  step, overall: customers who reached the stage (or a later one) as a share of those who reached
  the stage before, and of all customers; onward, back, timeout, terminal: customers who left the
  stage, by how

Phases
  phase          entered  reached  in now    step  overall
  awareness            4        4       1  100.0%   100.0%
  consideration        3        3       1   75.0%    75.0%
  conversion           2        2       2   66.7%    50.0%

Time in stage
  stage    ended  median     p90  expected  over  open  open median
  visitor      4      1h  16h24m         -     -     1          23h
  shopper      2   1d12h   1d22h         -     -     1        1d19h
  buyer        0       -       -         -     -     2          11h
  ended: visits that ended, their median and p90 time in the stage, and how many took over the
  expected duration; open: visits still going on

Moves (most first)
  entries: visitor 4
  from     to       moves  share
  visitor  shopper      3  75.0%
  shopper  buyer        1  50.0%
  shopper  visitor      1  50.0%
  visitor  buyer        1  25.0%

Paths (most customers first)
  path                                    customers  share
  visitor                                         1  25.0%
  visitor -> shopper                              1  25.0%
  visitor -> shopper -> buyer                     1  25.0%
  visitor -> shopper -> visitor -> buyer          1  25.0%

Goals (time: from entering the journey)
  goal      stage    reached  missed  pending   rate  median time  p90 time
  purchase  buyer          2       0        2  50.0%           2d     2d19h
  browse    shopper        3       0        1  75.0%           1h        1h

Friction, by customers lost to goal 'purchase'
  friction                               customers    rate  without  odds ratio (range)         lost
  timed out of 'shopper' into 'visitor'          1  100.0%    33.3%    too few to judge  higher rate
  back from 'shopper' to 'visitor'               1  100.0%    33.3%    too few to judge  higher rate
  rate: of the customers who had not reached 'purchase' when the friction first happened, the share
  who reached it later, against the share of the customers without the friction; lost: how many more
  would have reached it at that rate (higher rate: they reached it more often; after the goal: all
  had reached it before). Odds ratio: how many times the odds of the outcome with it are those
  without it: above 1 it goes with more customers getting there, below 1 with fewer; range: the
  range the true figure lies in, 95 times in 100; a wide range means too few customers to be sure;
  too few to judge: fewer than 5 customers on a side, or a range over 100 times wide.

Root causes: what goes with moving on from a stage
             factor                  visits  moved on  without  odds ratio (range)
  visitor: 4 visits judged, 100.0% moved on
    unclear  customer.segment = vip       1    100.0%   100.0%    too few to judge
  shopper: 2 visits judged, 50.0% moved on
    unclear  customer.segment = vip       1    100.0%     0.0%    too few to judge
  the touchpoints, channels and values that trigger a stage's own transitions are left out: they are
  how customers leave, below. Odds ratio: how many times the odds of the outcome with it are those
  without it: above 1 it goes with more customers getting there, below 1 with fewer; range: the
  range the true figure lies in, 95 times in 100; a wide range means too few customers to be sure;
  too few to judge: fewer than 5 customers on a side, or a range over 100 times wide.

How customers leave each stage: exits by trigger
  visitor: 'cart' 3 (75.0%), 'order' 1 (25.0%)
  shopper: (timeout) 1 (50.0%), 'order' 1 (50.0%)

Trend: customers per stage, every day
  stage    2026-01-01  2026-01-02  2026-01-03  as_of
  visitor           0           0           2      1
  shopper           1           3           1      1
  buyer             0           0           1      2

Attribution: share of conversions lost without the moves that carried it
  goal (chance)     by                  moves  effect
  purchase (50.0%)  channel 'web'           9  100.0%
                    touchpoint 'order'      2  100.0%
                    touchpoint 'visit'      4  100.0%
                    touchpoint 'cart'       3   60.0%
  browse (75.0%)    channel 'web'           7  100.0%
                    touchpoint 'cart'       3  100.0%
                    touchpoint 'visit'      4  100.0%
  chance: the share of customers expected to reach the goal from how customers move between stages
  (a Markov chain of the moves); effect: the share of the goal's conversions that would be lost
  without the moves that carried it.

Next actions: customers by their best action now
  action               customers   share
  (no action offered)          4  100.0%
"""

COMPARISON = """\
journey a 'shop' (a.journey.yaml) against b 'shop' (b.journey.yaml), as of 2026-01-03T08:00:00Z
customers: a 4 in the journey, 1 outside; b 4 in the journey, 1 outside
customers in a different stage: 1

Customers per stage now
  stage                 a  b  difference
  visitor               1  2          +1
  shopper               1  0          -1
  buyer                 2  2           0
  (not in the journey)  1  1           0

Goals
  goal      a reached  a rate  b reached  b rate  difference
  purchase          2   50.0%          2   50.0%           0
  browse            3   75.0%          3   75.0%           0

Friction (customers), most changed first
  friction                               a  b  difference
  timed out of 'shopper' into 'visitor'  1  3          +2
  back from 'shopper' to 'visitor'       1  3          +2

Stage changes (most first)
  a stage  b stage  customers  for example
  shopper  visitor          1  c2
"""


def test_an_analysis_shows_every_section_with_the_figures_of_analyze() -> None:
    journey = loads(SHOP, source="shop.journey.yaml")
    assert analysis_text(analyze(journey, RECORDS, min_count=1)) == ANALYSIS


def test_every_line_fits_a_100_column_terminal() -> None:
    journey = loads(SHOP, source="shop.journey.yaml")
    text = analysis_text(analyze(journey, RECORDS, min_count=1, by="customer.segment"))
    assert max(len(line) for line in text.splitlines()) <= 100


def test_top_limits_the_moves_friction_and_next_actions() -> None:
    journey = loads(SHOP, source="shop.journey.yaml")
    lines = analysis_text(analyze(journey, RECORDS, min_count=1), top=1).splitlines()
    moves = lines.index("Moves (most first)")
    assert lines[moves + 1 : moves + 5] == [
        "  entries: visitor 4",
        "  from     to       moves  share",
        "  visitor  shopper      3  75.0%",
        "",
    ]
    friction = lines.index("Friction, by customers lost to goal 'purchase'")
    # One customer with it: too few to judge; they reached 'purchase' more often than the
    # customers without it, so nothing is lost.
    assert lines[friction + 2] == (
        "  timed out of 'shopper' into 'visitor'          1  100.0%    33.3%    too few to judge"
        "  higher rate"
    )
    assert lines[friction + 3].startswith("  rate: ")


LONG_LABELS = """\
journey: long
touchpoints:
  visit: { event: page.viewed, channel: web }
  price: { event: pricing.viewed, channel: web }
stages:
  visitor:
    entry: [visit]
    friction:
      - label: A very long friction label that a marketer wrote to explain it all in one go
        when: price
"""


def test_a_label_too_long_for_the_terminal_is_shortened_with_dots() -> None:
    journey = loads(LONG_LABELS, source="long.journey.yaml")
    records = [
        {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
        {"customer_id": "c1", "type": "pricing.viewed", "timestamp": "2026-01-01T10:00:00Z"},
    ]
    lines = analysis_text(analyze(journey, records)).splitlines()
    friction = lines.index("Friction")
    assert lines[friction + 1 : friction + 4] == [
        "  friction" + " " * 81 + "customers",
        "  A very long friction label that a marketer wrote to explain it all in one go in 'vis..."
        "          1",
        "",
    ]
    goals = lines.index("Goals")
    assert lines[goals + 1] == "  (none)"


def test_groups_too_many_for_one_table_are_shown_in_blocks_of_columns() -> None:
    journey = loads(SHOP, source="shop.journey.yaml")
    records = [
        {
            "customer_id": f"c{number}",
            "type": "page.viewed",
            "timestamp": "2026-01-01T09:00:00Z",
            "traits": {"segment": f"segment-{number:02}"},
        }
        for number in range(12)
    ]
    text = analysis_text(analyze(journey, records, by="customer.segment"))
    block = """\
  customers                  1           1           1           1           1           1
  goal 'purchase'         0.0%        0.0%        0.0%        0.0%        0.0%        0.0%
  in 'visitor' now           1           1           1           1           1           1
  in 'shopper' now           0           0           0           0           0           0
  in 'buyer' now             0           0           0           0           0           0
"""
    assert text.endswith(
        "By customer.segment\n"
        "  customer.segment  segment-00  segment-01  segment-02  segment-03  segment-04"
        "  segment-05\n"
        f"{block}\n"
        "  customer.segment  segment-06  segment-07  segment-08  segment-09  segment-10"
        "  segment-11\n"
        f"{block}"
    )


def test_trend_dates_are_the_days_of_the_journeys_midnights() -> None:
    journey = loads(SHOP.replace("journey: shop\n", "journey: shop\ntimezone: Asia/Tokyo\n"))
    records = [
        {"customer_id": "c1", "type": "page.viewed", "timestamp": "2026-01-01T09:00:00Z"},
        {"customer_id": "c1", "type": "cart.added", "timestamp": "2026-01-02T09:00:00Z"},
    ]
    analysis = analyze(journey, records)
    tokyo = analysis_text(analysis).splitlines()  # by default, the journey's zone
    utc = analysis_text(analysis, timezone=ZoneInfo("UTC")).splitlines()
    trend = tokyo.index("Trend: customers per stage, every day")
    assert tokyo[trend + 1] == "  stage    2026-01-02  as_of"
    assert utc[trend + 1] == "  stage    2026-01-01  as_of"
    assert tokyo[0] == "journey 'shop', as of 2026-01-02T18:00:00+09:00"


def test_rejected_records_are_counted_and_the_first_three_quoted() -> None:
    journey = loads(SHOP, source="shop.journey.yaml")
    bad = [{"customer_id": "c9", "type": "page.viewed", "timestamp": "soon"}] * 4
    lines = analysis_text(analyze(journey, [*RECORDS, *bad])).splitlines()
    assert lines[2] == "records: 14 read, 10 accepted, 4 rejected, 0 duplicates, 0 after as_of"
    assert lines[4:12] == [
        "Rejected records: 4 (the first 3)",
        "  <records>:11: unreadable time 'soon' in 'timestamp': not a date and time; write it like",
        "      2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600",
        "  <records>:12: unreadable time 'soon' in 'timestamp': not a date and time; write it like",
        "      2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600",
        "  <records>:13: unreadable time 'soon' in 'timestamp': not a date and time; write it like",
        "      2026-01-01T10:00:00Z, 2026-01-01 or epoch seconds such as 1767225600",
        "",
    ]


def test_without_enough_visits_root_causes_say_so() -> None:
    journey = loads(SHOP, source="shop.journey.yaml")
    lines = analysis_text(analyze(journey, RECORDS)).splitlines()
    causes = lines.index("Root causes: what goes with moving on from a stage")
    assert lines[causes + 1] == (
        "  none: no factor was seen in enough visits both with and without it"
    )


def test_a_comparison_shows_stages_goals_friction_and_who_moved() -> None:
    journey_a = loads(SHOP, source="a.journey.yaml")
    journey_b = loads(SHOP.replace("after: 2d", "after: 1d"), source="b.journey.yaml")
    assert comparison_text(compare(journey_a, journey_b, RECORDS)) == COMPARISON


def test_a_comparison_of_a_journey_with_itself_shows_no_change() -> None:
    journey = loads(SHOP, source="shop.journey.yaml")
    lines = comparison_text(compare(journey, journey, RECORDS)).splitlines()
    assert lines[2] == "customers in a different stage: 0"
    assert lines[-5:] == [
        "Friction",
        "  no change",
        "",
        "Stage changes",
        "  none: every customer is where they were",
    ]
