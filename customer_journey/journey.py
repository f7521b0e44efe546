"""The facade users hold: load a journey once, then replay customers through it.

`Journey` pairs the compiled, immutable model with the engine's lookup tables and the
journey's timezone. Reading files happens here and in `customer_journey.readers`; the
model, DSL compiler and engine below never touch a file or a clock.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from operator import attrgetter
from pathlib import Path
from typing import Any

from customer_journey import readers
from customer_journey._batch import ReplayBatch, replay_source
from customer_journey._timestamps import parse_timestamp, to_zone
from customer_journey.dsl import compile_journey, compile_mapping
from customer_journey.engine import (
    CustomerState,
    Recommendation,
    ReplayPlan,
    ReplayResult,
    build_plan,
    weigh_actions,
)
from customer_journey.engine import advance as advance_state
from customer_journey.engine import step as step_state
from customer_journey.engine._replay import advance_to, fold, result_of
from customer_journey.model import Event, JourneyModel

__all__ = ["Journey", "from_mapping", "load", "loads"]

Records = Iterable[Event | Mapping[str, Any]]


def load(path: str | os.PathLike[str]) -> Journey:
    """Load and compile a journey file.

    Raises:
        JourneyError: the file has mistakes; every one is listed with its line and column.
        FileNotFoundError: there is no such file.
    """
    file = Path(path)
    return loads(file.read_text(encoding="utf-8"), source=str(path))


def loads(text: str, *, source: str = "<string>") -> Journey:
    """Compile a journey from YAML text; `source` names it in error messages."""
    return Journey(compile_journey(text, source=source))


def from_mapping(data: Mapping[str, Any], *, source: str = "<mapping>") -> Journey:
    """Compile a journey from an already-parsed mapping (no line numbers in errors)."""
    return Journey(compile_mapping(data, source=source))


class Journey:
    """A compiled journey, ready to replay customers. Immutable and safe to share.

    Attributes:
        model: the compiled journey (stages, touchpoints, transitions, goals, actions).
        timezone: the zone naive timestamps are read in.
    """

    __slots__ = ("_plan", "model", "timezone")

    def __init__(self, model: JourneyModel) -> None:
        self.model = model
        self.timezone: tzinfo = to_zone(model.timezone)
        self._plan: ReplayPlan = build_plan(model)

    def __repr__(self) -> str:
        return f"<Journey '{self.name}' from {self.source}: {len(self.model.stages)} stages>"

    def _repr_html_(self) -> str:
        """The journey map in a notebook: phases as columns, stages and their transitions."""
        from customer_journey.render import journey_html  # noqa: PLC0415 - render sits above

        return journey_html(self)

    def _repr_markdown_(self) -> str:
        """The journey as a Mermaid diagram, which JupyterLab draws."""
        from customer_journey.render import mermaid  # noqa: PLC0415 - render sits above

        return f"```mermaid\n{mermaid(self)}```\n"

    @property
    def name(self) -> str:
        """The journey's identifier (the `journey` key)."""
        return self.model.name

    @property
    def source(self) -> str:
        """Where the journey was loaded from."""
        return self.model.source

    def read_events(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        strict: bool = False,
    ) -> readers.EventSource:
        """Read events from a JSONL, CSV or Parquet file with this journey's field mapping."""
        return readers.from_file(
            path, fields=self.model.events, timezone=self.timezone, format=format, strict=strict
        )

    def events_from(
        self, records: Records, *, strict: bool = False, source: str = "<records>"
    ) -> readers.EventSource:
        """Turn records (mappings or events) into events with this journey's field mapping."""
        return readers.from_records(
            records, fields=self.model.events, timezone=self.timezone, source=source, strict=strict
        )

    def replay(
        self,
        events: Records,
        as_of: datetime | str | None = None,
        *,
        customer: str | None = None,
        trace: bool = False,
    ) -> ReplayResult:
        """Replay one customer's events and return their position as of `as_of`.

        Events may come in any order; ties keep their input order. Mappings may leave out
        the customer field: `customer` (default `"customer"`) names them. The default
        `as_of` is the latest event's time.

        Raises:
            RecordError: a record cannot become an event.
            ValueError: the events belong to several customers, or there are no events and
                no `as_of`.
        """
        source = readers.from_records(
            events,
            fields=self.model.events,
            timezone=self.timezone,
            strict=True,
            default_customer=customer or "customer",
        )
        history = sorted(source, key=attrgetter("at"))
        customers = {event.customer for event in history}
        if len(customers) > 1:
            msg = (
                f"replay takes one customer's events (got {len(customers)} customers); "
                "use replay_all for many"
            )
            raise ValueError(msg)
        moment = self._as_of(as_of)
        if moment is None:
            if not history:
                msg = "replay needs events or an as_of"
                raise ValueError(msg)
            moment = history[-1].at
        who = customers.pop() if customers else customer or "customer"
        state = CustomerState(who, trace=trace)
        fold(self._plan, state, [event for event in history if event.at <= moment])
        advance_to(self._plan, state, moment)
        return result_of(self._plan, state, moment)

    def next_best_actions(
        self,
        events: Records,
        as_of: datetime | str | None = None,
        *,
        k: int | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> tuple[Recommendation, ...]:
        """The best `k` (default: all) eligible actions for one customer as of `as_of`.

        A shortcut for `replay(events, as_of).next_actions`; the full result also says
        which candidates were held back and why (`suppressed`). With `weights` (action ->
        weight, e.g. `Analysis.action_weights()`), actions rank by priority * weight
        instead of by priority alone; eligibility is unchanged.
        """
        offered = self.replay(events, as_of).next_actions
        if weights:
            offered = weigh_actions(offered, weights)
        return offered[:k]

    def replay_all(
        self,
        records: readers.EventSource | Records,
        as_of: datetime | str | None = None,
        *,
        strict: bool = False,
        trace: bool = False,
    ) -> ReplayBatch:
        """Replay every customer in `records`, in any order, as of `as_of`.

        The default `as_of` is the latest event time in the whole input. Memory stays flat
        in the number of events when each customer's records are together; otherwise the
        input must be readable twice (a list or a file). Bad records are rejected, counted
        and listed in the batch's `rejections` (or raise at the first in `strict` mode).
        """
        source = (
            records
            if isinstance(records, readers.EventSource)
            else self.events_from(records, strict=strict)
        )
        return replay_source(self._plan, source, self._as_of(as_of), trace=trace)

    def start(self, customer: str, *, trace: bool = False) -> CustomerState:
        """Return the state of a customer before any event, for incremental replay."""
        return CustomerState(customer, trace=trace)

    def step(self, state: CustomerState, event: Event | Mapping[str, Any]) -> CustomerState:
        """Return the state after one more event; `state` is left as it was.

        Events must come in time order (`OutOfOrderEventError` otherwise); stepping through
        a history gives exactly what `replay` gives.
        """
        if not isinstance(event, Event):
            (event,) = readers.from_records(
                [event],
                fields=self.model.events,
                timezone=self.timezone,
                strict=True,
                default_customer=state.customer,
            )
        return step_state(self._plan, state, event)

    def advance(self, state: CustomerState, until: datetime | str) -> CustomerState:
        """Return the state with the timeouts due by `until` fired; `state` is left as it was."""
        moment = self._as_of(until)
        assert moment is not None
        return advance_state(self._plan, state, moment)

    def position(self, state: CustomerState, as_of: datetime | str | None = None) -> ReplayResult:
        """Describe a state as of `as_of` (default: its last event), firing due timeouts."""
        moment = self._as_of(as_of)
        if moment is None:
            if state.clock is None:
                msg = "position needs an as_of for a customer without events"
                raise ValueError(msg)
            moment = state.clock
        elif state.clock is not None and moment < state.clock:
            msg = "as_of is earlier than the last event applied; replay the events up to it instead"
            raise ValueError(msg)
        return result_of(self._plan, advance_state(self._plan, state, moment), moment)

    def _as_of(self, value: datetime | str | None) -> datetime | None:
        """Read an `as_of` given as a datetime or text; naive ones are in the journey's zone."""
        return None if value is None else parse_timestamp(value, self.timezone)
