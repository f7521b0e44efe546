"""The documentation is exact: its examples run, and its tables and codes match the code.

- Every ```python block of a page runs, in order, in one fresh namespace per page, from the
  repository root; a block after a `<!-- skip -->` line is not run, and a ```text block
  after an `<!-- output -->` line must equal what the python block before it printed.
- The key tables of the marketer guide list exactly the keys of the JSON Schema.
- Every problem code in the package has an entry in the error reference, and each entry's
  failing example reports exactly the output shown.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest

from customer_journey import JourneyError, loads
from customer_journey.checks import lint
from customer_journey.cli import main
from customer_journey.testing import load_scenario_file

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PACKAGE = ROOT / "customer_journey"
SCHEMA = PACKAGE / "dsl" / "journey.schema.json"
ERRORS_PAGE = DOCS / "reference" / "errors.md"
TRIAL_JOURNEY = DOCS / "examples" / "trial.journey.yaml"
BUNDLED_EVENTS = ROOT / "examples" / "events.jsonl"

_FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<info>[^`]*)$")
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_MARKER = re.compile(r"^<!-- (?P<marker>[\w: -]+?) -->$")
_CODE = re.compile(r"^[a-z]+(?:-[a-z]+)+$")
_ENTRY = re.compile(r"^`(?P<code>[a-z-]+)` \{#(?P<anchor>[a-z-]+)\}$")


@dataclass(frozen=True)
class Block:
    """A fenced code block and the `<!-- marker -->` on the line before it, if any."""

    lang: str
    title: str | None
    code: str
    line: int
    marker: str | None
    section: str | None


def read_blocks(page: Path) -> list[Block]:
    """Every fenced block of a page, in order (fences start at the beginning of a line)."""
    blocks: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    section: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = line.removeprefix("## ")
        fence = _FENCE.match(line)
        if fence is None:
            index += 1
            continue
        marker = _MARKER.match(lines[index - 1]) if index else None
        title = _TITLE.search(fence["info"])
        end = lines.index("```", index + 1)
        blocks.append(
            Block(
                lang=fence["lang"],
                title=title["title"] if title else None,
                code="".join(f"{text}\n" for text in lines[index + 1 : end]),
                line=index + 1,
                marker=marker["marker"] if marker else None,
                section=section,
            )
        )
        index = end + 1
    return blocks


def _pages_with_python() -> list[Path]:
    return [
        page
        for page in sorted(DOCS.rglob("*.md"))
        if any(block.lang == "python" for block in read_blocks(page))
    ]


# (a) Code examples run. ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_events() -> Path:
    """The bundled event export the examples read; generated (seeded) when absent, as the
    tutorial tells readers to do: it is not committed."""
    if not BUNDLED_EVENTS.exists():
        generator = ROOT / "examples" / "generate_events.py"
        subprocess.run([sys.executable, str(generator)], cwd=ROOT, check=True, capture_output=True)
    return BUNDLED_EVENTS


@pytest.mark.parametrize("page", _pages_with_python(), ids=lambda p: str(p.relative_to(DOCS)))
@pytest.mark.usefixtures("bundled_events")
def test_every_python_example_on_the_page_runs_and_prints_what_is_shown(
    page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    blocks = read_blocks(page)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for index, block in enumerate(blocks):
        if block.lang != "python" or block.marker == "skip":
            continue
        printed = io.StringIO()
        where = f"{page.relative_to(ROOT)}:{block.line}"
        with contextlib.redirect_stdout(printed):
            exec(compile(block.code, where, "exec"), namespace)
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is not None and following.marker == "output":
            assert printed.getvalue() == following.code, where


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


# (c) Every problem code has an entry, and each entry's example is exact. -------------------

#: Codes built with an f-string such as f"unknown-{what}": the values the template takes.
#: A new template, or a new value, must be added here (and documented).
CODE_TEMPLATES = {
    "unknown-{}": ("touchpoint", "stage", "phase", "channel", "goal", "action", "friction"),
    "duplicate-{}": ("phase", "channel"),
}


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _template(node: ast.JoinedStr) -> str:
    return "".join(
        part.value if isinstance(part, ast.Constant) else "{}"
        for part in node.values
        if isinstance(part, (ast.Constant, ast.FormattedValue))
    )


def source_codes() -> set[str]:
    """Problem codes in the package: kebab-case arguments of problem or report calls."""
    codes: set[str] = set()
    for file in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
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


def _entries() -> dict[str, list[Block]]:
    """Error reference entries: code -> the blocks of its section."""
    entries: dict[str, list[Block]] = {}
    for block in read_blocks(ERRORS_PAGE):
        heading = _ENTRY.match(block.section or "")
        if heading is not None:
            entries.setdefault(heading["code"], []).append(block)
    return entries


def test_the_error_reference_has_one_entry_per_problem_code() -> None:
    headings = [
        line.removeprefix("## ")
        for line in ERRORS_PAGE.read_text(encoding="utf-8").splitlines()
        if line.startswith("## ")
    ]
    documented = []
    for heading in headings:
        entry = _ENTRY.match(heading)
        assert entry is not None, f"an entry heading is written `code` {{#code}}: {heading}"
        assert entry["code"] == entry["anchor"]
        documented.append(entry["code"])
    assert len(set(documented)) == len(documented)
    assert sorted(documented) == sorted(source_codes())


def _reported(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """What loading (and linting) the example, a journey or a scenario file, says."""
    assert block.title is not None
    try:
        if block.title.endswith(".scenarios.yaml"):
            shutil.copy(TRIAL_JOURNEY, tmp_path)
            (tmp_path / block.title).write_text(block.code, encoding="utf-8")
            monkeypatch.chdir(tmp_path)
            load_scenario_file(block.title)
        else:
            found = lint(loads(block.code, source=block.title).model)
            return "".join(f"{problem}\n" for problem in found) or "no problem\n"
    except JourneyError as error:
        return "".join(f"{problem}\n" for problem in error.problems)
    return "no problem\n"


@pytest.mark.parametrize("code", sorted(_entries()))
def test_each_error_entry_example_reports_exactly_what_is_shown(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = _entries()[code]
    example = next(index for index, block in enumerate(blocks) if block.title)
    shown = blocks[example + 1]
    assert shown.lang == "text"
    assert shown.code.endswith(f"[{code}]\n")
    assert _reported(blocks[example], tmp_path, monkeypatch) == shown.code


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
    commands = {"": main, **main.commands}
    assert sorted(name for name in sections if name != "Exit codes") == sorted(commands)
    for name, command in commands.items():
        for param in command.params:
            if isinstance(param, click.Option):
                for option in param.opts:
                    assert f"`{option}" in sections[name], f"{name}: {option}"
