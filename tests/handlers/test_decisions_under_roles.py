"""Issue 27: recording a decision, approving and communicating it, and the counts, through the web function with
exactly its template environment and under its role (every AWS call checked against the role CloudFormation gives
it)."""

from __future__ import annotations

import re

from tests.handlers.deployed import start
from tests.handlers.test_journeys_under_roles import overdue_cycle, sign_in, stack  # noqa: F401  (the fixture)


def test_a_decision_is_weighed_saved_and_counted_under_the_web_functions_role(stack, monkeypatch, http_event, clock):  # noqa: F811
    overdue_cycle(stack, clock)
    web = start(stack, "WebFunction", monkeypatch)

    manager = sign_in(stack, web, http_event, "E3")
    form = [("kind", "improvement_plan"), ("people", "E4"), ("summary", "A plan for the next quarter")]
    weighed = manager.post("/decisions/new", [*form, ("step", "weigh")], token_from="/decisions/new")
    assert "Improvement plan with no prior review naming the gap" in weighed["body"]
    saved = manager.post(
        "/decisions/new",
        [*form, ("step", "save"), ("justification", "Missed three releases")],
        token_from="/decisions/new",
    )
    assert saved["statusCode"] == 200 and "Awaiting HR approval" in saved["body"]

    hr = sign_in(stack, web, http_event, "E2")
    waiting = hr.get("/decisions")["body"]
    (decision_path,) = set(re.findall(r'href="(/decisions/[0-9a-f]+)"', waiting))
    approved = hr.post(f"{decision_path}/approve", [], token_from=decision_path)
    assert "The decision is approved" in approved["body"]
    told = hr.post(f"{decision_path}/communicate", [], token_from=decision_path)
    assert "The decision is communicated" in told["body"]

    counts = hr.get("/reports/decisions")  # HR sees leadership's counts too
    assert counts["statusCode"] == 200 and "Performance improvement plan" in counts["body"]
    assert "dynamodb:Query" in stack.recorder.actions("WebFunction")
