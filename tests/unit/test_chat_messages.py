"""Every kind of message, rendered for each chat channel, carries nothing its email would not (issue 28, point 5):
no word, name, figure or link that is not in the email; a shared channel's knock carries nobody's name and no link
but the person's tasks. A new email template fails `test_every_message_kind_is_walked` until it has a row here."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from pathlib import Path
from types import SimpleNamespace as NS
from typing import Any

import pytest

from service.adapters.chat import slack_payload, teams_adaptive, teams_card
from service.adapters.documents import TEMPLATES, render
from service.domain.notifications import knock, message_of
from service.domain.reminders import DueItem, DueKind

BASE = "https://reviews.example"
KATHERINE, ALAN = NS(name="Katherine Johnson"), NS(name="Alan Turing")
CYCLE = NS(name="2026 annual review", cycle_id="c1")
# Who answered Alan's peer feedback: in no email, so in no chat message either.
ANONYMOUS_GIVERS = ("Edsger Dijkstra", "Barbara Liskov")
TASK = NS(
    label="Self assessment", subject_name="Katherine Johnson", cycle_name=CYCLE.name, due=date(2026, 3, 10), days=4
)
TOPIC = NS(topic="Public speaking", people=7, score=12.5, previous_people=None, suppressed=False)
REPORT = NS(
    cycle_name=CYCLE.name,
    suppressed=False,
    held=False,
    threshold=5,
    people_with_needs=9,
    previous_cycle=None,
    topics=[TOPIC, NS(topic="Hidden", people=None, score=None, previous_people=None, suppressed=True)],
    programme=NS(topics=[TOPIC], coverage_percent=80),
    obstacles=NS(by_area=[NS(area="Tools and processes", obstacles=6), NS(area="Leadership", obstacles=None)]),
)

# (subject, template, context): one row per kind of message (and per branch worth walking)
KINDS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "Your feedback on Alan Turing",
        "email/feedback_request.txt",
        {"kind": "peer", "subject": ALAN, "cycle": CYCLE, "due": date(2026, 3, 20), "url": f"{BASE}/feedback/c1/E3"},
    ),
    (
        "Feedback on your manager",
        "email/feedback_request.txt",
        {"kind": "upward", "subject": ALAN, "cycle": CYCLE, "due": None, "url": f"{BASE}/feedback/c1/E3"},
    ),
    (
        "Peer reviewers to approve for Katherine Johnson",
        "email/nominations.txt",
        {
            "for_manager": ALAN,  # the acting manager's branch (issue 28): it names the manager they act for
            "subject": KATHERINE,
            "cycle": CYCLE,
            "settings": NS(nomination_deadline=date(2026, 3, 5)),
            "url": f"{BASE}/cycles/c1/reviews/E4/nominations",
        },
    ),
    (
        "Overdue review tasks (1)",
        "email/reminder.txt",
        {
            "person": KATHERINE,
            "tasks": [TASK],
            "feedback": [
                NS(
                    kind="upward",
                    subject_name="Alan Turing",
                    cycle_name=CYCLE.name,
                    due="2026-03-20",
                    cycle_id="c1",
                    subject_id="E3",
                )
            ],
            "notices": (
                NS(subject="Your feedback on Alan Turing", text="Answer or decline: " + f"{BASE}/feedback/c1/E3"),
            ),
            "checkins": [DueItem(DueKind.CHECK_IN, "g1", "Ship the parser", date(2026, 3, 9))],
            "base_url": BASE,
        },
    ),
    (
        "A review has started: Katherine Johnson",
        "email/scheduled_review.txt",
        {
            "person": KATHERINE,
            "cycle": NS(
                name="Probation review, 2026-03-02",
                cycle_id="sched-r1-20260302",
                period_end=date(2026, 3, 2),
                phases={"self_assessment": date(2026, 3, 9), "manager_assessment": date(2026, 3, 16)},
            ),
            "url": f"{BASE}/cycles/sched-r1-20260302/reviews/E4",
        },
    ),
    (
        "Review tasks 3+ days overdue in your team (1)",
        "email/escalation.txt",
        {"person": ALAN, "tasks": [{**TASK.__dict__, "owner_name": "Katherine Johnson"}]},
    ),
    (
        "Training-need report: 2026 annual review",
        "email/training_report.txt",
        {
            "person": NS(name="Ada Lovelace"),
            "reason": "close",
            "r": REPORT,
            "links": NS(page=f"{BASE}/reports/training", pdf=f"{BASE}/reports/training.pdf"),
        },
    ),
    # issue 28, point 3: an acting manager named or revoked; reviews moved by a change of manager
    (
        "Acting manager for Alan Turing: Katherine Johnson (named)",
        "email/delegation.txt",
        {
            "d": NS(starts=date(2026, 3, 1), ends=date(2026, 3, 10)),
            "manager": ALAN,
            "acting": KATHERINE,
            "what": "named",
        },
    ),
    (
        "Acting manager for Alan Turing: Katherine Johnson (revoked)",
        "email/delegation.txt",
        {
            "d": NS(starts=date(2026, 3, 1), ends=date(2026, 3, 10)),
            "manager": ALAN,
            "acting": KATHERINE,
            "what": "revoked",
        },
    ),
    (
        "Acting manager for Alan Turing: Katherine Johnson (ended)",
        "email/delegation.txt",
        {
            "d": NS(starts=date(2026, 3, 1), ends=date(2026, 3, 10)),
            "manager": ALAN,
            "acting": KATHERINE,
            "what": "ended",
        },
    ),
    (
        "Reviews moved to Katherine Johnson",
        "email/manager_change.txt",
        {
            "old": ALAN,
            "new": KATHERINE,
            "moves": [NS(employee_name="Grace Hopper", cycle_name=CYCLE.name, draft_kept=True)],
        },
    ),
    (
        "A review has started: Katherine Johnson",
        "email/scheduled_review.txt",
        {
            "person": KATHERINE,
            "cycle": NS(name=CYCLE.name, period_end=date(2026, 6, 30), phases={"self_assessment": date(2026, 3, 10)}),
            "url": f"{BASE}/cycles/c1/reviews/E4",
        },
    ),
]


def _strings(payload: Any) -> list[str]:
    """Every text a chat shows: the values of `text`, `title` and `summary`, anywhere in the payload."""
    if isinstance(payload, dict):
        found = [unescape(v) for k, v in payload.items() if k in ("text", "title", "summary") and isinstance(v, str)]
        return found + [s for v in payload.values() if not isinstance(v, str) for s in _strings(v)]
    if isinstance(payload, list):
        return [s for v in payload for s in _strings(v)]
    return []


def _words(text: str) -> set[str]:
    return set(text.split())


def _renderings(subject: str, text: str) -> dict[str, Any]:
    message = message_of(subject, text)
    return {
        "slack": slack_payload(message),
        "teams card": teams_card(message),
        "teams workflow": teams_adaptive(message, "katherine@example.com"),
    }


def test_every_message_kind_is_walked():
    walked = {template for _, template, _ in KINDS}
    assert walked == {f"email/{p.name}" for p in (Path(TEMPLATES) / "email").glob("*.txt")}


@pytest.mark.parametrize(("subject", "template", "context"), KINDS, ids=[f"{t}:{s}" for s, t, _ in KINDS])
def test_a_chat_message_carries_only_what_its_email_says(subject, template, context):
    text = render(template, **context)
    email_words, email_links = _words(f"{subject}\n{text}"), set(re.findall(r"https?://\S+", text))
    for channel, payload in _renderings(subject, text).items():
        shown = " ".join(_strings(payload))
        assert _words(shown) <= email_words, (channel, _words(shown) - email_words)
        assert set(re.findall(r"https?://\S+", shown)) <= email_links, channel
        assert _strings(payload)[0] == subject  # the title is the email's subject
        for name in ANONYMOUS_GIVERS:
            assert name not in shown, channel


def test_a_shared_channel_knock_names_nobody_and_links_only_to_the_tasks():
    message = knock("katherine@example.com", f"{BASE}/")
    for payload in (slack_payload(message), teams_card(message)):
        shown = " ".join(_strings(payload))
        assert "Alan" not in shown and "Katherine" not in shown and "feedback" not in shown.lower()
        assert re.findall(r"https?://\S+", shown) == [f"{BASE}/"]
