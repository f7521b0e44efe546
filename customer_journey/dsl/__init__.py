"""The journey DSL: YAML text in, a compiled `JourneyModel` out, every mistake located."""

from customer_journey.dsl._compile import compile_journey, compile_mapping
from customer_journey.dsl._schema import journey_schema
from customer_journey.dsl._yaml import Locator, Path, parse_yaml

__all__ = [
    "Locator",
    "Path",
    "compile_journey",
    "compile_mapping",
    "journey_schema",
    "parse_yaml",
]
