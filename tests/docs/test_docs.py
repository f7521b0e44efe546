"""The documentation is exact: its examples run, and its tables and codes match the code.

- Every ```python block of a page runs, in order, in one fresh namespace per page, from the
  repository root; a block after a `<!-- skip -->` line is not run, and a ```text block
  after an `<!-- output -->` line must equal what the python block before it printed. A
  block after `<!-- raises -->` must raise, and its output ends with the error as Python
  shows it, `Name: message`. A python block with a title is not a step of the page: it
  builds the example file the title names (see (c)).
- The key tables of the marketer guide list exactly the keys of the JSON Schema.
- The error reference has three parts (problems, rejected records, raised errors), one
  entry per code of each, and every entry's example gives exactly what is shown.
- The limits page gives every limit with its actual default.

Command outputs shown in ```console blocks are checked by `test_commands.py`.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import errno
import io
import json
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
import pytest
from blocks import DOCS, ROOT, Block, read_blocks  # tests/docs/, on sys.path by conftest.py

from customer_journey import (
    CustomerJourneyError,
    DataFileError,
    JourneyError,
    RecordError,
    _durations,
    _timestamps,
    load,
    loads,
    open_store,
)
from customer_journey.checks import lint
from customer_journey.cli import main
from customer_journey.dsl import _patterns, limits
from customer_journey.model import Event
from customer_journey.readers import Rejection, _jsonl, _streams
from customer_journey.testing import load_scenario_file

PACKAGE = ROOT / "customer_journey"
SCHEMA = PACKAGE / "dsl" / "journey.schema.json"
ERRORS_PAGE = DOCS / "reference" / "errors.md"
LIMITS_PAGE = DOCS / "reference" / "limits.md"
TRIAL_JOURNEY = DOCS / "examples" / "trial.journey.yaml"

_CODE = re.compile(r"^[a-z]+(?:-[a-z]+)+$")
_ENTRY = re.compile(r"^`(?P<code>[a-z-]+)` \{#(?P<anchor>[a-z-]+)\}$")


def marked_tables(page: Path, marker: str) -> list[tuple[str | None, list[list[str]]]]:
    """Each table after a `<!-- marker -->` line: its `### ` section and its rows' cells.

    The header and its rule are left out; cells are stripped of spaces, not of backticks.
    """
    tables: list[tuple[str | None, list[list[str]]]] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    section: str | None = None
    for index, line in enumerate(lines):
        if line.startswith(("## ", "### ")):
            section = line.removeprefix("### ") if line.startswith("### ") else None
        if line != f"<!-- {marker} -->":
            continue
        rows = []
        for row in lines[index + 3 :]:
            if not row.startswith("|"):
                break
            rows.append([cell.strip() for cell in row.strip("|").split(" | ")])
        tables.append((section, rows))
    return tables


def _pages_with_python() -> list[Path]:
    return [
        page
        for page in sorted(DOCS.rglob("*.md"))
        if any(block.lang == "python" for block in read_blocks(page))
    ]


# (a) Code examples run. ------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A python block of a page that ran: what it printed, the error it raised (if marked
    `raises`), and the `<!-- output -->` block after it, if any."""

    block: Block
    printed: str
    error: Exception | None
    shown: Block | None


def run_page(page: Path) -> tuple[list[Step], dict[str, Any]]:
    """Run the steps of a page in order, in one namespace; return them and the namespace."""
    blocks = read_blocks(page)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    steps = []
    for index, block in enumerate(blocks):
        if block.lang != "python" or block.marker == "skip" or block.title:
            continue
        printed = io.StringIO()
        where = f"{page.relative_to(ROOT)}:{block.line}"
        error = None
        with contextlib.redirect_stdout(printed):
            try:
                exec(compile(block.code, where, "exec"), namespace)
            except Exception as raised:
                if block.marker != "raises":
                    raise
                error = raised
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        shown = following if following is not None and following.marker == "output" else None
        steps.append(Step(block, printed.getvalue(), error, shown))
    return steps, namespace


