"""Write a realistic, seeded JSONL event file for `examples/bookshop.journey.yaml`.

Each simulated reader arrives through an ad, a post, the app, the site or the newsletter,
browses, reads samples, fills a basket, buys online, by phone or in the shop, joins the
book club, reviews, complains, goes quiet, comes back or deletes their account. Marketing
actions taken for a reader arrive as `action.performed` records.

The file looks like a real export, warts included:

- records are grouped by customer, mostly in time order, with a little shuffling inside
  a customer (the engine sorts each customer's events);
- events no touchpoint matches (searches, email opens, recommendations);
- repeated event ids (a pipeline that delivered a record twice);
- traits (segment, consent flags) on some records, changing over time;
- most timestamps are ISO 8601 in UTC (`...Z`), some are naive (read in the journey's
  timezone) and some are epoch milliseconds;
- a few bad records: no customer id, an unreadable timestamp, one line that is not JSON.

The same `--seed` always gives a byte-identical file: one `random.Random(seed)` drives
everything and nothing reads the clock. Run `python examples/generate_events.py --help`.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).with_name("events.jsonl")
DEFAULT_START = date(2026, 1, 1)

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
EXPORT_DAYS = 180  # customers arrive, and the export ends, within this many days of --start

BOOKS = (
    "the-night-circus",
    "a-gentleman-in-moscow",
    "piranesi",
    "the-remains-of-the-day",
    "station-eleven",
    "the-overstory",
    "circe",
    "klara-and-the-sun",
    "the-secret-history",
    "middlemarch",
    "the-left-hand-of-darkness",
    "educated",
    "sapiens",
    "the-wind-up-bird-chronicle",
    "the-name-of-the-rose",
    "small-things-like-these",
)
OTHER_PAGES = ("/", "/bestsellers", "/new-releases", "/authors/ursula-le-guin", "/gift-cards")
PRICE_PAGES = ("/delivery", "/prices", "/offers")
# Event types no touchpoint in the bookshop journey matches.
NOISE = (
    ("search.performed", "web"),
    ("recommendation.shown", "web"),
    ("email.delivered", "email"),
    ("email.opened", "email"),
    ("push.sent", "push"),
    ("app.crashed", "push"),
)
ENTRIES = (
    ("ad.clicked", "paid_ads", 30),
    ("social.engaged", "social", 20),
    ("push.opened", "push", 10),
    ("page.viewed", "web", 25),
    ("newsletter.subscribed", "email", 10),
    ("email.clicked", "email", 5),
)
SEGMENTS = ("standard", "standard", "standard", "student", "local", "vip")
COMPLAINTS = ("damaged", "late", "wrong_item", "billing")


@dataclass
class Generated:
    """What the generator produced: the file's lines and where the bad records are."""

    lines: list[str]
    customers: int
    bad_lines: dict[str, list[int]] = field(default_factory=dict)

    @property
    def bad_line_count(self) -> int:
        """How many lines were planted as bad records."""
        return sum(len(rows) for rows in self.bad_lines.values())


