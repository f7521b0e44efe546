"""The seeded benchmark workload for the reference retail journey.

Records are plain dicts with ISO 8601 UTC timestamps (`...Z`), grouped by customer and in
time order within each customer, as an export from an event pipeline would be. Each
simulated customer arrives (ad, social, site, newsletter, email; some straight at the
till), browses, views prices, fills carts, orders online or in the store, joins the
loyalty programme, reviews, refers, complains, closes their account, goes quiet, and is
sent marketing actions (`action.performed`). About one record in seven is noise: a type
no touchpoint matches. The same arguments always give the same records.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
#: The reference journey, beside the repository (../shared relative to the repo root).
RETAIL_JOURNEY = REPO.parent / "shared" / "dsl" / "retail.journey.yaml"

HOUR = 3600
DAY = 24 * HOUR
END = int((datetime(2026, 1, 1) - datetime(1970, 1, 1)).total_seconds())  # the export's end
QUIET = 60 * DAY  # mean time since a customer's last event, at the end of the export

PAGES = ("/", "/products/boots", "/products/jacket", "/products/scarf", "/sale", "/stores")
PRICING = ("/pricing", "/plans")
NOISE = (
    ("search.performed", "web"),
    ("email.opened", "email"),
    ("email.delivered", "email"),
    ("product.recommended", "web"),
    ("app.opened", "push"),
    ("sms.delivered", "sms"),
)
ENTRIES = (
    ("ad.clicked", "paid_ads"),
    ("ad.clicked", "paid_ads"),
    ("social.engaged", "social"),
    ("page.viewed", "web"),
    ("page.viewed", "web"),
    ("newsletter.subscribed", "email"),
    ("email.clicked", "email"),
)
EARLY_ACTIONS = ("welcome_series", "retarget_ad", "comparison_guide", "live_chat_offer")
LATE_ACTIONS = ("loyalty_invite", "review_request", "referral_program", "winback_offer")


def use_working_tree() -> None:
    """Import customer_journey from this checkout, whatever the environment has installed."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


class _Customer:
    """One simulated customer and the records they leave, up to an event budget."""

    def __init__(self, rng: random.Random, number: int, budget: int) -> None:
        self.rng = rng
        self.id = f"c{number:06d}"
        self.budget = budget
        self.now = 0
        self.sequence = 0
        self.records: list[dict[str, Any]] = []
        self.bought = False

    @property
    def done(self) -> bool:
        return len(self.records) >= self.budget

    def emit(self, type_: str, channel: str, attributes: dict[str, Any] | None = None) -> None:
        self.sequence += 1
        self.now += self.rng.randrange(5, 600)
        record = {
            "event_id": f"{self.id}-{self.sequence}",
            "customer_id": self.id,
            "type": type_,
            "timestamp": self.now,
            "channel": channel,
        }
        if attributes:
            record.update(attributes)
        self.records.append(record)

    def live(self) -> None:
        rng = self.rng
        traits = {"email_opt_out": rng.random() < 0.1, "segment": rng.choice(("new", "vip"))}
        if rng.random() < 0.1:
            self.purchase()
        else:
            type_, channel = rng.choice(ENTRIES)
            self.emit(type_, channel, {"page": "/"} if type_ == "page.viewed" else None)
        self.records[0]["traits"] = traits
        while not self.done:
            roll = rng.random()
            if roll < 0.002:
                self.emit("account.closed", "web")
                return
            if roll < 0.04:  # a long silence: the journey's timeouts fire
                self.now += rng.randrange(25, 200) * DAY
            else:
                self.now += rng.randrange(HOUR, 12 * DAY)
            self.session()

    def session(self) -> None:
        rng = self.rng
        for _ in range(rng.randrange(1, 6)):
            roll = rng.random()
            if roll < 0.55:
                self.emit("page.viewed", "web", {"page": rng.choice(PAGES)})
            elif roll < 0.7:
                self.emit("page.viewed", "web", {"page": rng.choice(PRICING)})
            else:
                type_, channel = rng.choice(NOISE)
                self.emit(type_, channel)
        roll = rng.random()
        if roll < 0.12:
            self.emit("cart.added", "web", {"sku": f"sku-{rng.randrange(500)}"})
            if rng.random() < 0.1:
                self.emit("payment.failed", "web", {"reason": "declined"})
            if rng.random() < 0.55:
                self.purchase()
        elif roll < 0.16:
            self.purchase()
        elif roll < 0.2:
            actions = LATE_ACTIONS if self.bought else EARLY_ACTIONS
            self.emit("action.performed", "email", {"action": rng.choice(actions)})
            if rng.random() < 0.3:
                self.emit("email.clicked", "email")
        elif roll < 0.22:
            self.emit("newsletter.subscribed", "email")
        elif roll < 0.24:
            self.emit("social.engaged", "social")
        elif self.bought:
            self.after_purchase(roll)

    def purchase(self) -> None:
        rng = self.rng
        total = round(rng.uniform(5, 250), 2) if rng.random() < 0.97 else 0
        if rng.random() < 0.3:
            self.emit("pos.sale", "store", {"total": total, "store": f"s{rng.randrange(40)}"})
        else:
            self.emit("order.completed", "web", {"total": total, "currency": "EUR"})
        self.bought = True

    def after_purchase(self, roll: float) -> None:
        rng = self.rng
        if roll < 0.27:
            self.emit("loyalty.joined", "loyalty")
        elif roll < 0.31:
            self.emit("review.posted", "social", {"rating": rng.randrange(1, 6)})
        elif roll < 0.32:
            self.emit("referral.sent", "web")
        elif roll < 0.35:
            outcome = "complaint" if rng.random() < 0.4 else "question"
            self.emit("call.ended", "phone", {"outcome": outcome})


def build_records(customers: int, events: int, seed: int) -> list[dict[str, Any]]:
    """Simulate `customers` customers with about `events` records in all."""
    rng = random.Random(seed)
    mean = events / customers
    days: dict[int, str] = {}
    records: list[dict[str, Any]] = []
    for number in range(customers):
        budget = max(2, round(rng.expovariate(1 / mean)))
        customer = _Customer(rng, number, budget)
        customer.live()
        # Simulated from time 0, then shifted so the last event falls some time before END.
        shift = END - int(rng.expovariate(1 / QUIET)) - customer.now
        for record in customer.records:
            seconds = record["timestamp"] + shift
            day, rest = divmod(seconds, DAY)
            prefix = days.get(day)
            if prefix is None:
                prefix = (datetime(1970, 1, 1) + timedelta(days=day)).strftime("%Y-%m-%dT")
                days[day] = prefix
            hours, rest = divmod(rest, HOUR)
            record["timestamp"] = f"{prefix}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"
        if rng.random() < 0.01:  # a pipeline delivered one record twice
            records.append(dict(rng.choice(customer.records)))
        records.extend(customer.records)
    return records


def write_jsonl(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write records one JSON object per line; return how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(json.dumps(record))
            out.write("\n")
            count += 1
    return count
