"""Text for people: a customer's replay explained to a marketer."""

from customer_journey.render._explain import explain_text

__all__ = ["explain_text"]