class _Reader:
    """One simulated customer: a clock, a mood, and the records they leave behind."""

    def __init__(
        self, rng: random.Random, customer_id: str, start: int, end: int, ids: list[int]
    ) -> None:
        self.rng = rng
        self.customer_id = customer_id
        self.now = start
        self.end = end
        self.ids = ids  # a shared one-item counter, so event ids are unique in the file
        self.records: list[dict[str, Any]] = []
        self.mood = "new"
        self.orders = 0

    def emit(self, type_: str, channel: str | None, **attributes: Any) -> dict[str, Any]:
        """Record one event at the current time, a few seconds after the previous one."""
        self.ids[0] += 1
        self.now += 5 + int(self.rng.random() * 235)
        record: dict[str, Any] = {
            "event_id": f"evt-{self.ids[0]:07d}",
            "customer_id": self.customer_id,
            "type": type_,
            "timestamp": self.now,
        }
        if channel is not None:
            record["channel"] = channel
        record.update(attributes)
        self.records.append(record)
        return record

    def view(self, page: str) -> None:
        self.emit("page.viewed", "web", page=page)

    def browse(self, pages: int) -> None:
        """A visit: a few pages, some of them books, with the odd search."""
        rng = self.rng
        for _ in range(pages):
            roll = rng.random()
            if roll < 0.45:
                self.view(f"/books/{rng.choice(BOOKS)}")
            elif roll < 0.55:
                self.view(rng.choice(PRICE_PAGES))
            elif roll < 0.65:
                type_, channel = rng.choice(NOISE)
                self.emit(type_, channel)
            else:
                self.view(rng.choice(OTHER_PAGES))

    def live(self) -> None:
        """Simulate the whole relationship, session by session."""
        rng = self.rng
        self.arrive()
        while True:
            roll = rng.random()
            if roll < 0.004:
                self.emit("account.deleted", "web", reason=rng.choice(("privacy", "moved")))
                return
            if roll < 0.1:  # drifts away for good; replay will see them lapse
                return
            silent = roll < 0.19  # a long silence, long enough to lapse
            if silent:
                self.now += rng.randint(35, 150) * DAY
            else:
                self.now += int(rng.expovariate(1 / (3 * DAY))) + 20 * MINUTE
            if self.now > self.end:  # the export was taken before this
                return
            if silent:
                self.nudge("winback_sms", "sms", "sms.clicked", "sms")
            self.session()

    def arrive(self) -> None:
        rng = self.rng
        traits = {
            "segment": rng.choice(SEGMENTS),
            "email_opt_out": rng.random() < 0.1,
            "sms_opt_in": rng.random() < 0.3,
            "push_enabled": rng.random() < 0.4,
        }
        if rng.random() < 0.08:  # shop-first: the first thing we know is a sale at the till
            self.buy(first=True)["traits"] = traits
            return
        type_, channel, _ = rng.choices(ENTRIES, weights=[w for *_, w in ENTRIES])[0]
        first = self.emit(type_, channel, **self.first_attributes(type_))
        first["traits"] = traits
        self.browse(rng.randint(0, 4))

    def first_attributes(self, type_: str) -> dict[str, Any]:
        if type_ == "page.viewed":
            return {"page": self.rng.choice(OTHER_PAGES)}
        if type_ == "ad.clicked":
            return {"campaign": self.rng.choice(("spring-reads", "gift-guide", "summer-sale"))}
        return {}

    def nudge(self, action: str, channel: str, response: str, response_channel: str) -> None:
        """A marketing action we took; now and then the reader responds to it."""
        self.emit("action.performed", channel, action=action)
        if self.rng.random() < 0.3:
            self.now += self.rng.randint(1, 48) * HOUR
            self.emit(response, response_channel)

    def session(self) -> None:
        """One visit; what happens depends on how far along the reader is."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.05:
            type_, channel = rng.choice(NOISE)
            self.emit(type_, channel)
        if self.mood == "new":
            self.browse(rng.randint(1, 5))
            if roll < 0.2:
                self.emit("sample.opened", "web", book=rng.choice(BOOKS))
                self.mood = "interested"
            elif roll < 0.3:
                self.emit("wishlist.added", "web", book=rng.choice(BOOKS))
                self.mood = "interested"
            elif roll < 0.4:
                self.checkout()
            elif roll < 0.5:
                self.nudge("welcome_series", "email", "email.clicked", "email")
        elif self.mood == "interested":
            self.browse(rng.randint(1, 4))
            if roll < 0.35:
                self.checkout()
            elif roll < 0.45:
                self.emit("sample.opened", "web", book=rng.choice(BOOKS))
            elif roll < 0.5:
                self.emit("call.ended", "phone", outcome="enquiry")
        else:
            self.loyal_session(roll)

    def checkout(self) -> None:
        rng = self.rng
        self.emit("basket.added", "web", book=rng.choice(BOOKS), quantity=rng.randint(1, 3))
        if rng.random() < 0.12:
            self.emit("payment.failed", "web", reason=rng.choice(("declined", "3ds_timeout")))
        if rng.random() < 0.65:
            self.buy()
            return
        self.mood = "interested"  # abandoned; a reminder sometimes brings them back
        self.now += rng.randint(3, 40) * HOUR
        if rng.random() < 0.5:
            self.nudge("basket_reminder_email", "email", "email.clicked", "email")
        else:
            self.nudge("basket_reminder_sms", "sms", "sms.clicked", "sms")

    def buy(self, *, first: bool = False) -> dict[str, Any]:
        rng = self.rng
        self.orders += 1
        self.mood = "member" if self.mood == "member" else "buyer"
        total = round(rng.uniform(4, 60), 2) if rng.random() < 0.95 else 0
        roll = rng.random()
        if first or roll < 0.25:
            record = self.emit("pos.sale", "store", total=total, store="york")
        elif roll < 0.3:
            record = self.emit("call.ended", "phone", outcome="order", total=total)
        else:
            record = self.emit("order.placed", "web", total=total, currency="GBP")
        if rng.random() < 0.1:
            self.emit("email.delivered", "email", template="order_confirmation")
        return record

    def loyal_session(self, roll: float) -> None:
        """A session of someone who has bought at least once."""
        rng = self.rng
        self.browse(rng.randint(0, 3))
        if roll < 0.3:
            self.checkout()
        elif roll < 0.4 and self.mood != "member":
            self.emit("club.joined", "loyalty", tier=rng.choice(("paperback", "hardback")))
            self.mood = "member"
        elif roll < 0.5 and self.mood == "member":
            self.emit("points.redeemed", "loyalty", points=rng.choice((100, 250, 500)))
        elif roll < 0.6:
            self.emit("review.posted", "social", rating=rng.choice((1, 2, 3, 4, 4, 5, 5, 5)))
        elif roll < 0.64:
            self.emit("referral.sent", "web")
        elif roll < 0.7:
            self.emit(
                "ticket.opened",
                "support",
                category=rng.choice(COMPLAINTS),
                priority=rng.choice(("low", "normal", "high")),
            )
        elif roll < 0.73:
            self.emit("email.unsubscribed", "email", traits={"email_opt_out": True})
        elif roll < 0.8:
            action = "club_invite" if self.mood == "buyer" else "review_request"
            self.nudge(action, "email", "email.clicked", "email")
        if self.orders >= 5 and roll > 0.97:
            self.emit("pos.sale", "store", total=35.0, store="york", traits={"segment": "vip"})


class _Clock:
    """Formats epoch seconds as the three timestamp styles the export contains."""

    def __init__(self) -> None:
        self.days: dict[int, str] = {}

    def day(self, seconds: int) -> str:
        number = seconds // DAY
        text = self.days.get(number)
        if text is None:
            text = (datetime(1970, 1, 1) + timedelta(days=number)).strftime("%Y-%m-%dT")
            self.days[number] = text
        return text

    def format(self, seconds: int, roll: float) -> str | int:
        """Mostly `...Z`; 4% naive local-looking text; 3% epoch milliseconds."""
        if roll < 0.03:
            return seconds * 1000
        rest = seconds % DAY
        text = f"{self.day(seconds)}{rest // HOUR:02d}:{rest // MINUTE % 60:02d}:{rest % 60:02d}"
        return text if roll < 0.07 else text + "Z"


def _disorder(rng: random.Random, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Repeat a few records (same event id) and swap a few neighbours."""
    out: list[dict[str, Any]] = []
    for record in records:
        out.append(record)
        if rng.random() < 0.01:
            out.append(record)
    for index in range(len(out) - 1):
        if rng.random() < 0.03:
            out[index], out[index + 1] = out[index + 1], out[index]
    return out


