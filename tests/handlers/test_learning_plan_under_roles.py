"""Issue 27, point 4: the learning plan under each function's role, with exactly its template environment: an item
planned and marked done on the web function (the log entry in the same transaction), the record downloaded from
the PDF function (API Gateway routes it there), and an item coming due listed by the reminders function's daily
email (every AWS call checked against the role CloudFormation gives it)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.handlers.conftest import LambdaContext
from tests.handlers.deployed import start
from tests.handlers.test_every_function_starts import scheduler_event
from tests.handlers.test_journeys_under_roles import Browser, mails_to, sign_in, stack  # noqa: F401  (the fixture)


def test_plan_done_record_and_reminder_under_the_functions_roles(stack, monkeypatch, http_event):  # noqa: F811
    web = start(stack, "WebFunction", monkeypatch)
    me = sign_in(stack, web, http_event, "E4")
    soon = (date.today() + timedelta(days=7)).isoformat()  # the functions read the real date
    for title in ("Read Thinking in Systems", "Statistics course"):
        form = [("kind", "reading"), ("title", title), ("target_date", soon)]
        assert (
            f"“{title}” is in your learning plan."
            in me.post("/learning/plan", form, token_from="/learning/plan")["body"]
        )
    listed = me.get("/learning/plan")["body"]
    item = re.search(r'href="(/learning/plan/[^"]+)"><strong>Statistics course', listed).group(1)
    done = me.post(item, [("do", "done"), ("version", "1"), ("hours", "3"), ("learnt", "priors")], token_from=item)
    assert "is now in your learning log" in done["body"] and "See it in your learning log" in done["body"]
    (entry,) = set(
        re.findall(r'<input type="checkbox" name="activity" value="([^"]+)"', me.get("/learning/record")["body"])
    )

    pdf = start(stack, "PdfFunction", monkeypatch)
    on_pdf = Browser(pdf, http_event)
    on_pdf.cookies = dict(me.cookies)
    record = on_pdf.get(f"/learning/record.pdf?activity={entry}&needs=1")
    assert record["statusCode"] == 200 and record["headers"]["content-type"] == "application/pdf"

    reminders = start(stack, "RemindersFunction", monkeypatch)
    assert reminders(scheduler_event(), LambdaContext())["failed"] == 0
    (daily,) = mails_to(stack, "katherine@example.com")
    assert "Read Thinking in Systems" in daily.body and "Statistics course" not in daily.body
    assert "dynamodb:Query" in stack.recorder.actions("RemindersFunction")
