"""Lint: what a journey that loads fine says that is suspicious or can never happen."""

from customer_journey.checks._lint import lint
from customer_journey.checks._rules import RULES

__all__ = ["RULES", "lint"]
