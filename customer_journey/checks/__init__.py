"""Lint: what a journey that loads fine says that is suspicious or can never happen."""

from customer_journey.checks._lint import RULES, lint

__all__ = ["RULES", "lint"]
