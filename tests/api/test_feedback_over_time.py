"""Anonymity over time: answers arrive one by one, and after each one every reader reads everything they can
obtain about the feedback (JSON, pages, the summary PDF's text through its template context). No reader can tie
a comment to its author by comparing what they read before and after an answer.

The proof is by indistinguishability. Two worlds replay the same events in the same order (the same reviewers
answer at the same steps, the manager submits or the deadline passes at the same moment); only which reviewer
wrote which answer differs (world B gives reviewer k the answer world A gives reviewer 7 - k). Every read of
every reader is the same in both worlds, so nothing any reader sees, in any sequence of reads, depends on who
wrote what. On top of that, for each reader: the set of visible comments changes at most once, at the release;
HR's who-has-answered list never changes at the same read as the comments; readers above the manager never see
a comment; before the release nothing the reviewee or the manager reads moves with an answer; an answer after
the release is refused and changes nothing.

Katherine (F4) is reviewed; Alan (F3) is her manager, Dora (F6, leadership) his manager, Ada (F1, chief
executive) above; Grace (F2) is HR. Six colleagues of another team (F20-F25) are asked; five answer.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.domain.errors import NotFound, PermissionDenied
from service.pdf.documents import summary_html
from service.services import cycles as cycle_svc
from service.services import feedback_answers, feedback_nominations, summaries
from service.services import reviews as review_svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.api.conftest import NOW
from tests.conftest import AuthActions

ORG = """employee_id,name,email,title,department,manager_id,roles
F1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership
F2,Grace Hopper,grace@example.com,Head of People,People,F1,hr
F6,Dora Director,dora@example.com,Director of Engineering,Engineering,F1,leadership
F3,Alan Turing,alan@example.com,Engineering Manager,Engineering,F6,
F4,Katherine Johnson,katherine@example.com,Engineer,Engineering,F3,
F30,Nadia Petrova,nadia@example.com,Product Manager,Product,F1,
F20,Quentin Quirrell,quentin.q@example.com,Designer,Product,F30,
F21,Rosalind Franklin,rosalind.f@example.com,Researcher,Product,F30,
F22,Sergei Brin,sergei.b@example.com,Analyst,Product,F30,
F23,Tabitha Twitchit,tabitha.t@example.com,Writer,Product,F30,
F24,Umberto Eco,umberto.e@example.com,Editor,Product,F30,
F25,Vera Rubin,vera.r@example.com,Scientist,Product,F30,
"""
REVIEWERS = ["F20", "F21", "F22", "F23", "F24", "F25"]
ANSWERING = REVIEWERS[:5]  # F25 is asked and tries to answer after the release
TEXTS = ["Clear designs", "Patient reviews", "Calm in incidents", "Writes it down", "Mentors new joiners"]
RATINGS = [4, 2, 3, 4, 1]
TEMPLATE = f.template_data(
    questions={
        "self": [{"id": "proud", "text": "What are you proud of?", "required": True}],
        "manager": [],
        "peer": [{"id": "strength", "text": "What does this person do especially well?", "required": False}],
        "upward": [],
    }
)
READERS = {"F4": "reviewee", "F3": "manager", "F6": "skip-level (leadership)", "F1": "chief executive", "F2": "HR"}
CLOSING = datetime(2026, 3, 21, 0, 5, tzinfo=UTC)  # after the deadline's midnight: closed, not yet released
RELEASED = datetime(2026, 3, 21, 0, 15, tzinfo=UTC)
CSRF = re.compile(r'(name="csrf_token" value="|data-csrf="|"csrf_token": ")[^"]+')


def content(k: int) -> dict[str, Any]:
    """The k-th answer (whoever gives it)."""
    return {"ratings": {"delivery": RATINGS[k], "collaboration": 5 - RATINGS[k]}, "answers": {"strength": TEXTS[k]}}


class World:
    """One organisation where reviewer `ANSWERING[i]` gives answer `order[i]`."""

    def __init__(self, order: list[int]) -> None:
        self.order = order
        self.table, self.clock = MemoryTable(), FixedClock(NOW)
        table, clock = self.table, self.clock
        import_organisation(UnitOfWork(table), None, ORG, clock)
        hr = f.principal(table, "F2")
        template = template_svc.create_template(UnitOfWork(table), hr, TEMPLATE, clock)
        c = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id), clock)
        cycle_svc.launch_cycle(UnitOfWork(table), hr, c.cycle_id, c.version, clock, f.inline_queue(table, clock))
        self.cid = cid = c.cycle_id
        feedback_nominations.nominate_peers(UnitOfWork(table), f.principal(table, "F4"), cid, "F4", REVIEWERS, clock)
        feedback_nominations.decide_nominations(
            UnitOfWork(table), f.principal(table, "F3"), cid, "F4", REVIEWERS, [], [], clock
        )
        v = review_svc.open_review(UnitOfWork(table), f.principal(table, "F4"), cid, "F4").version
        self.version = review_svc.save_self_assessment(
            UnitOfWork(table), f.principal(table, "F4"), cid, "F4", f.self_content(), v, True, clock
        ).version
        from service.web import create_app

        self.app = create_app(Settings(secret_key="over-time-" + "x" * 20), table=table, clock=clock)
        self.app.config["TESTING"] = True
        self.clients = {}
        for reader in READERS:
            client = self.app.test_client()
            AuthActions(client).login(reader)
            self.clients[reader] = client

    def answer(self, i: int) -> None:
        """The i-th reviewer to answer submits their answer."""
        who = f.principal(self.table, ANSWERING[i])
        feedback_answers.submit_answer(UnitOfWork(self.table), who, self.cid, "F4", content(self.order[i]), self.clock)

    def manager_submits(self) -> None:
        """Alan submits the manager assessment."""
        review_svc.save_manager_assessment(
            UnitOfWork(self.table),
            f.principal(self.table, "F3"),
            self.cid,
            "F4",
            f.manager_content(owner_id="F3"),
            self.version,
            True,
            self.clock,
        )

    def late_answer(self) -> int:
        """F25 answers after the release, through the API: the status code."""
        client = self.app.test_client()
        auth = AuthActions(client)
        auth.login("F25")
        url = f"/api/feedback/{self.cid}/F4/answer"
        return client.post(url, json=content(0), headers=auth.headers()).status_code

    def reads(self) -> dict[str, dict[str, str]]:
        """Everything each reader can obtain about Katherine's feedback now: reader → surface → text."""
        cid, review = self.cid, f"/cycles/{self.cid}/reviews/F4"
        urls = [
            f"/api{review}/feedback",
            f"/api{review}",
            f"/api{review}/nominations",
            f"{review}/feedback",
            review,
            f"{review}/nominations",
            "/",
        ]
        hr_urls = [f"/api/cycles/{cid}/feedback/progress", f"/cycles/{cid}/feedback", f"/hr/cycles/{cid}"]
        seen: dict[str, dict[str, str]] = {}
        for reader in READERS:
            client = self.clients[reader]
            mine = {url: _text(client.get(url)) for url in urls + (hr_urls if reader == "F2" else [])}
            mine["summary PDF"] = self.summary_text(reader)
            seen[reader] = mine
        return seen

    def summary_text(self, reader: str) -> str:
        """The reader's appraisal summary as its PDF template renders it (no WeasyPrint: the same HTML)."""
        try:
            summary = summaries.summary_for(
                UnitOfWork(self.table), f.principal(self.table, reader), self.cid, "F4", self.clock.now()
            )
        except (NotFound, PermissionDenied) as exc:  # a refusal is what this reader obtains
            return f"{type(exc).__name__}: {exc}"
        return summary_html(summary.context)


