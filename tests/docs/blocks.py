"""The fenced code blocks of a docs page, read once for every docs test."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<info>[^`]*)$")
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_MARKER = re.compile(r"^<!-- (?P<marker>[\w: -]+?) -->$")


@dataclass(frozen=True)
class Block:
    """A fenced code block, the `<!-- marker -->` on the line before it, and where it is.

    `part` is the `## ` heading above it and `section` the `### ` heading, if any, below
    that part's heading.
    """

    lang: str
    title: str | None
    code: str
    line: int
    marker: str | None
    part: str | None
    section: str | None


def read_blocks(page: Path) -> list[Block]:
    """Every fenced block of a page, in order (fences start at the beginning of a line)."""
    blocks: list[Block] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    part: str | None = None
    section: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            part, section = line.removeprefix("## "), None
        elif line.startswith("### "):
            section = line.removeprefix("### ")
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
                part=part,
                section=section,
            )
        )
        index = end + 1
    return blocks
