"""The lint reference and the lint entries of the error reference show exact findings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from customer_journey import loads
from customer_journey.checks import RULES, lint

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference"
_ENTRY = re.compile(r"^#{2,3} `(?P<code>[a-z-]+)` \{#(?P=code)\}$", re.MULTILINE)
_EXAMPLE = re.compile(
    r'```yaml title="(?P<title>[^"]+)"\n(?P<yaml>.*?)```\n\n```text\n(?P<shown>.*?)```', re.DOTALL
)


def examples(page: str) -> dict[str, tuple[str, str, str]]:
    """code -> (file name, journey, findings shown) for each entry of a lint rule."""
    text = (DOCS / page).read_text(encoding="utf-8")
    heads = list(_ENTRY.finditer(text))
    found = {}
    for head, after in zip(heads, [*heads[1:], None], strict=True):
        if head["code"] not in RULES:
            continue
        body = text[head.end() : after.start() if after else len(text)]
        example = _EXAMPLE.search(body)
        assert example is not None, head["code"]
        found[head["code"]] = (example["title"], example["yaml"], example["shown"])
    return found


@pytest.mark.parametrize("page", ["lint.md", "errors.md"])
def test_every_rule_has_an_entry_whose_example_reports_exactly_what_is_shown(page: str) -> None:
    entries = examples(page)
    assert list(entries) == list(RULES)
    for code, (title, journey, shown) in entries.items():
        reported = "".join(f"{p}\n" for p in lint(loads(journey, source=title).model))
        assert reported == shown, code
        assert shown.endswith(f"[{code}]\n"), code


def test_both_references_show_the_same_example_for_each_rule() -> None:
    assert examples("lint.md") == examples("errors.md")
