"""What every fuzz target shares: the budget, the hang guard, and what counts as an escape.

An *escape* is an exception from the library that is not one of its own errors (a
`CustomerJourneyError` subclass, and for some targets not even that), an own error that
breaks its own contract (a problem without a code, a location outside the file), or a
case that hangs. Targets raise `EscapeError` for each; the tests let it fail the example, and
`benchmarks/fuzz_long.py` collects them.
"""

from __future__ import annotations

import faulthandler
import re
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from customer_journey.errors import CustomerJourneyError, DataFileError, JourneyError

T = TypeVar("T")

#: The repository root, and the reference files beside it (read, never copied).
ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "dsl"

#: One call under test must end within this many seconds; one that does not is a hang, and
#: fails (`benchmarks/fuzz_long.py --hang` sets it).
CASE_SECONDS = 5.0
#: The suite's budget: deterministic (the same examples on every run) and small, so that
#: the whole folder runs in about 30 s. It does not shrink a failing case (shrinking these
#: inputs takes minutes): `benchmarks/fuzz_long.py --only TARGET` finds the minimal one.
CI = settings(
    max_examples=75,
    phases=[Phase.explicit, Phase.generate],
    deadline=timedelta(seconds=2),
    derandomize=True,
    database=None,
    print_blob=False,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: What every error, problem and rejection code looks like (kebab-case).
CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# What YAML counts as a line break (PyYAML's reader), for locations.
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
# Long runs of one character, shown as `«c*n»` in reproducers.
_RUN = re.compile(r"(.)\1{19,}", re.DOTALL)
# What a message must never show a marketer: Python's own spelling of an object.
_PYTHON_LEAK = re.compile(r"<class '|object at 0x|Traceback \(most recent call last\)|NoneType")


class EscapeError(AssertionError):
    """The library let something through that it must not, for the input in hand.

    Attributes:
        signature: what identifies the bug (exception type and the library line that raised
            it), so that `fuzz_long.py` can count distinct escapes.
    """

    def __init__(self, message: str, signature: str) -> None:
        super().__init__(message)
        self.signature = signature


class Target(NamedTuple):
    """One fuzz target: a strategy of inputs and the check each input must pass.

    Attributes:
        name: a short name for reports.
        area: the part of the library under test: `dsl`, `readers`, `engine` or `cli`.
        strategy: the inputs.
        check: raises `EscapeError` when the library mishandles the input.
        available: why the target cannot run here (a missing file), or None.
    """

    name: str
    area: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]
    available: Callable[[], str | None] = lambda: None


class _Hang(BaseException):
    """Raised by the alarm inside a case that runs too long (a BaseException, so that no
    `except Exception` in the library swallows it)."""


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Fail a case that runs longer than `seconds` instead of hanging the run.

    On POSIX, in the main thread, SIGALRM interrupts Python code; a hang inside C code that
    never returns to Python is ended by `faulthandler`, which dumps the stack and exits.
    Elsewhere the case simply runs. `seconds` defaults to `CASE_SECONDS`.
    """
    seconds = CASE_SECONDS if seconds is None else seconds
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def interrupt(_signum: int, _frame: object) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(seconds * 6, exit=True)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


def signature_of(exc: BaseException) -> str:
    """The exception's type and the deepest library frame it passed through."""
    where = "outside the library"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if "customer_journey" in Path(frame.filename).parts:
            package = Path(frame.filename).parts.index("customer_journey")
            where = "/".join(Path(frame.filename).parts[package:]) + f":{frame.lineno}"
            break
    return f"{type(exc).__name__} at {where}"


def guarded(
    action: Callable[[], T],
    *,
    allowed: tuple[type[BaseException], ...] = (CustomerJourneyError,),
    text: str | None = None,
    source: str | None = None,
    seconds: float | None = None,
) -> T | BaseException:
    """Run `action`; return its result, or the allowed error it raised.

    Args:
        action: the call under test.
        allowed: the errors that are fine here; anything else is an escape.
        text: the journey or scenario text, when `action` reads one: the locations of a
            `JourneyError`'s problems in it must fall inside it.
        source: the name of that text in locations.
        seconds: the hang limit (default `CASE_SECONDS`).

    Raises:
        EscapeError: any other exception, a hang, or an allowed error that breaks its contract.
    """
    try:
        with time_limit(seconds):
            result = action()
    except _Hang:
        limit = CASE_SECONDS if seconds is None else seconds
        raise EscapeError(f"no result within {limit:g} s", "hang") from None
    except allowed as exc:
        check_own_error(exc, text, source)
        return exc
    except (KeyboardInterrupt, EscapeError):
        raise
    except BaseException as exc:  # anything else is exactly what we look for
        message = f"{type(exc).__name__}: {_shorten(str(exc))}"
        raise EscapeError(message, signature_of(exc)) from exc
    return result


def check_own_error(exc: BaseException, text: str | None, source: str | None) -> None:
    """An own error must say what is wrong: a code, a message, and places inside the file.

    A location in `text` (named `source`) must be on one of its lines, at a column from 1
    to one past the line's end.
    """
    if not isinstance(exc, CustomerJourneyError):
        return
    shown = str(exc)
    _expect(bool(shown.strip()), f"{type(exc).__name__} with an empty message", "empty-message")
    if isinstance(exc, (JourneyError, DataFileError)):  # about a file: a marketer reads it
        _expect(not _PYTHON_LEAK.search(shown), f"Python leaks into: {_shorten(shown)}", "leak")
    code = getattr(exc, "code", "")
    _expect(bool(CODE.fullmatch(code)), f"bad error code {code!r}", "bad-code")
    if not isinstance(exc, JourneyError):
        return
    _expect(bool(exc.problems), "a JourneyError without problems", "no-problems")
    lines = [] if text is None else _LINE_BREAK.split(text)
    for problem in exc.problems:
        _expect(bool(CODE.fullmatch(problem.code)), f"bad problem code in {problem}", "bad-code")
        _expect(bool(problem.message.strip()), f"an empty problem message: {problem}", "empty")
        where = problem.location
        if where is None or text is None or where.source != source:
            continue
        inside = 1 <= where.line <= len(lines)
        _expect(inside, f"{problem} is outside the file's {len(lines)} lines", "bad-location")
        width = len(lines[where.line - 1])
        inside = 1 <= where.column <= width + 1
        _expect(inside, f"{problem} is outside its line's {width} characters", "bad-location")


def _expect(condition: bool, message: str, kind: str) -> None:
    if not condition:
        raise EscapeError(message, f"contract: {kind}")


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def compact(value: object, limit: int = 1500) -> str:
    """`repr(value)` (or the text itself) with long runs of one character written `«c*n»`,
    cut at `limit`: reproducers stay readable, and hypothesis does not print megabytes."""
    text = value if isinstance(value, str) else _repr(value)
    text = _RUN.sub(lambda run: f"«{run.group(1)!r}*{len(run.group(0))}»", text)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _repr(value: object) -> str:
    """`repr`, even of integers too long for Python to write out (more than 4300 digits,
    which `repr` refuses) inside the containers the generated cases use."""
    try:
        return repr(value)
    except ValueError:
        pass
    if isinstance(value, int):
        return f"<a {value.bit_length()}-bit integer>"
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        pairs = zip(value._fields, value, strict=True)
        return f"{type(value).__name__}(" + ", ".join(f"{k}={_repr(v)}" for k, v in pairs) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_repr(k)}: {_repr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple, set)):
        return f"{type(value).__name__}([{', '.join(_repr(item) for item in value)}])"
    return f"<a {type(value).__name__}>"
