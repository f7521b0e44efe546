"""Journey and scenario files, mutated: the strategies, and what each mutant must survive.

Mutants start from valid files (the shipped examples, a seed in `seeds/` whose timeouts
form a cycle, and the reference files in `../shared/dsl`, read where they are) and change
them at two levels:

- the parsed YAML tree: a node replaced by an odd value, deleted, duplicated (the same
  object twice, which YAML writes as an anchor and an alias), swapped with another, its key
  renamed, its shape changed (a list where a mapping belongs), or replaced by raw YAML text
  (deep nesting, alias fan-out, recursive aliases, merge keys, tags, odd plain scalars);
  durations, regexes, timestamps and conditions are also aimed at directly, in one place
  or in every place at once;
- the text: a line deleted, duplicated (a duplicate key) or swapped, an odd character
  inserted, the text cut short, line ends changed.

A journey mutant must load or raise `JourneyError` (and, written as a file whose bytes are
not all UTF-8, `load` must raise our own error); one that loads is linted and replays a
small generated history, with an `as_of` that may be odd, without anything escaping. A
scenario mutant is run beside its (unchanged) journey and must run or raise our own errors.
"""

from __future__ import annotations

import copy
import functools
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from fuzz_support import ROOT, SHARED, EscapeError, Target, compact, guarded
from fuzz_values import (
    ODD_DURATIONS,
    ODD_REGEXES,
    ODD_TIMESTAMPS,
    RawEvent,
    as_of_values,
    event_types,
    histories,
    odd_values,
    pick,
    spell,
)
from hypothesis import strategies as st

import customer_journey as cj
from customer_journey.checks import lint
from customer_journey.errors import ArgumentError
from customer_journey.testing import run_scenario_file

#: The shipped examples, and a seed of our own whose timeouts lead back to each other.
EXAMPLE_JOURNEYS = (
    ROOT / "docs" / "examples" / "trial.journey.yaml",
    ROOT / "examples" / "bookshop.journey.yaml",
    Path(__file__).parent / "seeds" / "timeouts.journey.yaml",
)
SHARED_JOURNEYS = (SHARED / "retail.journey.yaml", SHARED / "streaming.journey.yaml")
SHIPPED_SCENARIOS = (ROOT / "docs" / "examples" / "trial.scenarios.yaml",)
SHARED_SCENARIOS = (SHARED / "retail.scenarios.yaml", SHARED / "streaming.scenarios.yaml")

DURATION_KEYS = frozenset(("after", "within", "expected_duration", "cooldown", "per"))
CONDITION_KEYS = frozenset(("where", "if"))
TIMESTAMP_KEYS = frozenset(("as_of", "at"))
NUMBER_KEYS = frozenset(("times", "max", "priority", "version"))
DEPTHS = (100, 1000, 10_000)
ODD_KEYS: tuple[Any, ...] = ("", "x" * 10_000, "a.b", "é", "<<", None, 1, True, 1.5)
#: Raw YAML put where a value was: nesting, aliases, tags, plain scalars YAML 1.1 reads oddly.
ODD_YAML = (
    "&r [*r]",
    "&r {a: *r}",
    "&r {not: *r}",
    "[&m {a: 1}, {<<: *m, b: 2}]",
    "*undefined",
    "!!binary aGk=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!python/tuple [1]",
    "!custom x",
    "!!timestamp 2026-01-01",
    "!!int 99999999999999999999999",
    "1" + "0" * 5000,
    "'" + "x" * 6_000_000 + "'",
    "0x1F",
    "1_000",
    "12:30:00",
    "~",
    "yes",
    "=",
    '"\\x"',
)
#: Condition shapes with odd operands (the raw YAML of a `where` or `if`).
ODD_CONDITIONS = (
    "{page: {gt: .nan}}",
    "{total: {between: [5, 1]}}",
    "{total: {between: [1]}}",
    "{page: {in: []}}",
    "{page: {in: 5}}",
    "{page: {matches: 5}}",
    "{page: {unknown_op: 1}}",
    "{page: {exists: maybe}}",
    "{page: {eq: {a: 1}}}",
    "{all: []}",
    "{any: {}}",
    "{not: [a]}",
    "{'': 1}",
    "{time_in_stage: {gte: 99999999999d}}",
    "{count.nothing: {gte: 1}}",
)