@pytest.mark.parametrize("page", _pages_with_python(), ids=lambda p: str(p.relative_to(DOCS)))
@pytest.mark.usefixtures("bundled_events")
def test_every_python_example_on_the_page_runs_and_prints_what_is_shown(
    page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    for step in run_page(page)[0]:
        where = f"{page.relative_to(ROOT)}:{step.block.line}"
        printed = step.printed
        if step.block.marker == "raises":
            assert step.error is not None, f"{where}: raises nothing"
            assert step.shown is not None, f"{where}: shows no error"
            printed += f"{type(step.error).__name__}: {step.error}\n"
        if step.shown is not None:
            assert printed == step.shown.code, where


def test_output_blocks_follow_a_python_block() -> None:
    for page in sorted(DOCS.rglob("*.md")):
        blocks = read_blocks(page)
        for index, block in enumerate(blocks):
            if block.marker == "output":
                assert index > 0, f"{page}:{block.line}"
                assert blocks[index - 1].lang == "python", f"{page}:{block.line}"
                assert blocks[index - 1].marker != "skip", f"{page}:{block.line}"


def test_the_taste_on_the_home_page_is_the_shipped_example_journey() -> None:
    first_yaml = next(b for b in read_blocks(DOCS / "index.md") if b.lang == "yaml")
    assert first_yaml.code == TRIAL_JOURNEY.read_text(encoding="utf-8")


# (b) Key tables are the schema's keys. -----------------------------------------------------


def _schema_keys() -> dict[str, list[str]]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    action = [*defs["actionProperties"]["properties"], *defs["journeyAction"]["properties"]]
    return {
        "journey": list(schema["properties"]),
        "events": list(schema["properties"]["events"]["properties"]),
        "touchpoint": list(defs["touchpoint"]["properties"]),
        "stage": list(defs["stage"]["properties"]),
        "transition": list(defs["transition"]["properties"]),
        "friction": list(defs["friction"]["properties"]),
        "goal": list(defs["goal"]["properties"]),
        "action": action,
        "contact_policy": list(defs["contactPolicy"]["properties"]),
    }


def _key_tables(page: Path) -> dict[str, list[str]]:
    """`<!-- keys: NAME -->` then a table: NAME -> the keys in its first column, in order."""
    tables: dict[str, list[str]] = {}
    lines = page.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        marker = re.fullmatch(r"<!-- keys: (\w+) -->", line)
        if marker is None:
            continue
        assert marker[1] not in tables, f"two tables for {marker[1]}"
        rows = []
        for row in lines[index + 3 :]:  # the header and its rule come first
            if not row.startswith("|"):
                break
            key = re.match(r"\| `(\w+)` \|", row)
            assert key is not None, f"{page}: a key table row must start with a `key`: {row}"
            rows.append(key[1])
        tables[marker[1]] = rows
    return tables


def test_the_marketer_guide_key_tables_list_exactly_the_schema_keys() -> None:
    tables = _key_tables(DOCS / "guides" / "marketers.md")
    expected = _schema_keys()
    assert sorted(tables) == sorted(expected)
    for name, keys in expected.items():
        assert sorted(tables[name]) == sorted(keys), name
        assert len(set(tables[name])) == len(tables[name]), name


# (c) The error reference: one entry per code, each example exact. ---------------------------

#: The parts of the error reference, in order: heading -> the prefix of its entries' anchors
#: (codes of different parts may be spelled alike, such as `bad-type`).
PROBLEMS = "Problems in journey and scenario files {#problems}"
REJECTIONS = "Rejected records {#rejected-records}"
ERRORS = "Errors of the Python API and of data files {#errors}"
PARTS = {PROBLEMS: "", REJECTIONS: "rejected-", ERRORS: ""}

#: Codes built with an f-string such as f"unknown-{what}": the values the template takes.
#: A new template, or a new value, must be added here (and documented).
CODE_TEMPLATES = {
    "unknown-{}": ("touchpoint", "stage", "phase", "channel", "goal", "action", "friction"),
    "duplicate-{}": ("phase", "channel"),
}

#: The code of a rejection built without one; no reader gives it, so it has no example.
DEFAULT_REJECTION_CODE = "bad-record"

#: Codes both of a rejected record and of an error: a journey file, like a line of events,
#: may not be UTF-8 text, and it raises `DataFileError` with the code of that rejection.
SHARED_CODES = {"bad-encoding"}


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _template(node: ast.JoinedStr) -> str:
    return "".join(
        str(part.value) if isinstance(part, ast.Constant) else "{}"
        for part in node.values
        if isinstance(part, (ast.Constant, ast.FormattedValue))
    )


def _trees(*where: Path) -> list[tuple[Path, ast.Module]]:
    """The syntax trees of the package's modules under (or at) each path."""
    files = [file for path in where for file in ([path] if path.is_file() else path.rglob("*.py"))]
    return [(file, ast.parse(file.read_text(encoding="utf-8"))) for file in files]


def problem_codes() -> set[str]:
    """Problem codes in the package: kebab-case arguments of problem or report calls."""
    codes: set[str] = set()
    for file, tree in _trees(PACKAGE):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if not re.search("problem|report", _callee(node), re.IGNORECASE):
                continue
            for arg in [*node.args, *(keyword.value for keyword in node.keywords)]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    if _CODE.match(arg.value):
                        codes.add(arg.value)
                elif isinstance(arg, ast.JoinedStr):
                    template = _template(arg)
                    if _CODE.match(template.replace("{}", "x")):
                        assert template in CODE_TEMPLATES, f"{file}: list the values of {template}"
                        codes.update(template.format(value) for value in CODE_TEMPLATES[template])
    return codes


def _text(node: ast.AST | None) -> str | None:
    """The text a node spells out, if it is a text constant."""
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _kebab_texts(tree: ast.AST) -> set[str]:
    """The kebab-case texts written anywhere in a syntax tree."""
    return {text for node in ast.walk(tree) if (text := _text(node)) and _CODE.match(text)}


def _class_codes(tree: ast.AST) -> set[str]:
    """The texts given to `code` in class bodies: error classes' codes."""
    codes = set()
    for node in ast.walk(tree):
        for statement in node.body if isinstance(node, ast.ClassDef) else []:
            if isinstance(statement, ast.Assign):
                targets = statement.targets
            elif isinstance(statement, ast.AnnAssign):
                targets = [statement.target]
            else:
                continue
            text = _text(statement.value)
            if text is not None and "code" in {getattr(target, "id", "") for target in targets}:
                codes.add(text)
    return codes


def raised_codes() -> set[str]:
    """Codes of rejections and raised errors: the texts given to `code` in the package's
    classes, and every kebab-case text of `errors.py`, `_file_access.py`, the readers, the
    external grouping and the store's write path (which rejects values it cannot keep).

    The readers (and `_file_access`, which opens their files) pass their codes along in
    calls, tuples and tables (`Unreadable(...)`, `RecordRejectedError(...)`,
    `DataFileError(...)`, `_REASONS`), but always spell each one out as text, and no other
    text of theirs is kebab-case.
    """
    codes = set().union(*(_class_codes(tree) for _, tree in _trees(PACKAGE)))
    read = (PACKAGE / "errors.py", PACKAGE / "_file_access.py", PACKAGE / "readers")
    read += (PACKAGE / "_grouping.py",)
    for _, tree in _trees(*read, PACKAGE / "store" / "_writer.py"):
        codes |= _kebab_texts(tree)
    return codes


def _documented() -> dict[str, list[str]]:
    """The codes each part of the error reference has an entry for, in page order."""
    documented: dict[str, list[str]] = {}
    part = ""
    for line in ERRORS_PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            part = line.removeprefix("## ")
            documented[part] = []
        elif line.startswith("### "):
            entry = _ENTRY.match(line.removeprefix("### "))
            assert entry is not None, f"an entry heading is written `code` {{#anchor}}: {line}"
            assert entry["anchor"] == PARTS[part] + entry["code"], line
            documented[part].append(entry["code"])
    return documented


def _entries(part: str) -> dict[str, list[Block]]:
    """The entries of one part of the error reference: code -> the blocks of its section."""
    blocks = read_blocks(ERRORS_PAGE)
    return {
        code: [
            block
            for block in blocks
            if block.part == part and block.section == f"`{code}` {{#{PARTS[part]}{code}}}"
        ]
        for code in _documented()[part]
    }


def _titled(blocks: list[Block]) -> list[tuple[Block, Block]]:
    """An entry's titled examples, each with the ```text block after it that shows its result."""
    pairs = [(block, blocks[index + 1]) for index, block in enumerate(blocks[:-1]) if block.title]
    for example, shown in pairs:
        assert shown.lang == "text", f"line {example.line}: the result follows the example"
    return pairs


def _examples(blocks: list[Block]) -> list[tuple[Block, Block]]:
    """An entry's titled examples and their results; there must be one at least."""
    pairs = _titled(blocks)
    assert pairs, "an entry needs an example: a block titled with a file name"
    return pairs


def _content(block: Block) -> object:
    """An example file's content: the block's text, or, for a python block, the value of
    its last line (text, bytes, or a pyarrow table for Parquet) after the lines before."""
    if block.lang != "python":
        return block.code
    *body, last = ast.parse(block.code).body
    assert isinstance(last, ast.Expr), f"line {block.line}: end with the file's content"
    namespace: dict[str, Any] = {}
    exec(compile(ast.Module(body, type_ignores=[]), block.title or "", "exec"), namespace)
    return eval(compile(ast.Expression(last.value), block.title or "", "eval"), namespace)


def _write(block: Block, folder: Path) -> None:
    """Write the example file a block shows (or builds) into `folder`."""
    assert block.title is not None
    path = folder / block.title
    content = _content(block)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        pytest.importorskip("pyarrow.parquet").write_table(content, path)


def test_the_error_reference_has_one_entry_per_code_in_each_part() -> None:
    documented = _documented()
    assert list(documented) == list(PARTS)
    for codes in documented.values():
        assert len(set(codes)) == len(codes)
    assert sorted(documented[PROBLEMS]) == sorted(problem_codes())
    assert set(documented[REJECTIONS]) & set(documented[ERRORS]) == SHARED_CODES
    assert sorted(set(documented[REJECTIONS]) | set(documented[ERRORS])) == sorted(raised_codes())


def _reported(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """What loading (and linting) the example, a journey or a scenario file, says."""
    assert block.title is not None
    try:
        if block.title.endswith(".scenarios.yaml"):
            shutil.copy(TRIAL_JOURNEY, tmp_path)
            _write(block, tmp_path)
            monkeypatch.chdir(tmp_path)
            load_scenario_file(block.title)
        else:
            text = _content(block)
            assert isinstance(text, str)
            found = lint(loads(text, source=block.title).model)
            return "".join(f"{problem}\n" for problem in found) or "no problem\n"
    except JourneyError as error:
        return "".join(f"{problem}\n" for problem in error.problems)
    return "no problem\n"


@pytest.mark.parametrize("code", sorted(_entries(PROBLEMS)))
def test_each_error_entry_example_reports_exactly_what_is_shown(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for example, shown in _examples(_entries(PROBLEMS)[code]):
        assert shown.code.endswith(f"[{code}]\n")
        assert _reported(example, tmp_path, monkeypatch) == shown.code


def _rejected(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """What ingesting the example events file into a store of the example journey rejects.

    A store rejects what reading rejects, first, and the values it cannot keep.
    """
    journey = load(TRIAL_JOURNEY)
    _write(block, tmp_path)
    monkeypatch.chdir(tmp_path)
    assert block.title is not None
    source = journey.read_events(block.title)
    for _ in source:
        pass
    with open_store(tmp_path / "store.db", journey) as store:
        found = store.ingest(block.title).rejections
    assert found[: len(source.report.rejections)] == tuple(source.report.rejections)
    return "".join(f"{rejection} [{rejection.code}]\n" for rejection in found) or "none\n"


@pytest.mark.parametrize("code", sorted(set(_entries(REJECTIONS)) - {DEFAULT_REJECTION_CODE}))
def test_each_rejection_entry_example_rejects_exactly_what_is_shown(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if code == "not-csv" and sys.version_info >= (3, 11):
        pytest.skip("from Python 3.11 on, the csv module reads NUL characters: no rejection")
    for example, shown in _examples(_entries(REJECTIONS)[code]):
        assert shown.code.endswith(f"[{code}]\n")
        assert _rejected(example, tmp_path, monkeypatch) == shown.code


def test_the_default_rejection_code_is_what_no_reader_gives() -> None:
    assert _entries(REJECTIONS)[DEFAULT_REJECTION_CODE] == []
    rejection = Rejection("orders.csv", 3, "a refund without an order", None)
    error = RecordError("orders.csv", 3, "a refund without an order")
    assert rejection.code == error.code == DEFAULT_REJECTION_CODE


#: Raised-error entries whose failure the system must cause, which no example can do
#: everywhere (root may read any file): code -> the error the system raises, simulated.
SYSTEM_REFUSALS = {"permission-denied": PermissionError(errno.EACCES, "Permission denied")}

#: Raised-error entries whose example needs a module that is installed here to be missing:
#: code -> the modules hidden while the example runs, as if they were not installed.
MISSING_MODULES = {"missing-dependency": ("pyarrow", "pyarrow.parquet")}

#: Raised-error entries whose example needs more data than a docs page should make: the
#: test below causes the error in a smaller way and checks the entry's message.
OUT_OF_ROOM = ("grouping-failed",)


def _load_error(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Exception:
    """What loading the example, a journey or a scenario file, raises (it must raise)."""
    assert block.title is not None
    _write(block, tmp_path)
    monkeypatch.chdir(tmp_path)
    loader: Callable[[str], object] = (
        load_scenario_file if block.title.endswith(".scenarios.yaml") else load
    )
    with pytest.raises(Exception, match=r".") as info:
        loader(block.title)
    return info.value


@pytest.mark.parametrize(
    "code",
    sorted(set(_entries(ERRORS)) - set(SYSTEM_REFUSALS) - set(MISSING_MODULES) - set(OUT_OF_ROOM)),
)
@pytest.mark.usefixtures("bundled_events")
def test_each_raised_error_entry_example_raises_an_error_with_its_code(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    steps, namespace = run_page(ERRORS_PAGE)
    section = f"`{code}` {{#{code}}}"
    raised = [step.error for step in steps if step.block.section == section and step.error]
    for entry, rows in marked_tables(ERRORS_PAGE, "raises: calls"):
        if entry == section:
            for call, message in rows:
                with pytest.raises(Exception, match=r".") as info:
                    eval(call.strip("`"), namespace)
                assert str(info.value) == message.strip("`"), call
                raised.append(info.value)
    for example, shown in _titled(_entries(ERRORS)[code]):
        error = _load_error(example, tmp_path, monkeypatch)
        assert f"{type(error).__name__}: {error}\n" == shown.code, example.title
        raised.append(error)
    assert raised, "an entry needs an example marked raises, or a file that raises"
    assert [getattr(error, "code", None) for error in raised] == [code] * len(raised)


def test_the_grouping_failed_entry_shows_the_error_of_a_sort_that_outgrows_its_memory(
    tmp_path: Path,
) -> None:
    pytest.importorskip("duckdb")
    from customer_journey._grouping import MINIMUM_MEMORY_LIMIT, ExternalGroups

    blocks = _entries(ERRORS)["grouping-failed"]
    (example,) = [block for block in blocks if block.lang == "python"]
    shown = blocks[blocks.index(example) + 1]
    assert example.marker == "skip", "the example's file is too big to make here"
    note = "x" * 2000  # 30,000 events of 2 kB: DuckDB cannot sort them in 32 MiB
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    events = [Event(f"c{n % 7}", "t", at, None, None, {"n": note}) for n in range(30_000)]
    spill = ExternalGroups("big-export.jsonl", MINIMUM_MEMORY_LIMIT, str(tmp_path))
    with spill, pytest.raises(DataFileError) as raised:  # noqa: PT012 - adding or sorting
        spill.add(events)
        list(spill.groups())
    assert raised.value.code == "grouping-failed"
    assert shown.code == f"DataFileError: {raised.value}\n"


@pytest.mark.parametrize("code", sorted(SYSTEM_REFUSALS))
def test_each_system_refusal_entry_shows_the_message_of_that_refusal(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journey = load(TRIAL_JOURNEY)
    (console,) = [block for block in _entries(ERRORS)[code] if block.lang == "console"]
    (tmp_path / "events.jsonl").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def refuse(*_args: object, **_kwargs: object) -> object:
        raise SYSTEM_REFUSALS[code]

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(DataFileError, match=r".") as info:
        journey.read_events("events.jsonl")
    assert info.value.code == code
    assert console.code.splitlines()[-1] == f"error: {info.value}"


@pytest.mark.parametrize("code", sorted(MISSING_MODULES))
def test_each_missing_module_entry_shows_the_error_raised_without_that_module(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journey = load(TRIAL_JOURNEY)
    blocks = _entries(ERRORS)[code]
    (example,) = [block for block in blocks if block.lang == "python"]
    shown = blocks[blocks.index(example) + 1]
    assert example.marker == "skip", "the example cannot run where the module is installed"
    (tmp_path / "events.parquet").write_bytes(b"")  # the file it names: checked first
    monkeypatch.chdir(tmp_path)
    for module in MISSING_MODULES[code]:
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(CustomerJourneyError, match=r".") as info:
        exec(compile(example.code, f"errors.md:{example.line}", "exec"), {"journey": journey})
    assert info.value.code == code
    assert shown.code == f"{type(info.value).__name__}: {info.value}\n"


# (d) The limits page gives every limit's actual default. ----------------------------------


def _limit_defaults() -> dict[str, str]:
    """Each limit, as the first cell of a limits table names it -> how its default starts."""
    return {
        **{f"`{name}`": f"{getattr(limits, name):,} " for name in limits.__all__},
        "longest duration": f"{_durations.LONGEST.days:,} days ",
        "repetition in a pattern": f"{_patterns._MOST_REPEATS:,} ",
        "supported times": f"{_timestamps.SUPPORTED_RANGE} ",
        "line length": f"{_streams.MAX_LINE_LENGTH:,} ",
        "JSON Lines nesting": f"{_jsonl.MAX_DEPTH:,} ",
        "CSV value length": f"{csv.field_size_limit():,} ",
        "digits in a number": f"{sys.get_int_max_str_digits():,} ",
    }


def test_the_limits_page_gives_every_limit_with_its_default() -> None:
    rows = [row for _, table in marked_tables(LIMITS_PAGE, "limits") for row in table]
    defaults = _limit_defaults()
    assert sorted(row[0] for row in rows) == sorted(defaults)
    for name, default, *_ in rows:
        assert default.startswith(defaults[name]), name


def test_each_limit_the_limits_page_raises_is_a_dsl_limit() -> None:
    raised = re.findall(r"limits\.(\w+) =", LIMITS_PAGE.read_text(encoding="utf-8"))
    assert raised
    assert set(raised) <= set(limits.__all__)


# The CLI reference names every command and option. ------------------------------------------


def _sections(page: Path) -> dict[str, str]:
    """`## heading` -> the text under it, up to the next `## ` heading."""
    sections: dict[str, str] = {}
    heading = ""
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line.removeprefix("## ")
            sections[heading] = ""
        else:
            sections[heading] = sections.get(heading, "") + line + "\n"
    return sections


def test_the_cli_reference_documents_every_command_and_option() -> None:
    sections = _sections(DOCS / "reference" / "cli.md")
    assert isinstance(main, click.Group)
    context = click.Context(main)
    # The group loads its commands when they run: ask for each one.
    commands: dict[str, click.Command | None] = {
        "": main,
        **{name: main.get_command(context, name) for name in main.list_commands(context)},
    }
    assert sorted(name for name in sections if name != "Exit codes") == sorted(commands)
    for name, command in commands.items():
        assert command is not None, name
        for param in command.params:
            if isinstance(param, click.Option):
                for option in param.opts:
                    assert f"`{option}" in sections[name], f"{name}: {option}"
