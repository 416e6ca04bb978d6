"""Anonymity holds in every output the reviewee and their manager can reach, for groups of 2, 3 and 4 answers.

Two checks, each over pages, JSON, response headers (ETags), error messages and emails:

- no reviewer's name, id or email appears in what the reviewee or their manager can read (the nomination
  list aside: the employee chose those names, it only says who was asked);
- the same answers given by different reviewers produce byte-identical outputs for the reviewee and their
  manager, the nomination list included: nothing tells who answered, not even by order, counts or timing.

The peer group is about Katherine (F4, managed by Alan, F3); the reviewers are four colleagues of another
team (F20–F23, managed by Nadia, F30), who also give upward feedback about Nadia (managed by Ada, F1).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from service.adapters.clock import FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services import cycles as cycle_svc
from service.services import feedback_answers, feedback_nominations
from service.services import reminders as reminder_svc
from service.services import reviews as review_svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.api.conftest import NOW
from tests.conftest import AuthActions

ORG = """employee_id,name,email,title,department,manager_id,roles
F1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership
F2,Grace Hopper,grace@example.com,Head of People,People,F1,hr
F3,Alan Turing,alan@example.com,Engineering Manager,Engineering,F1,
F4,Katherine Johnson,katherine@example.com,Engineer,Engineering,F3,
F30,Nadia Petrova,nadia@example.com,Product Manager,Product,F1,
F20,Quentin Quirrell,quentin.q@example.com,Designer,Product,F30,
F21,Rosalind Franklin,rosalind.f@example.com,Researcher,Product,F30,
F22,Sergei Brin,sergei.b@example.com,Analyst,Product,F30,
F23,Tabitha Twitchit,tabitha.t@example.com,Writer,Product,F30,
"""
REVIEWERS = {
    "F20": ("Quentin Quirrell", "quentin.q@example.com"),
    "F21": ("Rosalind Franklin", "rosalind.f@example.com"),
    "F22": ("Sergei Brin", "sergei.b@example.com"),
    "F23": ("Tabitha Twitchit", "tabitha.t@example.com"),
}
TEMPLATE = f.template_data(
    questions={
        "self": [{"id": "proud", "text": "What are you proud of?", "required": True}],
        "manager": [],
        "peer": [{"id": "strength", "text": "What does this person do especially well?", "required": False}],
        "upward": [{"id": "support", "text": "How could your manager support you better?", "required": False}],
    }
)
# The k-th answer, whoever gives it: the same answers in every world.
CONTENT = [
    {"ratings": {"delivery": 4, "collaboration": 3}, "answers": {"strength": "Clear designs", "support": "More 1:1s"}},
    {
        "ratings": {"delivery": 2, "collaboration": 4},
        "answers": {"strength": "Patient reviews", "support": "Less churn"},
    },
    {"ratings": {"delivery": 3, "collaboration": 3}, "answers": {"strength": "Calm in incidents", "support": ""}},
    {"ratings": {"delivery": 4}, "answers": {"strength": "Writes it down", "support": "Share the roadmap"}},
]


def _only(content: dict[str, Any], question: str) -> dict[str, Any]:
    return {"ratings": content["ratings"], "answers": {question: content["answers"][question]}}


def build(answered: list[str]) -> tuple[Any, str, MemoryMailer]:
    """An app over a fresh table where `answered` gave the k-th answers (peer about F4, upward about F30)."""
    table, clock = MemoryTable(), FixedClock(NOW)
    import_organisation(UnitOfWork(table), None, ORG, clock)
    hr = f.principal(table, "F2")
    template = template_svc.create_template(UnitOfWork(table), hr, TEMPLATE, clock)
    c = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id), clock)
    cycle_svc.launch_cycle(UnitOfWork(table), hr, c.cycle_id, c.version, clock, f.inline_queue(table, clock))
    cid = c.cycle_id
    feedback_nominations.nominate_peers(UnitOfWork(table), f.principal(table, "F4"), cid, "F4", list(REVIEWERS), clock)
    feedback_nominations.decide_nominations(
        UnitOfWork(table), f.principal(table, "F3"), cid, "F4", list(REVIEWERS), [], [], clock
    )
    feedback_nominations.request_upward(UnitOfWork(table), hr, cid, clock)
    for k, reviewer in enumerate(answered):
        feedback_answers.submit_answer(
            UnitOfWork(table), f.principal(table, reviewer), cid, "F4", _only(CONTENT[k], "strength"), clock
        )
        feedback_answers.submit_answer(
            UnitOfWork(table), f.principal(table, reviewer), cid, "F30", _only(CONTENT[k], "support"), clock
        )
    for reviewer in REVIEWERS:
        if reviewer not in answered:  # a draft is only ever its author's
            feedback_answers.save_draft(
                UnitOfWork(table), f.principal(table, reviewer), cid, "F4", _only(CONTENT[0], "strength"), 0, clock
            )
    v = review_svc.open_review(UnitOfWork(table), f.principal(table, "F4"), cid, "F4").version
    v = review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "F4"), cid, "F4", f.self_content(), v, True, clock
    ).version
    review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, "F3"), cid, "F4", f.manager_content(owner_id="F3"), v, True, clock
    )
    from service.web import create_app

    app = create_app(Settings(secret_key="anonymity-" + "x" * 20), table=table, clock=clock)
    app.config["TESTING"] = True
    mailer = MemoryMailer()
    app.extensions["reviews"].extras["mailer"] = mailer
    late = FixedClock(NOW.replace(month=4, day=20))  # everything overdue: reminders go to everyone
    reminder_svc.send_reminders(UnitOfWork(table), mailer, late)
    return app, cid, mailer


CSRF = re.compile(r'(name="csrf_token" value="|data-csrf="|"csrf_token": ")[^"]+')


def _text(resp) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in resp.headers.items() if k.lower() not in ("set-cookie", "date"))
    return CSRF.sub(r"\1-", f"{resp.status_code}\n{headers}\n{resp.get_data(as_text=True)}")


def _pdf_text(resp) -> str:
    """A summary PDF as its reader gets it: status, headers, its text (pdftotext) and its metadata (pdfinfo)."""
    import subprocess
    import tempfile
    from pathlib import Path

    if resp.status_code != 200:
        return _text(resp)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "summary.pdf"
        path.write_bytes(resp.get_data())
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        info = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    headers = "\n".join(f"{k}: {v}" for k, v in resp.headers.items() if k.lower() not in ("set-cookie", "date"))
    return f"{headers}\n{info}\n{text}"


def outputs(app, cid: str, mailer: MemoryMailer, pdfs: bool = False) -> dict[str, str]:
    """Everything the reviewees (F4, F30) and their managers (F3, F1) can obtain about the feedback (with
    `pdfs`, their appraisal summaries too, read back as text and metadata)."""
    seen: dict[str, str] = {}
    for reader, subject in (("F4", "F4"), ("F3", "F4"), ("F30", "F30"), ("F1", "F30")):
        client = app.test_client()
        auth = AuthActions(client)
        auth.login(reader)
        h = auth.headers()
        review = f"/cycles/{cid}/reviews/{subject}"
        for url in (
            review,
            f"/api{review}",
            f"{review}/feedback",
            f"/api{review}/feedback",
            f"{review}/nominations",
            f"/api{review}/nominations",
            "/",
            "/feedback",
            "/api/feedback/requests",
            f"/feedback/{cid}/{subject}",  # refused: nobody answers about themselves / no request
            f"/api/feedback/{cid}/{subject}",
            f"/api/people/{subject}/notes",
            f"/people/{subject}/history",
            f"/api/people/{subject}/history",
        ):
            seen[f"{reader} GET {url}"] = _text(client.get(url))
        if pdfs:
            seen[f"{reader} GET {review}/summary.pdf"] = _pdf_text(client.get(f"{review}/summary.pdf"))
        # Refusals: answering, declining or saving a draft about someone they were not asked about.
        body = {"ratings": {"delivery": 3}, "answers": {}}
        for url in (f"/api/feedback/{cid}/{subject}/answer", f"/api/feedback/{cid}/{subject}/decline"):
            seen[f"{reader} POST {url}"] = _text(client.post(url, json=body, headers=h))
        seen[f"{reader} PUT draft"] = _text(
            client.put(f"/api/feedback/{cid}/{subject}/draft", json=body, headers={**h, "If-Match": '"0"'})
        )
    people = {
        "F4": "katherine@example.com",
        "F3": "alan@example.com",
        "F30": "nadia@example.com",
        "F1": "ada@example.com",
    }
    for who, address in people.items():
        seen[f"emails to {who}"] = "\n".join(f"{m.subject}\n{m.text}" for m in mailer.sent if address in m.to)
    return seen


# Pages that name colleagues for what they are: the list of whom the employee asked, the directory to send a
# note to. The identical-world test shows they do not change with who answered.
NAMES_OK_ON = ("nominations", "GET /feedback")


@pytest.mark.parametrize("n", [2, 3, 4])
def test_no_reviewer_is_named_in_anything_the_reviewee_or_manager_can_obtain(n):
    answered = list(REVIEWERS)[:n]
    app, cid, mailer = build(answered)
    seen = outputs(app, cid, mailer, pdfs=True)
    assert any("Clear designs" in text for text in seen.values()) == (n >= 3), "the group shows from 3 answers"
    pdf = seen["F4 GET /cycles/" + cid + "/reviews/F4/summary.pdf"]
    assert "Appraisal summary" in pdf and ("Clear designs" in pdf) == (n >= 3), "the PDF shows the group from 3"
    for name, text in seen.items():
        if any(name.endswith(k) for k in NAMES_OK_ON) or name.startswith(
            ("F30", "F1", "emails to F30", "emails to F1")
        ):
            continue  # Nadia's own team is named on her pages as her team: the identical-world test covers them
        for reviewer_id, (person, email) in REVIEWERS.items():
            for leak in (person, person.split()[0], email, f'"{reviewer_id}"', f"/{reviewer_id}", f"{reviewer_id}<"):
                assert leak not in text, f"{leak!r} in {name}"


@pytest.mark.parametrize("n", [2, 3, 4])
def test_who_answered_changes_nothing_the_reviewee_or_manager_can_obtain(n):
    first = list(REVIEWERS)[:n]
    other = list(reversed(list(REVIEWERS)))[:n]  # other people (or the same in another order) give the same answers
    seen_a = outputs(*build(first))
    seen_b = outputs(*build(other))
    assert seen_a.keys() == seen_b.keys()
    differing = [k for k in seen_a if seen_a[k] != seen_b[k]]
    assert not differing, f"differs with who answered: {differing[:3]}\n{_first_diff(seen_a, seen_b, differing)}"


def _first_diff(a: dict[str, str], b: dict[str, str], keys: list[str]) -> str:
    if not keys:
        return ""
    x, y = a[keys[0]], b[keys[0]]
    i = next((i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y)))
    return f"{x[max(0, i - 200) : i + 200]!r}\n---\n{y[max(0, i - 200) : i + 200]!r}"


def test_the_score_uses_the_group_only_once_it_is_shown():
    for n, used in ((2, False), (3, True)):
        app, cid, _ = build(list(REVIEWERS)[:n])
        client = app.test_client()
        AuthActions(client).login("F3")
        score = client.get(f"/api/cycles/{cid}/reviews/F4").get_json()["score"]
        assert {p["name"]: p["used"] for p in score["parts"]}["feedback"] is used
        assert json.dumps(score).count("feedback") >= 1
