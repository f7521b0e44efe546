"""How much the DSL reads: limits that keep a hostile file from hanging or crashing a load.

Each limit is far above what a real journey needs, and each is met with a located problem,
never an exception. They are module constants read when a file is loaded, so a program
that truly needs more can raise one before loading (`limits.MAX_DEPTH = 128`).
"""

from __future__ import annotations

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_CONDITION_DEPTH",
    "MAX_DEPTH",
    "MAX_PATTERN_SIZE",
    "MAX_TEXT_SIZE",
]

#: Characters in one file. A journey with 20,000 stages is under 10 million; real ones are
#: a few thousand.
MAX_TEXT_SIZE = 5_000_000

#: Levels of YAML nesting (the top-level mapping is level 1; a condition in a transition
#: starts at level 6).
MAX_DEPTH = 64

#: Nodes that aliases (`*name`, `<<: *name`) add to a file when expanded, each use counting
#: the whole block it names. Nine nested lists of ten aliases would add a billion.
MAX_ALIAS_NODES = 100_000

#: Levels of `all`, `any` and `not` inside one condition.
MAX_CONDITION_DEPTH = 32

#: RE2 program instructions of all `matches` patterns of a journey together: each
#: instruction costs memory and compile time (`.{1000}` alone is 8,000).
MAX_PATTERN_SIZE = 1_000_000