class Seed(NamedTuple):
    """A valid file to mutate: its path, text and parsed tree."""

    path: Path
    text: str
    tree: Any


@functools.cache
def read_seed(path: Path) -> Seed:
    """Read and parse a seed file once."""
    text = path.read_text(encoding="utf-8")
    return Seed(path, text, yaml.safe_load(text))


def missing(paths: tuple[Path, ...]) -> str | None:
    """Why seeds cannot be read here (the first missing file), or None."""
    for path in paths:
        if not path.is_file():
            return f"the reference file {path} is missing (../shared is not beside the repo)"
    return None


def dump(tree: Any) -> str:
    """Write a tree out as block YAML, keys in file order, one value per line."""
    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True, width=1 << 30)


def nested(kind: str, depth: int) -> str:
    """YAML nested `depth` deep, on one line (flow style, as a marketer could write it)."""
    if kind == "list":
        return "[" * depth + "]" * depth
    if kind == "map":
        return "{a: " * depth + "1" + "}" * depth
    if kind == "not":
        return "{not: " * depth + "{page: x}" + "}" * depth
    return "{all: [" * depth + "{page: x}" + "]}" * depth


def alias_bomb(levels: int, fan: int) -> str:
    """Anchors that each repeat the one before `fan` times: `fan ** levels` leaves."""
    text = "&l0 [" + ", ".join(["x"] * fan) + "]"
    for level in range(1, levels + 1):
        text = f"&l{level} [{text}" + f", *l{level - 1}" * (fan - 1) + "]"
    return text


_RAW_YAML = st.one_of(
    st.builds(nested, st.sampled_from(("list", "map", "not", "all")), pick(DEPTHS)),
    st.builds(alias_bomb, st.integers(1, 9), st.integers(2, 10)),
    pick(ODD_YAML),
    pick(ODD_CONDITIONS),
)


