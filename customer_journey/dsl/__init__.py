"""The journey DSL: YAML text in, a compiled `JourneyModel` out, every mistake located."""

from customer_journey.dsl._compile import compile_journey, compile_mapping
from customer_journey.dsl._condition_compile import compile_if, compile_where
from customer_journey.dsl._patterns import Patterns, pattern_test
from customer_journey.dsl._scenario_file import (
    Assignment,
    Expectation,
    Scenario,
    ScenarioFile,
    format_value,
    parse_scenario_file,
    read_scenario_file,
)
from customer_journey.dsl._schema import journey_schema
from customer_journey.dsl._yaml import WHOLE_FILE_CODES, Locator, Path, parse_yaml

__all__ = [
    "WHOLE_FILE_CODES",
    "Assignment",
    "Expectation",
    "Locator",
    "Path",
    "Patterns",
    "Scenario",
    "ScenarioFile",
    "compile_if",
    "compile_journey",
    "compile_mapping",
    "compile_where",
    "format_value",
    "journey_schema",
    "parse_scenario_file",
    "parse_yaml",
    "pattern_test",
    "read_scenario_file",
]
