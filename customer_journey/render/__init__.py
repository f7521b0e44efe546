"""Text for people: a customer's replay explained, and journey analytics as tables."""

from customer_journey.render._analysis import analysis_text
from customer_journey.render._comparison import comparison_text
from customer_journey.render._explain import explain_text

__all__ = ["analysis_text", "comparison_text", "explain_text"]
