"""The facade users hold: load a journey once, then replay customers through it.

`Journey` pairs the compiled, immutable model with the engine's lookup tables and the
journey's timezone. Reading files happens here and in `customer_journey.readers`; the
model, DSL compiler and engine below never touch a file or a clock.

This is also the Python boundary: every public function checks its arguments here, once
per call, with the checks of `customer_journey._arguments`, and refuses a bad one with an
`ArgumentError` ("'name' must be X (got Y)").
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any

from customer_journey import _display, readers
from customer_journey._arguments import (
    check_count,
    check_flag,
    check_name,
    check_optional_time,
    check_path,
    check_records,
    check_time,
    check_weights,
    shown,
)
from customer_journey._batch import ReplayBatch, replay_batch, replay_file
from customer_journey._file_access import read_text
from customer_journey._runner import Runner, check_event_times
from customer_journey._timestamps import to_zone
from customer_journey._workers import FileInput, count_workers, path_of
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
from customer_journey.errors import ArgumentError
from customer_journey.model import Event, JourneyModel

__all__ = ["Journey", "from_mapping", "load", "loads"]

Records = Iterable[Event | Mapping[str, Any]]
#: What `replay_all`, `analyze` and `compare` read: records, an `EventSource`, or the path
#: of a JSON Lines, CSV or Parquet file.
Input = readers.EventSource | Records | str | os.PathLike[str]

_SOURCE = "text naming where the journey comes from"


def check_journey(name: str, value: object) -> Journey:
    """A `Journey`, as `load` gives."""
    if not isinstance(value, Journey):
        raise ArgumentError(
            f"'{name}' must be a Journey, such as customer_journey.load gives (got {shown(value)})"
        )
    return value


def open_events(
    journey: Journey, name: str, records: Input, *, strict: bool
) -> readers.EventSource:
    """The events of `records` (records, a source or a file), read with `journey`'s fields.

    Raises:
        ArgumentError: `records` is not something events can be read from.
    """
    check_records(name, records, files=True)
    if isinstance(records, readers.EventSource):
        return records
    if isinstance(records, (str, os.PathLike)):
        return journey.read_events(records, strict=strict)
    return journey.events_from(records, strict=strict)


def load(path: str | os.PathLike[str]) -> Journey:
    """Load and compile a journey file.

    Raises:
        ArgumentError: `path` is not a file path.
        JourneyError: the file has mistakes; every one is listed with its line and column.
        DataFileError: the file is missing, unreadable or not UTF-8 text.
    """
    name = os.fspath(check_path("path", path, "a journey file"))
    return loads(read_text(name), source=name)


def loads(text: str, *, source: str = "<string>") -> Journey:
    """Compile a journey from YAML text; `source` names it in error messages.

    Raises:
        ArgumentError: `text` or `source` is not text.
        JourneyError: the text has mistakes; every one is listed with its line and column.
    """
    if not isinstance(text, str):
        hint = "; decode it first: data.decode('utf-8')" if isinstance(text, bytes) else ""
        raise ArgumentError(f"'text' must be the text of a journey file (got {shown(text)}){hint}")
    check_name("source", source, _SOURCE)
    return Journey(compile_journey(text, source=source), text=text)


def from_mapping(data: Mapping[str, Any], *, source: str = "<mapping>") -> Journey:
    """Compile a journey from an already-parsed mapping (no line numbers in errors).

    Raises:
        ArgumentError: `data` is not a mapping, or `source` is not text.
        JourneyError: the journey has mistakes; every one is listed.
    """
    if not isinstance(data, Mapping):
        raise ArgumentError(
            "'data' must be a mapping of a journey's keys, such as yaml.safe_load gives "
            f"(got {shown(data)})"
        )
    check_name("source", source, _SOURCE)
    return Journey(
        compile_mapping(data, source=source), text=json.dumps(data, ensure_ascii=False, default=str)
    )


class Journey:
    """A compiled journey, ready to replay customers. Immutable and safe to share.

    Attributes:
        model: the compiled journey (stages, touchpoints, transitions, goals, actions).
        timezone: the zone naive timestamps are read in.
        text: the text it was compiled from (for `from_mapping`, the mapping as JSON, which
            is YAML too), so that a live store can keep it; None for a bare model.
    """

    __slots__ = ("_plan", "model", "text", "timezone")

    def __init__(self, model: JourneyModel, *, text: str | None = None) -> None:
        """Wrap a compiled model; `load`, `loads` and `from_mapping` are the usual way in.

        Raises:
            ArgumentError: `model` is not a `JourneyModel`.
        """
        if not isinstance(model, JourneyModel):
            raise ArgumentError(
                "'model' must be a JourneyModel, such as compile_journey gives "
                f"(got {shown(model)})"
            )
        self.model = model
        self.text = text
        self.timezone: tzinfo = to_zone(model.timezone)
        self._plan: ReplayPlan = build_plan(model)

    def __repr__(self) -> str:
        return f"<Journey '{self.name}' from {self.source}: {len(self.model.stages)} stages>"

    def _repr_html_(self) -> str | None:
        """The journey map in a notebook: phases as columns, stages and their transitions.

        Made by `customer_journey.render` (see `customer_journey._display`): None until it
        is imported, and Jupyter then shows the plain `repr`.
        """
        return _display.shown("journey", "text/html", self)

    def _repr_markdown_(self) -> str | None:
        """The journey as a Mermaid diagram, which JupyterLab draws (made by `render`)."""
        return _display.shown("journey", "text/markdown", self)

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
        """Read events from a JSONL, CSV or Parquet file with this journey's field mapping.

        Raises:
            ArgumentError: `path` is not a file path, `format` not text, `strict` not a bool.
            DataFileError: the file is missing, a directory, unreadable or corrupt.
            UnknownFormatError: the format is not one we read, or the suffix does not say.
        """
        if format is not None:
            check_name("format", format, "'jsonl', 'csv' or 'parquet'")
        return readers.from_file(
            check_path("path", path, "an events file"),
            fields=self.model.events,
            timezone=self.timezone,
            format=format,
            strict=check_flag("strict", strict),
        )

    def events_from(
        self, records: Records, *, strict: bool = False, source: str = "<records>"
    ) -> readers.EventSource:
        """Turn records (mappings or events) into events with this journey's field mapping.

        Raises:
            ArgumentError: `records` is a single record, a path (use `read_events`) or not
                iterable; `strict` is not a bool or `source` not text.
        """
        check_records("records", records, files=False)
        return readers.from_records(
            records,
            fields=self.model.events,
            timezone=self.timezone,
            source=check_name("source", source, "text naming where the records come from"),
            strict=check_flag("strict", strict),
        )

    def replay(
        self,
        events: Records | str | os.PathLike[str],
        as_of: datetime | str | None = None,
        *,
        customer: str | None = None,
        trace: bool = False,
        assign: Mapping[str, str] | None = None,
    ) -> ReplayResult:
        """Replay one customer's events and return their position as of `as_of`.

        `events` is a list (or any iterable) of mappings or `Event`s, in any order (ties
        keep their input order), or the path of a JSON Lines, CSV or Parquet file holding
        one customer's history. Mappings may leave out the customer field: `customer`
        (default `"customer"`) names them; a file's records must name their customer. The
        default `as_of` is the latest event's time; a naive datetime is read in the
        journey's timezone. `assign` (experiment -> arm) forces the customer's arms, as a
        scenario file's `assign` does.

        Raises:
            ArgumentError: `events` is a single event (wrap it in a list) or not iterable,
                holds several customers' events or an `Event` outside the years 1900 to
                2999 (or with a naive time); `as_of` is not a time in those years, there
                are no events and no `as_of`, or `customer` or `trace` is of the wrong kind.
            RecordError: a record cannot become an event.
            DataFileError: `events` names a file that cannot be read.
        """
        check_records("events", events, files=True)
        if customer is not None:
            check_name("customer", customer, "a customer id such as 'c1'")
        check_flag("trace", trace)
        moment = self._as_of(as_of)
        if isinstance(events, (str, os.PathLike)):
            source = self.read_events(events, strict=True)
        else:
            source = readers.from_records(
                events,
                fields=self.model.events,
                timezone=self.timezone,
                strict=True,
                default_customer=customer or "customer",
            )
        history = list(source)
        customers = sorted({event.customer for event in history})
        if len(customers) > 1:
            named = ", ".join(f"'{name}'" for name in customers[:3])
            more = ", ..." if len(customers) > 3 else ""
            msg = (
                f"'events' must be one customer's events (got {len(customers)} customers: "
                f"{named}{more}); use replay_all for many"
            )
            raise ArgumentError(msg)
        who = customers[0] if customers else customer or "customer"
        plan = self._plan.with_arms(_check_arms(self.model, assign)) if assign else self._plan
        runner = Runner(plan, trace=trace, name="events")
        return runner.replay(who, history, moment)[1]

    def next_best_actions(
        self,
        events: Records | str | os.PathLike[str],
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

        Raises:
            ArgumentError: `k` is not a whole number of 0 or more, `weights` does not map
                action ids to numbers of 0 or more, or `replay` refuses `events` or `as_of`.
            RecordError: a record cannot become an event.
        """
        if k is not None:
            check_count("k", k, 0)
        if weights is not None:
            check_weights(weights)
        offered = self.replay(events, as_of).next_actions
        if weights:
            offered = weigh_actions(offered, weights)
        return offered[:k]

    def replay_all(
        self,
        records: Input,
        as_of: datetime | str | None = None,
        *,
        strict: bool = False,
        trace: bool = False,
        workers: int | None = None,
    ) -> ReplayBatch:
        """Replay every customer in `records`, in any order, as of `as_of`.

        `records` is a list or any iterable of mappings or `Event`s, an `EventSource`, or
        the path of a JSON Lines, CSV or Parquet file (read with `read_events`). The
        default `as_of` is the latest event time in the whole input. Memory stays flat in
        the number of events when each customer's records are together; otherwise the
        input must be readable twice (a list or a file). Bad records are rejected, counted
        and listed in the batch's `rejections` (or raise at the first in `strict` mode).

        A file is replayed in `workers` processes (default: one per core for a file of
        1 MiB or more, else 1), each reading the whole file and replaying the customers
        whose id hashes to it; the batch is the same for any number. Anything but a file
        path (records, an iterable, an `EventSource`) is replayed in this process, since a
        worker could not read it again; so is a journey built from a bare model, which has
        no text to send.

        Raises:
            ArgumentError: `records` is a single record or not iterable, or holds an
                `Event` outside the years 1900 to 2999 or with a naive time; `as_of` is not
                a time in those years, `strict` or `trace` is not a bool, or `workers` is
                not a whole number of 1 or more.
            RecordError: a record cannot become an event, in `strict` mode.
            DataFileError: `records` names a file that cannot be read.
            UngroupedInputError: a one-shot stream comes back to a customer.
        """
        check_flag("trace", trace)
        check_flag("strict", strict)
        moment = self._as_of(as_of)
        path = path_of(records)
        processes = count_workers(workers, path)
        source = open_events(self, "records", records, strict=strict)
        if path is None or processes == 1 or not source.reiterable:
            return replay_batch(Runner(self._plan, trace=trace), source, moment)
        file = FileInput.of(path, source)
        return replay_file(self, file, moment, strict=strict, trace=trace, workers=processes)

    def start(self, customer: str, *, trace: bool = False) -> CustomerState:
        """Return the state of a customer before any event, for incremental replay.

        Raises:
            ArgumentError: `customer` is not a customer id, or `trace` not a bool.
        """
        check_name("customer", customer, "a customer id such as 'c1'")
        return CustomerState(customer, trace=check_flag("trace", trace))

    def step(self, state: CustomerState, event: Event | Mapping[str, Any]) -> CustomerState:
        """Return the state after one more event; `state` is left as it was.

        Events must come in time order (`OutOfOrderEventError` otherwise); stepping through
        a history gives exactly what `replay` gives. A mapping may leave out the customer.

        Raises:
            ArgumentError: `state` is not a state of this journey, or `event` is not a
                record or `Event` of the state's customer in the years 1900 to 2999.
            RecordError: the record cannot become an event.
            OutOfOrderEventError: the event is earlier than the state's clock.
        """
        self._check_state(state)
        if isinstance(event, Event):
            check_event_times("event", event.at)
        elif isinstance(event, Mapping):
            (event,) = readers.from_records(
                [event],
                fields=self.model.events,
                timezone=self.timezone,
                strict=True,
                default_customer=state.customer,
            )
        else:
            raise ArgumentError(
                f"'event' must be an event record (a mapping) or an Event (got {shown(event)})"
            )
        if event.customer != state.customer:
            raise ArgumentError(
                f"'event' must be an event of the state's customer '{state.customer}' "
                f"(got one of '{event.customer}')"
            )
        return step_state(self._plan, state, event)

    def advance(self, state: CustomerState, until: datetime | str) -> CustomerState:
        """Return the state with the timeouts due by `until` fired; `state` is left as it was.

        Raises:
            ArgumentError: `state` is not a state of this journey, or `until` is not a
                time in the years 1900 to 2999.
        """
        self._check_state(state)
        return advance_state(self._plan, state, check_time("until", until, self.timezone))

    def position(self, state: CustomerState, as_of: datetime | str | None = None) -> ReplayResult:
        """Describe a state as of `as_of` (default: its last event), firing due timeouts.

        Raises:
            ArgumentError: `state` is not a state of this journey; `as_of` is not a time in
                the years 1900 to 2999, is earlier than the state's last event, or is
                missing for a state without events.
        """
        self._check_state(state)
        moment = self._as_of(as_of)
        if moment is None:
            if state.clock is None:
                msg = "'as_of' must be a time for a customer without events (got None)"
                raise ArgumentError(msg)
            moment = state.clock
        elif state.clock is not None and moment < state.clock:
            msg = (
                f"'as_of' must not be earlier than the last event applied, "
                f"{state.clock.isoformat()} (got {moment.isoformat()}); "
                "replay the events up to it instead"
            )
            raise ArgumentError(msg)
        return Runner(self._plan).describe(state.copy(), moment)

    def _as_of(self, value: object) -> datetime | None:
        """Read an `as_of` (None when left out); naive ones are in the journey's timezone."""
        return check_optional_time("as_of", value, self.timezone)

    def _check_state(self, state: object) -> None:
        """A state from `start` or `step` of this journey (its stage is one of ours)."""
        if not isinstance(state, CustomerState):
            raise ArgumentError(
                f"'state' must be a CustomerState, such as Journey.start gives (got {shown(state)})"
            )
        if state.stage is not None and state.stage not in self.model.stages:
            raise ArgumentError(
                f"'state' must be a state of journey '{self.name}' "
                f"(got one in stage '{state.stage}', which it does not have)"
            )


def _check_arms(model: JourneyModel, assign: object) -> dict[str, str]:
    """The arms `assign` forces (experiment -> arm), each an arm of one of `model`'s experiments.

    Raises:
        ArgumentError: `assign` is not such a mapping.
    """
    example = "a mapping of experiments to their arms, such as {'trial_offer': 'discount'}"
    if not isinstance(assign, Mapping):
        raise ArgumentError(f"'assign' must be {example} (got {shown(assign)})")
    for experiment, arm in assign.items():
        found = model.experiments.get(experiment) if isinstance(experiment, str) else None
        if found is None or arm not in found.arms:
            got = f"{shown(experiment)}: {shown(arm)}"
            raise ArgumentError(f"'assign' must be {example} (got {got})")
    return dict(assign)