def _text(resp) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in resp.headers.items() if k.lower() not in ("set-cookie", "date"))
    return CSRF.sub(r"\1-", f"{resp.status_code}\n{headers}\n{resp.get_data(as_text=True)}")


def visible_texts(read: dict[str, str]) -> frozenset[str]:
    """The comments a reader can see anywhere in one read."""
    return frozenset(t for t in TEXTS if any(t in text for text in read.values()))


def _json(text: str) -> Any:
    return json.loads(text[text.index("\n{") + 1 :])


def who_answered(cid: str, read: dict[str, str]) -> tuple[Any, ...]:
    """HR's who-has-answered list in one read: the requests' states and the list of whom to chase."""
    peers = _json(read[f"/api/cycles/{cid}/reviews/F4/nominations"])["peers"]
    waiting = _json(read[f"/api/cycles/{cid}/feedback/progress"])["waiting"]
    return tuple(sorted((p["reviewer_id"], p["state"]) for p in peers)), tuple(
        sorted(w["reviewer_id"] for w in waiting)
    )


def replay(world: World, release: str) -> list[tuple[str, dict[str, dict[str, str]]]]:
    """Read after every event: before any answer, after each answer, at the release, after a late answer."""
    steps = [("no answer yet", world.reads())]
    for i in range(len(ANSWERING)):
        world.answer(i)
        steps.append((f"answer {i + 1}", world.reads()))
    if release == "manager":
        world.manager_submits()
    else:
        world.clock.at = CLOSING
        steps.append(("answers closed at the deadline", world.reads()))
        world.clock.at = RELEASED
    steps.append(("released", world.reads()))
    steps.append((f"late answer ({world.late_answer()})", world.reads()))
    return steps


