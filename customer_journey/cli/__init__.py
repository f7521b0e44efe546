"""The `customer-journey` command line (console script `customer-journey`)."""

from customer_journey.cli._main import main

__all__ = ["main"]
