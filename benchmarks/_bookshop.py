"""The bookshop example's seeded export, the input of the scale benchmarks.

`examples/generate_events.py --customers N` (seed 42) written once under
`benchmarks/data/` (gitignored) and reused while it exists: at 52,000 customers about a
million lines (166 MB), grouped by customer and in time order within each customer.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"
JOURNEY = REPO / "examples" / "bookshop.journey.yaml"
#: The latest event of the 52,000-customer export: its default `as_of`.
AS_OF = "2026-07-02T20:18:03Z"


def bookshop_export(customers: int) -> Path:
    """The seeded bookshop export for `customers`, written once."""
    path = DATA / f"bookshop-{customers}c-seed42.jsonl"
    if not path.exists():
        DATA.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        generator = str(REPO / "examples" / "generate_events.py")
        command = [sys.executable, generator, "--customers", str(customers), "--out", str(partial)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        partial.replace(path)
    return path
