"""The bundled example's events for the docs' examples; and this folder on `sys.path`.

pytest's importlib mode does not add test folders to `sys.path`: there, the test modules
import `blocks`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

BUNDLED_EVENTS = HERE.parents[1] / "examples" / "events.jsonl"


@pytest.fixture(scope="session")
def bundled_events() -> Path:
    """The bundled event export the examples read; generated (seeded) when absent, as the
    tutorial tells readers to do: it is not committed."""
    if not BUNDLED_EVENTS.exists():
        generator = BUNDLED_EVENTS.parent / "generate_events.py"
        root = BUNDLED_EVENTS.parents[1]
        subprocess.run([sys.executable, str(generator)], cwd=root, check=True, capture_output=True)
    return BUNDLED_EVENTS
