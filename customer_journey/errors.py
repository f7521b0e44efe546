"""Errors and problem records shared by every layer.

A marketer's mistake in a journey file is a `Problem` with a `Location`; the loader gathers
all of them and raises one `JourneyError`. Bad input records become `Rejection`s (see
`customer_journey.readers`) and only raise `RecordError` in strict mode.
"""

from __future__ import annotations

import enum

import attrs

__all__ = [
    "ArgumentError",
    "CustomerJourneyError",
    "DataFileError",
    "JourneyError",
    "Location",
    "OutOfOrderEventError",
    "Problem",
    "RecordError",
    "Severity",
    "StoreError",
    "StoreJourneyError",
    "StoreSchemaError",
    "UngroupedInputError",
]


class CustomerJourneyError(Exception):
    """Root of every error this library raises on purpose.

    Every subclass has a stable kebab-case `code`, listed in the error reference like the
    codes of `Problem`s and rejections.
    """

    code: str


class Severity(str, enum.Enum):
    """How serious a problem is: errors stop a journey from loading, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class Location:
    """A 1-based position in a source file (PyYAML marks are 0-based; we add one)."""

    source: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}"


@attrs.frozen
class Problem:
    """One mistake found in a journey or scenario file.

    Attributes:
        location: where the node at fault starts, or None when it has no place in a file.
        code: a stable kebab-case identifier documented in the error reference.
        message: the marketer-facing sentence, lower-case, names in single quotes.
        hint: how to fix it, when there is something useful to say.
        severity: error or warning.
    """

    location: Location | None
    code: str
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}{self.message}{hint} [{self.code}]"

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready mapping with a stable key order."""
        loc = self.location
        return {
            "source": loc.source if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class JourneyError(CustomerJourneyError, ValueError):
    """A journey (or scenario) file has mistakes; `problems` lists every one of them."""

    code = "invalid-journey"

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class RecordError(CustomerJourneyError, ValueError):
    """An input record cannot become an event (raised only in strict mode).

    `code` is the rejection's own code (`bad-timestamp`, `missing-field`, ...).
    """

    def __init__(self, source: str, row: int, reason: str, code: str = "bad-record") -> None:
        self.source = source
        self.row = row
        self.reason = reason
        self.code = code
        super().__init__(f"{source}:{row}: {reason}")


class DataFileError(CustomerJourneyError, OSError):
    """A data file cannot be read at all: missing, a directory, unreadable or corrupt.

    The message names the file and says why in words; `path` and `reason` hold both, and
    `code` says which case it is (`no-such-file`, `is-a-directory`, `corrupt-file`, ...).
    """

    def __init__(
        self, path: str, reason: str, code: str = "unreadable-file", errno: int | None = None
    ) -> None:
        super().__init__(f"cannot read '{path}': {reason}")
        self.path = path
        self.reason = reason
        self.code = code
        # What code that catches any `OSError` reads; `errno` is the system's, if any.
        self.filename = path
        self.strerror = reason
        self.errno = errno

    def __str__(self) -> str:
        return f"cannot read '{self.path}': {self.reason}"


class ArgumentError(CustomerJourneyError, TypeError, ValueError):
    """A public function was called with an argument it cannot use.

    The message follows "'name' must be X (got Y)". It subclasses both `TypeError` and
    `ValueError`, so callers that already catch either keep working.
    """

    code = "bad-argument"


class OutOfOrderEventError(CustomerJourneyError, ValueError):
    """An event given to the incremental step is earlier than the state's clock."""

    code = "out-of-order-event"


class UngroupedInputError(CustomerJourneyError, ValueError):
    """A one-shot stream revisits a customer with earlier events, so it cannot be replayed."""

    code = "ungrouped-input"


class StoreError(CustomerJourneyError):
    """A live store cannot be opened or used as asked (see `customer_journey.open_store`)."""

    code = "store-error"


class StoreJourneyError(StoreError, ValueError):
    """The store runs another journey (or none yet); `upgrade` is the way to change it."""

    code = "store-journey"


class StoreSchemaError(StoreError):
    """The database is not a store, or one made by a version with another schema."""

    code = "store-schema"
