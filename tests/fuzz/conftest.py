"""Puts this folder on `sys.path`, so that its test modules import the shared fuzz modules.

pytest's importlib mode does not add test folders to `sys.path`, and `benchmarks/fuzz_long.py`
imports the same modules (`fuzz_dsl`, `fuzz_readers`, `fuzz_support`, `fuzz_values`) to run
the targets longer.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
