"""`matches` runs on RE2: linear time, Python's meaning kept, refusals located with a hint."""

from __future__ import annotations

from typing import Any

import pytest

from customer_journey.dsl import limits
from customer_journey.dsl._condition_compile import compile_where
from customer_journey.dsl._conditions import Path, parse_where
from customer_journey.dsl._patterns import Patterns

NO_LINEAR_TIME = (
    "RE2, which matches in linear time, does not support backreferences or lookaround; "
    "test the text another way, or split the test into several conditions"
)
MOST_REPEATS = (
    "RE2, which matches in linear time, allows up to {1000}; use '+' or '*' for any number"
)
Problem = tuple[Path, str, str, str | None, bool]


def finds(pattern: str, text: str) -> bool:
    problems: list[Problem] = []
    patterns = Patterns()
    tree = parse_where(
        {"page": {"matches": pattern}}, report=lambda *p: problems.append(p), patterns=patterns
    )
    assert problems == []
    assert tree is not None
    return compile_where(tree, patterns.compile)({"page": text})


def refusal(pattern: str, patterns: Patterns | None = None) -> tuple[str, str | None]:
    """The message and hint of the one problem `pattern` gets."""
    problems: list[Problem] = []
    raw: Any = {"page": {"matches": pattern}}
    parse_where(raw, report=lambda *p: problems.append(p), patterns=patterns)
    [(path, code, message, hint, at_key)] = problems
    assert (path, code, at_key) == (("page", "matches"), "bad-regex", False)
    return message, hint


def test_a_pattern_that_backtracks_for_ever_in_python_is_answered_at_once() -> None:
    assert finds("^(a+)+$", "a" * 30 + "!") is False
    assert finds("^(a+)+$", "a" * 30) is True


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        ("blog", "/x/blog/", True),  # found anywhere, as `re.search` does
        ("^/blog/", "/x/blog/", False),
        ("^a{,3}$", "aaa", True),  # Python reads {,3} as {0,3}
        ("^a{,3}$", "aaaa", False),
        ("^a{,}$", "aaaa", True),
        ("^a{01}$", "a", True),
        ("end\\Z", "the end", True),  # Python's \Z is RE2's \z
        ("end\\Z", "the end\n", False),
        ("^[{,3}]$", ",", True),  # in a character class, braces are text
        ("^\\{,3}$", "{,3}", True),  # so are escaped ones
        ("^\\p{Greek}{2}$", "αβ", True),  # RE2's \p{..} and its braces
        ("^\\x{41}$", "A", True),
        ("^a{1,2,3}$", "a{1,2,3}", True),  # not a repetition: text, in both
    ],
)
def test_patterns_keep_pythons_meaning_where_only_the_spelling_differs(
    pattern: str, text: str, found: bool
) -> None:
    assert finds(pattern, text) is found


def test_a_text_with_a_lone_surrogate_is_matched_not_an_encoding_error() -> None:
    assert finds("^a", "a\ud800") is True
    assert finds("b", "a\ud800") is False


@pytest.mark.parametrize(
    ("pattern", "message", "hint"),
    [
        ("(a)\\1", "(a)\\1: invalid escape sequence at '\\1'", NO_LINEAR_TIME),
        ("(?P<x>a)(?P=x)", "(?P<x>a)(?P=x): invalid perl operator at '(?P'", NO_LINEAR_TIME),
        ("a(?=b)", "a(?=b): invalid perl operator at '(?='", NO_LINEAR_TIME),
        ("(?<!a)b", "(?<!a)b: invalid perl operator at '(?<!'", NO_LINEAR_TIME),
        (
            "a{99999999999}",
            "'a{99999999999}': '{99999999999}' repeats more than 1000 times",
            MOST_REPEATS,
        ),
        ("a{1001}", "'a{1001}': '{1001}' repeats more than 1000 times", MOST_REPEATS),
        ("a{,1001}", "'a{,1001}': '{,1001}' repeats more than 1000 times", MOST_REPEATS),
        (
            "(a{100}){100}",
            "'(a{100}){100}': invalid repetition size at '{100}'",
            "write {m,n} with m <= n <= 1000, nested ones multiplied",
        ),
        ("^/books/(", "^/books/(: missing ) at '^/books/('", None),
        ("[a", "'[a': missing ] at '[a'", None),
        ("a\\", "a\\: trailing \\", None),
    ],
)
def test_a_pattern_re2_cannot_run_is_one_problem_with_a_hint(
    pattern: str, message: str, hint: str | None
) -> None:
    assert refusal(pattern) == (f"'matches' has an invalid pattern {message}", hint)


def test_the_patterns_of_a_journey_share_one_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_PATTERN_SIZE", 10_000)
    patterns = Patterns()
    assert patterns.compile(".{1000}")("x" * 1000) is True  # 8,004 instructions
    assert patterns.compile(".{1000}")("x") is False  # the same pattern costs nothing more
    assert refusal(".{999}", patterns) == (
        "'matches' has an invalid pattern '.{999}': the journey's patterns are larger than "
        "10,000 RE2 instructions together",
        "use fewer or smaller repetitions ('.{1000}' alone is 8,000 instructions)",
    )
    assert refusal("a", patterns)[0].endswith("larger than 10,000 RE2 instructions together")
