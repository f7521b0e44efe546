"""customer_journey: executable customer journeys.

Declare a journey in YAML, load it once, and replay each customer's events to learn where
they are, what happened on the way, and which goals they reached.
"""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: importing typing would cost eight times the rest of this, and the
# names below are for type checkers only (mypy and pyright know this spelling too).
from customer_journey import _display

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from customer_journey._batch import ReplayBatch, ReplayTotals
    from customer_journey.analytics import Analysis, Comparison, analyze, compare
    from customer_journey.engine import (
        CustomerState,
        FrictionPoint,
        GoalStatus,
        Recommendation,
        ReplayResult,
        Suppression,
        TraceStep,
        Visit,
    )
    from customer_journey.errors import (
        ArgumentError,
        CustomerJourneyError,
        DataFileError,
        JourneyError,
        Location,
        OutOfOrderEventError,
        Problem,
        RecordError,
        Severity,
        StoreError,
        StoreJourneyError,
        StoreSchemaError,
        UngroupedInputError,
    )
    from customer_journey.journey import Journey, from_mapping, load, loads
    from customer_journey.model import Event, EventFields, JourneyModel
    from customer_journey.readers import EventSource, Rejection
    from customer_journey.store import Store, open_store

#: Where each public name is defined. Names are imported on first use, so that
#: `import customer_journey` stays cheap: the pytest plugin loads the package in every test
#: run of every project that installs it.
_HOMES = {
    "Analysis": "customer_journey.analytics",
    "ArgumentError": "customer_journey.errors",
    "Comparison": "customer_journey.analytics",
    "CustomerJourneyError": "customer_journey.errors",
    "CustomerState": "customer_journey.engine",
    "DataFileError": "customer_journey.errors",
    "Event": "customer_journey.model",
    "EventFields": "customer_journey.model",
    "EventSource": "customer_journey.readers",
    "FrictionPoint": "customer_journey.engine",
    "GoalStatus": "customer_journey.engine",
    "Journey": "customer_journey.journey",
    "JourneyError": "customer_journey.errors",
    "JourneyModel": "customer_journey.model",
    "Location": "customer_journey.errors",
    "OutOfOrderEventError": "customer_journey.errors",
    "Problem": "customer_journey.errors",
    "Recommendation": "customer_journey.engine",
    "RecordError": "customer_journey.errors",
    "Rejection": "customer_journey.readers",
    "ReplayBatch": "customer_journey._batch",
    "ReplayResult": "customer_journey.engine",
    "ReplayTotals": "customer_journey._batch",
    "Severity": "customer_journey.errors",
    "Store": "customer_journey.store",
    "StoreError": "customer_journey.errors",
    "StoreJourneyError": "customer_journey.errors",
    "StoreSchemaError": "customer_journey.errors",
    "Suppression": "customer_journey.engine",
    "TraceStep": "customer_journey.engine",
    "UngroupedInputError": "customer_journey.errors",
    "Visit": "customer_journey.engine",
    "analyze": "customer_journey.analytics",
    "compare": "customer_journey.analytics",
    "from_mapping": "customer_journey.journey",
    "load": "customer_journey.journey",
    "loads": "customer_journey.journey",
    "open_store": "customer_journey.store",
}

__all__ = [
    "Analysis",
    "ArgumentError",
    "Comparison",
    "CustomerJourneyError",
    "CustomerState",
    "DataFileError",
    "Event",
    "EventFields",
    "EventSource",
    "FrictionPoint",
    "GoalStatus",
    "Journey",
    "JourneyError",
    "JourneyModel",
    "Location",
    "OutOfOrderEventError",
    "Problem",
    "Recommendation",
    "RecordError",
    "Rejection",
    "ReplayBatch",
    "ReplayResult",
    "ReplayTotals",
    "Severity",
    "Store",
    "StoreError",
    "StoreJourneyError",
    "StoreSchemaError",
    "Suppression",
    "TraceStep",
    "UngroupedInputError",
    "Visit",
    "analyze",
    "compare",
    "from_mapping",
    "load",
    "loads",
    "open_store",
]


def _load_render() -> None:
    """Import `render`, which registers the notebook views of journeys, results and analyses."""
    import importlib  # noqa: PLC0415 - only when a notebook first shows an object

    importlib.import_module("customer_journey.render")


# The layers below `render` show themselves in notebooks through this registry; the root
# package, which may import every layer, says how to load the views on first use.
_display.set_loader(_load_render)


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        msg = f"module 'customer_journey' has no attribute '{name}'"
        raise AttributeError(msg)
    import importlib  # noqa: PLC0415 - only on the first use of a name

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
