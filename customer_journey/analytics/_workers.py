"""Counting on every core: the process machinery analytics uses, from the runner layer.

The machinery itself (sharing customers out by a stable hash, the events file a worker
opens again, errors carried back as data, the processes) is `customer_journey._workers`'s,
shared with `replay_all` and mutation testing. What is analytics' own is what crosses
between the processes: tallies without their engine tables (`AnalysisPart`), which merge
exactly, so the analysis counted in any number of processes is the one-process one.
This module is the analytics modules' one door to that machinery.
"""

from __future__ import annotations

from customer_journey._workers import (
    Failure,
    FileInput,
    Share,
    count_workers,
    path_of,
    run_in_processes,
    share_totals,
)

__all__ = [
    "Failure",
    "FileInput",
    "Share",
    "count_workers",
    "path_of",
    "run_in_processes",
    "share_totals",
]