@pytest.mark.parametrize("release", ["manager", "deadline"])
def test_no_reader_can_tie_a_comment_to_its_author_by_reading_before_and_after_each_answer(release):
    world = World([0, 1, 2, 3, 4])
    a = replay(world, release)
    b = replay(World([4, 3, 2, 1, 0]), release)  # the same reviewers, in the same order, wrote the others' answers
    names = [name for name, _ in a]
    assert names == [name for name, _ in b] and names[-1] == "late answer (409)", names

    # 1. Whoever wrote what, every reader reads exactly the same thing at every step.
    for (step, reads_a), (_, reads_b) in zip(a, b, strict=True):
        for reader in READERS:
            differing = [s for s in reads_a[reader] if reads_a[reader][s] != reads_b[reader][s]]
            assert not differing, f"{READERS[reader]} can tell who wrote what at '{step}': {differing}"

    released = names.index("released")
    for reader, role in READERS.items():
        texts = [visible_texts(reads[reader]) for _, reads in a]
        changes = [i for i in range(1, len(texts)) if texts[i] != texts[i - 1]]
        # 2. The comments appear at one moment, the release, all together, and never change after.
        if reader in ("F6", "F1"):
            assert not any(texts), f"the {role} reads individual comments"
            api = a[released][1][reader][f"/api/cycles/{world.cid}/reviews/F4/feedback"]
            assert '"average"' in api, f"the {role} gets the ratings summary once released"
        else:
            assert changes == [released], f"the {role}'s comments changed at {[names[i] for i in changes]}"
            assert texts[released] == frozenset(TEXTS)
        # 3. Before the release nothing this reader reads moves with an answer (no live count, no group).
        if reader != "F2":
            first = a[0][1][reader]
            for step, reads in a[1 : len(ANSWERING) + 1]:
                moved = [s for s in first if first[s] != reads[reader][s]]
                assert not moved, f"the {role}'s {moved} moved at '{step}'"
        # 4. The late answer is refused and changes nothing anyone reads.
        assert a[-1][1][reader] == a[released][1][reader], f"the {role}'s reads changed after the release"

    # 5. HR's who-has-answered list (for chasing) never changes at the same read as the comments.
    lists = [who_answered(world.cid, reads["F2"]) for _, reads in a]
    hr_texts = [visible_texts(reads["F2"]) for _, reads in a]
    for i in range(1, len(a)):
        assert not (lists[i] != lists[i - 1] and hr_texts[i] != hr_texts[i - 1]), f"HR ties them at '{names[i]}'"
    assert lists[1] != lists[0], "HR does see who answered (to chase)"