def _bad_record(rng: random.Random, kind: str, customer_id: str, seconds: int) -> str:
    """One line the reader must reject, of the given kind."""
    if kind == "invalid_json":
        return f'{{"event_id": "evt-broken", "customer_id": "{customer_id}", "type": "page.vie'
    record: dict[str, Any] = {"event_id": f"evt-bad-{rng.randint(0, 99999):05d}"}
    if kind == "missing_customer":
        record["type"] = "page.viewed"
        record["timestamp"] = seconds * 1000
        record["page"] = "/"
    else:
        record["customer_id"] = customer_id
        record["type"] = "order.placed"
        record["timestamp"] = rng.choice(("yesterday", "2026-02-30T25:61:00Z", "31/12/2026"))
        record["total"] = 12.5
    return json.dumps(record)


def generate(customers: int, *, seed: int, start: date = DEFAULT_START) -> Generated:
    """Simulate `customers` readers over the export's days from `start`; return the lines."""
    rng = random.Random(seed)
    clock = _Clock()
    origin = int(
        (datetime(start.year, start.month, start.day) - datetime(1970, 1, 1)).total_seconds()
    )
    width = max(5, len(str(customers)))
    ids = [0]
    # A few bad records per thousand customers, at least one of each kind.
    kinds = ["missing_customer", "bad_timestamp"] * (customers // 1000 + 1) + ["invalid_json"]
    plan: dict[int, list[str]] = {}
    for kind in kinds:
        plan.setdefault(rng.randrange(customers), []).append(kind)

    result = Generated(lines=[], customers=customers)
    for number in range(customers):
        customer_id = f"cust-{number:0{width}d}"
        arrival = origin + rng.randrange(EXPORT_DAYS * DAY)
        reader = _Reader(rng, customer_id, arrival, origin + EXPORT_DAYS * DAY, ids)
        reader.live()
        for record in _disorder(rng, reader.records):
            line = dict(record)
            line["timestamp"] = clock.format(record["timestamp"], rng.random())
            result.lines.append(json.dumps(line))
        for kind in plan.get(number, ()):
            result.lines.append(_bad_record(rng, kind, customer_id, reader.now))
            result.bad_lines.setdefault(kind, []).append(len(result.lines))
    return result


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000, help="how many customers (5000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (42)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="where to write the JSONL file"
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=DEFAULT_START,
        help=f"first day of the {EXPORT_DAYS}-day export, YYYY-MM-DD (2026-01-01)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the file and say what was written."""
    args = _parse_args(argv)
    generated = generate(args.customers, seed=args.seed, start=args.start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="\n") as out:
        out.writelines(line + "\n" for line in generated.lines)
    print(
        f"wrote {len(generated.lines):,} records for {args.customers:,} customers to {args.out} "
        f"(seed {args.seed}; {generated.bad_line_count} bad records planted)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