def _paths(node: Any, keys: frozenset[str], at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every value whose key is one of `keys`, in document order."""
    found: list[tuple[Any, ...]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        if key in keys:
            found.append((*at, key))
        found.extend(_paths(value, keys, (*at, key)))
    return found


def _walk(draw: st.DrawFn, tree: Any) -> tuple[Any, ...]:
    """A path into `tree`, going deeper at random (the root when shrunk)."""
    path: tuple[Any, ...] = ()
    node = tree
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 4)) > 0:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = keys[draw(st.integers(0, len(keys) - 1))]
        path, node = (*path, key), node[key]
    return path


def _get(tree: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        tree = tree[key]
    return tree


class _Mutant:
    """A tree being mutated, and the raw YAML each placeholder in it stands for."""

    def __init__(self, tree: Any) -> None:
        self.root = {"root": copy.deepcopy(tree)}
        self.raw: dict[str, str] = {}

    def set(self, path: tuple[Any, ...], value: Any) -> None:
        parent = _get(self.root, ("root", *path[:-1])) if path else self.root
        parent[path[-1] if path else "root"] = value

    def placeholder(self, text: str) -> str:
        name = f"__fuzz{len(self.raw)}__"
        self.raw[name] = text
        return name

    def text(self) -> str:
        dumped = dump(self.root["root"])
        for name, raw in self.raw.items():
            dumped = dumped.replace(name, raw)
        return dumped


def _mutate(draw: st.DrawFn, mutant: _Mutant) -> None:
    """Apply one tree operation, chosen by hypothesis, to `mutant`."""
    tree = mutant.root["root"]
    operation = draw(
        st.sampled_from(
            (
                *("odd", "raw", "duration", "regex", "timestamp", "condition", "number"),
                *("delete", "duplicate", "swap", "rename", "reshape"),
            )
        )
    )
    aimed = {
        "duration": (DURATION_KEYS, pick(ODD_DURATIONS)),
        "timestamp": (TIMESTAMP_KEYS, pick(ODD_TIMESTAMPS)),
        "number": (NUMBER_KEYS, odd_values()),
        "regex": (CONDITION_KEYS, pick(ODD_REGEXES).map(lambda r: {"page": {"matches": r}})),
        "condition": (CONDITION_KEYS, pick(ODD_CONDITIONS).map(mutant.placeholder)),
    }
    if operation in aimed:
        keys, values = aimed[operation]
        targets = _paths(tree, keys)
        if targets:
            # One place, or every place at once (say every duration `0s`: a timeout cycle).
            chosen = targets if draw(st.booleans()) else [draw(st.sampled_from(targets))]
            value = draw(values)
            for path in reversed(chosen):  # the deepest first: an outer one may replace it
                mutant.set(path, copy.deepcopy(value))
            return
        operation = "odd"
    path = _walk(draw, tree)
    node = _get(tree, path)
    parent = _get(tree, path[:-1]) if path else None
    if operation == "odd":
        mutant.set(path, copy.deepcopy(draw(odd_values())))  # the pools are shared
    elif operation == "raw":
        mutant.set(path, mutant.placeholder(draw(_RAW_YAML)))
    elif operation == "delete" and parent is not None:
        del parent[path[-1]]
    elif operation == "duplicate" and isinstance(parent, list):
        parent.insert(path[-1], node)  # the same object twice: an anchor and an alias
    elif operation == "duplicate" and isinstance(parent, dict):
        other = draw(st.sampled_from(list(parent)))
        parent[other] = node
    elif operation == "swap":
        other_path = _walk(draw, tree)
        if other_path[: len(path)] != path and path[: len(other_path)] != other_path:
            other = _get(tree, other_path)
            mutant.set(path, other)
            mutant.set(other_path, node)
    elif operation == "rename" and isinstance(parent, dict):
        parent[draw(pick(ODD_KEYS))] = parent.pop(path[-1])
    elif operation == "reshape":
        if isinstance(node, dict):
            mutant.set(path, list(node.values()) if draw(st.booleans()) else list(node.items()))
        elif isinstance(node, list):
            mutant.set(path, {str(index): item for index, item in enumerate(node)})
        else:
            mutant.set(path, [node])


_ODD_CHARACTERS = (
    "\t",
    "\x00",
    "\ufeff",
    "\r",
    "\x85",
    "\u2028",
    "\udc80",
    "\x1b",
    '"',
    "&",
    "*",
    ":",
    "\n  ",
)


@st.composite
def _text_mutation(draw: st.DrawFn, text: str) -> str:
    """Apply one text operation, chosen by hypothesis, to `text`."""
    lines = text.split("\n")
    operation = draw(
        st.sampled_from(("delete", "duplicate", "swap", "insert", "cut", "crlf", "cr"))
    )
    one = draw(st.integers(0, len(lines) - 1))
    if operation == "delete":
        del lines[one]
    elif operation == "duplicate":
        lines.insert(one, lines[one])
    elif operation == "swap":
        two = draw(st.integers(0, len(lines) - 1))
        lines[one], lines[two] = lines[two], lines[one]
    elif operation == "insert":
        line = lines[one]
        at = draw(st.integers(0, len(line)))
        lines[one] = line[:at] + draw(pick(_ODD_CHARACTERS)) + line[at:]
    elif operation == "cut":
        return text[: draw(st.integers(0, len(text)))]
    else:
        return text.replace("\n", "\r\n" if operation == "crlf" else "\r")
    return "\n".join(lines)


@st.composite
def mutants(draw: st.DrawFn, paths: tuple[Path, ...]) -> tuple[Path, str]:
    """A seed's path and a mutant of its text (no change at all, when shrunk)."""
    seed = read_seed(draw(st.sampled_from(paths)))
    text = seed.text
    # Weighted towards few changes: a mutant that still loads is what reaches the engine.
    operations = draw(st.sampled_from((0, 1, 1, 1, 2, 3)))
    if operations:
        mutant = _Mutant(seed.tree)
        for _ in range(operations):
            _mutate(draw, mutant)
        text = mutant.text()
    for _ in range(draw(st.sampled_from((0, 0, 0, 1, 2)))):
        text = draw(_text_mutation(text))
    return seed.path, text


class JourneyCase(NamedTuple):
    """A journey mutant, and a history (with an `as_of`) to replay through it if it loads."""

    seed: Path
    text: str
    history: list[RawEvent]
    as_of: Any

    def __repr__(self) -> str:
        shown = f"{self.seed.name!r}, {compact(repr(self.text))}, {compact(self.history)}"
        return f"JourneyCase({shown}, as_of={compact(self.as_of)})"


@st.composite
def journey_cases(draw: st.DrawFn, paths: tuple[Path, ...]) -> JourneyCase:
    """Journey mutants of the seeds at `paths`, each with a small history and an `as_of`."""
    seed, text = draw(mutants(paths))
    return JourneyCase(seed, text, draw(histories(python=True)), draw(as_of_values()))


def check_journey(case: JourneyCase) -> None:
    """The mutant loads or raises `JourneyError`; if it loads, lint and replay escape nothing."""
    source = case.seed.name
    if _has_surrogates(case.text):  # as a file, that is bytes which are not UTF-8
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / source
            path.write_bytes(case.text.encode("utf-8", "surrogatepass"))
            guarded(lambda: cj.load(path))
    loaded = guarded(lambda: cj.loads(case.text, source=source), text=case.text, source=source)
    if not isinstance(loaded, cj.Journey):
        if not isinstance(loaded, cj.JourneyError):
            kind = type(loaded).__name__
            raise EscapeError(f"loads raised {kind}, not JourneyError", "wrong-error")
        return
    guarded(lambda: lint(loaded.model), allowed=())
    replay_history(loaded, case.history, case.as_of)


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def replay_history(journey: cj.Journey, history: list[RawEvent], as_of: Any) -> None:
    """Replay a history through a journey every way the facade offers; nothing escapes.

    `replay_all` rejects bad records and may refuse only an odd `as_of` (`ArgumentError`);
    the one-customer calls may also raise `RecordError` (they are strict).
    """
    types = event_types(journey.model)
    records = [spell(raw, journey.model.events, types) for raw in history]
    refusable = () if as_of is None else (ArgumentError,)
    batch = guarded(lambda: journey.replay_all(records, as_of), allowed=refusable)
    if isinstance(batch, cj.ReplayBatch):
        guarded(lambda: [result.to_dict() for result in batch], allowed=())
        totals = batch.totals
        if totals.read != totals.accepted + totals.rejected:
            raise EscapeError(f"replay_all totals do not add up: {totals}", "balance")
        if totals.accepted != totals.events + totals.duplicates + totals.after_as_of:
            raise EscapeError(f"accepted events are not all accounted for: {totals}", "balance")
    mine = [record for record in records if record.get(journey.model.events.customer) == "c0"]
    moment = as_of or "2026-04-01T00:00:00Z"
    guarded(lambda: journey.replay(mine, moment, trace=True).to_dict())
    guarded(lambda: journey.next_best_actions(mine, moment))
    guarded(lambda: _step_through(journey, mine, moment))


def _step_through(journey: cj.Journey, records: list[dict[str, Any]], as_of: Any) -> None:
    """The incremental calls: start, a step per record, advance, position."""
    state = journey.start("c0")
    for record in records:
        state = journey.step(state, record)
    journey.position(journey.advance(state, as_of), as_of).to_dict()


class ScenarioCase(NamedTuple):
    """A scenario file mutant, and the journey file that must sit beside it."""

    seed: Path
    text: str

    def __repr__(self) -> str:
        return f"ScenarioCase({self.seed.name!r}, {compact(repr(self.text))})"


@st.composite
def scenario_cases(draw: st.DrawFn, paths: tuple[Path, ...]) -> ScenarioCase:
    """Mutants of the scenario files at `paths`."""
    return ScenarioCase(*draw(mutants(paths)))


def check_scenarios(case: ScenarioCase) -> None:
    """The scenario mutant runs beside its journey, or raises only our own errors."""
    journey_name = read_seed(case.seed).tree["journey"]
    with tempfile.TemporaryDirectory() as folder:
        journey = case.seed.parent / journey_name
        (Path(folder) / journey_name).write_text(journey.read_text(encoding="utf-8"), "utf-8")
        path = Path(folder) / case.seed.name
        path.write_text(case.text, encoding="utf-8", errors="surrogatepass")
        guarded(lambda: run_scenario_file(path), text=case.text, source=str(path))


TARGETS = (
    Target("journey mutants", "dsl", journey_cases(EXAMPLE_JOURNEYS), check_journey),
    Target(
        "shared journey mutants",
        "dsl",
        journey_cases(SHARED_JOURNEYS),
        check_journey,
        lambda: missing(SHARED_JOURNEYS),
    ),
    Target("scenario mutants", "dsl", scenario_cases(SHIPPED_SCENARIOS), check_scenarios),
    Target(
        "shared scenario mutants",
        "dsl",
        scenario_cases(SHARED_SCENARIOS),
        check_scenarios,
        lambda: missing(SHARED_SCENARIOS),
    ),
)
