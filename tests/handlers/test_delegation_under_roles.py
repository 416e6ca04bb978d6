"""Issue 28, point 3: naming an acting manager, the acting manager writing a manager assessment draft, and a
contribution asked and given, through the web function (and a delegation's natural end, through the reminders
function) with exactly its template environment and under its role
(every AWS call checked against the role CloudFormation gives it)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from service.adapters.clock import FixedClock
from service.adapters.unit_of_work import UnitOfWork
from service.services import delegation as delegation_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV
from tests.handlers.conftest import LambdaContext
from tests.handlers.deployed import start
from tests.handlers.test_every_function_starts import scheduler_event
from tests.handlers.test_journeys_under_roles import overdue_cycle, sign_in, stack  # noqa: F401  (the fixture)


def test_an_acting_manager_and_a_contribution_under_the_web_functions_role(stack, monkeypatch, http_event, clock):  # noqa: F811
    cycle = overdue_cycle(stack, clock)
    web = start(stack, "WebFunction", monkeypatch)
    today = date.today()  # the functions read the real date

    manager = sign_in(stack, web, http_event, "E3")
    period = [("acting_id", "E2"), ("starts", today.isoformat()), ("ends", (today + timedelta(days=3)).isoformat())]
    named = manager.post("/delegations", period, token_from="/delegations")
    assert "Acting manager named" in named["body"] and "Acting now" in named["body"]
    review = f"/cycles/{cycle.cycle_id}/reviews/E5/contributions"
    asked = manager.post(review, [("contributor_id", "E4"), ("question", "How was the audit?")], token_from=review)
    assert "Asked:" in asked["body"]

    acting = sign_in(stack, web, http_event, "E2")  # HR, here acting for Alan Turing
    team = acting.get(f"/cycles/{cycle.cycle_id}/team")
    assert team["statusCode"] == 200 and "Edsger Dijkstra" in team["body"]
    assert "How was the audit?" in acting.get(review)["body"]  # the acting manager reads the contributions too

    contributor = sign_in(stack, web, http_event, "E4")
    page = contributor.get("/contributions")["body"]
    (action,) = set(re.findall(r'action="(/contributions/[^"]+)"', page))
    (version,) = set(re.findall(r'name="version" value="(\d+)"', page))
    sent = contributor.post(action, [("version", version), ("text", "Careful work.")], token_from="/contributions")
    assert "only the manager reads your contribution" in sent["body"]
    assert "dynamodb:Query" in stack.recorder.actions("WebFunction")


def test_the_reminders_function_records_a_delegations_natural_end_once_under_its_role(stack, monkeypatch, clock):  # noqa: F811
    import_organisation(UnitOfWork(stack.table), None, ORG_CSV, clock)
    week_ago = date.today() - timedelta(days=7)  # the functions read the real date
    then = FixedClock(datetime(week_ago.year, week_ago.month, week_ago.day, 9, tzinfo=UTC))
    period = {"manager_id": "E3", "acting_id": "E6", "starts": week_ago, "ends": week_ago + timedelta(days=2)}
    d = delegation_svc.name_acting_manager(UnitOfWork(stack.table), f.principal(stack.table, "E3"), period, then)

    reminders = start(stack, "RemindersFunction", monkeypatch)
    assert reminders(scheduler_event(), LambdaContext())["failed"] == 0
    reminders(scheduler_event(), LambdaContext())  # Lambda's retry
    trail = UnitOfWork(stack.table).audit.of_entity(f"DELEGATION#{d.delegation_id}")
    assert sorted(r["action"] for r in trail) == ["end", "name"]
    told = [m for m in stack.sent_emails() if "ended after its last day" in m.body]
    assert sorted(a for m in told for a in m.destinations["ToAddresses"]) == ["alan@example.com", "barbara@example.com"]
