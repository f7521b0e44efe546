"""Every command output the docs show is what the command prints: the docs cannot drift.

A ```console block on the line after `<!-- run -->` is run: each `$ customer-journey ...`
line is run in-process (click's `CliRunner`), and the lines under it, up to the next `$`
line, must be exactly what it printed, stdout and stderr together as a terminal shows
them. A line `...` stands for any number of lines, so a long output can be shown in part.
`$ python SCRIPT ...` runs a script with this Python, `$ export NAME=VALUE` sets a
variable for the commands after it, and `> FILE` at the end of a command writes its stdout
to `FILE` (what is shown is then its stderr).

The commands run in a fresh temporary folder holding the repository's `docs/examples/`
and `examples/` folders, with the files of `docs/examples/` also at its top (the tutorial
has the reader save them there). A block with a title, ```` ```text title="events.jsonl" ````,
is a file of the page: it is written into the folder when the page reaches it. Blocks
marked `<!-- run: NAME -->` share one folder, in page order (a live store made by one is
read by the next); a block marked `<!-- run -->` gets its own.

Every page (and `README.md`) is searched for marked blocks. `CONVERTED` lists the pages
whose command outputs are all shown this way: on them, a ```console block showing an output
that is not marked is an error. To convert a page, mark its blocks, make them pass, and add
it there.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from blocks import DOCS, ROOT, Block, read_blocks  # tests/docs/, on sys.path by conftest.py
from click.testing import CliRunner

from customer_journey.cli import main

#: The pages whose every command output is run (see the module's docstring).
CONVERTED = (
    ROOT / "README.md",
    DOCS / "index.md",
    DOCS / "tutorial" / "getting-started.md",
    DOCS / "guides" / "developers.md",
    DOCS / "guides" / "pytest.md",
    DOCS / "guides" / "testers.md",
    DOCS / "reference" / "cli.md",
)
PAGES = (ROOT / "README.md", *sorted(DOCS.rglob("*.md")))

_RUN = re.compile(r"run(?:: (?P<group>[\w-]+))?")
_PROMPT = "$ "
_ELLIPSIS = "..."


@dataclass(frozen=True)
class Group:
    """The marked blocks of a page that run in one folder, and the page's titled files."""

    page: Path
    name: str
    blocks: tuple[Block, ...]

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.name}"


def _group_of(block: Block) -> str | None:
    """The group a marked block runs in (`run: NAME`, or its own for `run`); else None."""
    marker = None if block.marker is None else _RUN.fullmatch(block.marker)
    if marker is None:
        return None
    return marker["group"] or f"line-{block.line}"


def _is_file(block: Block) -> bool:
    """Whether a block is a file of its page: titled, and not python (which builds files)."""
    return block.title is not None and block.lang != "python"


def groups() -> list[Group]:
    """Every page's groups of marked blocks, each with the titled files of its page."""
    found = []
    for page in PAGES:
        blocks = read_blocks(page)
        names = dict.fromkeys(name for block in blocks if (name := _group_of(block)))
        for name in names:
            chosen = [block for block in blocks if _is_file(block) or _group_of(block) == name]
            found.append(Group(page, name, tuple(chosen)))
    return found


def _commands(block: Block) -> Iterator[tuple[str, str]]:
    """Each `$` line of a block, without the prompt, and the lines shown under it."""
    command: str | None = None
    shown: list[str] = []
    for line in block.code.splitlines(keepends=True):
        if line.startswith(_PROMPT):
            if command is not None:
                yield command, "".join(shown)
            command, shown = line.removeprefix(_PROMPT).strip(), []
        else:
            assert command is not None, f"line {block.line}: output before a command"
            shown.append(line)
    if command is not None:
        yield command, "".join(shown)


def _line_pattern(line: str) -> str:
    """A shown line as a pattern: `...` alone stands for any lines, in a line for any text."""
    if line.strip() == _ELLIPSIS:
        return r"(?:.*\n)*?"
    return ".*".join(map(re.escape, line.split(_ELLIPSIS))) + r"\n"


def _matches(shown: str, printed: str) -> bool:
    """Whether `printed` is what `shown` shows (see `_line_pattern`)."""
    pattern = "".join(_line_pattern(line) for line in shown.splitlines())
    return re.fullmatch(pattern, printed) is not None


def _run(command: str, env: dict[str, str | None]) -> str:
    """Run one `$` line in the current folder; what it printed (stdout, then stderr).

    `> FILE` at the end writes stdout to `FILE` instead: what is shown is then stderr.
    """
    words = shlex.split(command)
    target = None
    if len(words) > 2 and words[-2] == ">":
        *words, _, target = words
    if words[0] == "export":
        name, _, value = words[1].partition("=")
        env[name] = value
        return ""
    if words[0] == "python":
        done = subprocess.run(
            [sys.executable, *words[1:]], capture_output=True, text=True, check=False
        )
        return done.stdout + done.stderr
    assert words[0] == "customer-journey", f"cannot run {command!r}"
    result = CliRunner(env=env).invoke(main, words[1:], prog_name="customer-journey")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if target is None:
        return result.output
    Path(target).write_text(result.stdout, encoding="utf-8")
    return result.stderr


def _prepare(folder: Path) -> None:
    """The folder the commands run in: the example folders, and the docs' examples on top."""
    examples = ROOT / "docs" / "examples"
    shutil.copytree(examples, folder / "docs" / "examples")
    shutil.copytree(ROOT / "examples", folder / "examples", ignore=shutil.ignore_patterns("_*"))
    for path in examples.iterdir():
        shutil.copy(path, folder)


@pytest.mark.parametrize("group", groups(), ids=str)
@pytest.mark.usefixtures("bundled_events")
def test_each_command_shown_prints_what_is_shown(
    group: Group, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _prepare(tmp_path)
    monkeypatch.chdir(tmp_path)
    # A store named in the environment of the test run must not stand in for `--store`.
    env: dict[str, str | None] = {"COLUMNS": "100", "CUSTOMER_JOURNEY_STORE": None}
    for block in group.blocks:
        if block.title is not None and _group_of(block) is None:  # a file of the page
            (tmp_path / block.title).write_text(block.code, encoding="utf-8")
            continue
        for command, shown in _commands(block):
            printed = _run(command, env)
            where = f"{group.page.relative_to(ROOT)}:{block.line}: $ {command}"
            assert _matches(shown, printed), f"{where}\nprinted:\n{printed}"


def test_converted_pages_show_no_command_output_that_is_not_run() -> None:
    for page in CONVERTED:
        for block in read_blocks(page):
            if block.lang != "console" or _group_of(block) is not None:
                continue
            outputs = [line for line in block.code.splitlines() if not line.startswith(_PROMPT)]
            assert not outputs, f"{page.relative_to(ROOT)}:{block.line}: mark it <!-- run -->"


def test_an_ellipsis_stands_for_any_lines_or_any_text_and_nothing_else_is_loose() -> None:
    assert _matches("a\n...\nd\n", "a\nb\nc\nd\n")
    assert _matches("a\n  ...\nd\n", "a\nd\n")
    assert _matches("size (... bytes)\n", "size (65,883 bytes)\n")
    assert not _matches("size (... bytes)\n", "size (65,883 bytes)\nmore\n")
    assert not _matches("a\n...\nd\n", "a\nb\n")
    assert not _matches("a\nd\n", "a\nd \n")
    assert not _matches("a.c\n", "abc\n")
