"""The HTML report: the journey map and the analytics of a journey on one offline page."""

from customer_journey.render._report._page import analysis_html, report_html

__all__ = ["analysis_html", "report_html"]
