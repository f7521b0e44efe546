"""Broken events files are read record by record: bad rows are rejected, nothing escapes.

Each test runs one target of `fuzz_readers` under the suite's small, deterministic budget
(`fuzz_support.CI`); `benchmarks/fuzz_long.py` runs the same targets for minutes.
"""

from __future__ import annotations

import pytest
from fuzz_readers import FileCase, check_file, file_cases
from fuzz_support import CI
from hypothesis import given


@CI
@given(file_cases("jsonl"))
def test_broken_json_lines_files_are_read_with_every_bad_line_rejected(case: FileCase) -> None:
    check_file(case)


@CI
@given(file_cases("csv"))
def test_broken_csv_files_are_read_with_every_bad_row_rejected(case: FileCase) -> None:
    check_file(case)


@CI
@given(file_cases("parquet"))
def test_corrupt_parquet_files_are_read_or_raise_data_file_error(case: FileCase) -> None:
    pytest.importorskip("pyarrow")
    check_file(case)
