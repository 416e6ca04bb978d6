"""Leadership's report views, by what counts as their data when the cycle they open on is chosen
(services/report_cycles.py states the rule)."""

from __future__ import annotations

from enum import StrEnum


class ReportView(StrEnum):
    """A leadership view, by what counts as its data."""

    HOME = "home"  # leadership's overview on the home page: goals, submitted reviews or training figures
    GOALS = "goals"  # organisation goals and the alignment report: individual goals
    TRAINING = "training"  # the training-need report: enough people named a need for figures to show
