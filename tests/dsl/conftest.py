"""The reference journey from ../shared, and a helper that collects a journey's problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from customer_journey.dsl import compile_journey
from customer_journey.errors import JourneyError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "dsl"


@pytest.fixture
def retail_text() -> str:
    """The text of the reference journey; skips when ../shared is not beside the repo."""
    path = SHARED / "retail.journey.yaml"
    if not path.is_file():
        pytest.skip(f"the reference journey is not available ({path} is missing)")
    return path.read_text(encoding="utf-8")


def problems_of(text: str) -> list[str]:
    """Every problem compiling `text` reports, as `j.yaml:line:column: message [code]`."""
    with pytest.raises(JourneyError) as caught:
        compile_journey(text, source="j.yaml")
    return [str(problem) for problem in caught.value.problems]
