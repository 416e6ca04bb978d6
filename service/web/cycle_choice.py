"""The cycle leadership's pages show: `?cycle=`, else the one chosen before, else the newest with data
(services/report_cycles.py states the rule). A choice made with a page's cycle choice (its form sends `chosen=1`)
is kept in the signed session cookie, so the next report opens on it too; nothing is written to the table."""

from __future__ import annotations

from dataclasses import replace

from flask import request, session

from service.domain.report_views import ReportView
from service.services.report_cycles import CycleChoice, choose_cycle
from service.web.auth import current_principal
from service.web.wiring import wiring

SESSION_KEY = "report_cycle"
ID_MAX = 200  # longer is no cycle id


def report_cycle(view: ReportView, asked: str | None = None) -> CycleChoice:
    """The cycle this request's page shows (`asked`, else `?cycle=`); a cycle chosen with the form is kept."""
    asked = (request.args.get("cycle") if asked is None else asked) or None
    if asked is not None and len(asked) > ID_MAX:
        asked = asked[:ID_MAX]
    kept = session.get(SESSION_KEY)
    choice = choose_cycle(wiring().uow(), view, asked, kept, current_principal())
    if asked and choice.chosen and request.args.get("chosen") == "1":
        if kept != asked:
            session[SESSION_KEY] = asked
        kept = asked
    return replace(choice, kept=choice.cycle is not None and choice.cycle.cycle_id == kept)


def status(choice: CycleChoice) -> int:
    """404 for a page asked for a cycle it does not list (it shows the default and says so), else 200."""
    return 404 if choice.unknown else 200
