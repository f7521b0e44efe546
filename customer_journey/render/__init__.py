"""Text and HTML for people: explanations, analytics tables, diagrams and notebook views.

Importing render also registers its producers as the notebook display hooks of journeys,
replay results and analyses, which sit below it (see `customer_journey._display`).
"""

from customer_journey.render._analysis import analysis_text
from customer_journey.render._comparison import comparison_text
from customer_journey.render._diagram import dot, journey_html, mermaid
from customer_journey.render._explain import explain_text
from customer_journey.render._notebook import register
from customer_journey.render._report import analysis_html, report_html
from customer_journey.render._result_html import result_html

__all__ = [
    "analysis_html",
    "analysis_text",
    "comparison_text",
    "dot",
    "explain_text",
    "journey_html",
    "mermaid",
    "report_html",
    "result_html",
]

register()
