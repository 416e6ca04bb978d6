"""Issue 27: what a reader of the diagnosis can learn about upward feedback ACROSS TIME and by arithmetic.

Each test reads the diagnosis through the JSON API (and once the page) at several moments of a cycle — before any
group is released, as managers' groups are released one by one, after the feedback deadline releases the rest,
after a late answer is tried, after a re-organisation, after the cycle closes — and does what an attacker would:
subtract every two readings of a level, and subtract the groups the reader may read alone (their own, or those of
the managers below them) from the level's figure. A difference of 1 to 4 answers is a group under 5 given away.

The organisation: Ada (E1, chief executive) → Lin (L1, leadership: engineering) and Lars (L2, leadership: sales);
Lin → Mia (M1, 3 reports) and Max (M2, 3 reports); Lars → Mo (M3, 5 reports and one more who never answers in
time). The level-3 managers' reports answer about them; nobody else answers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services import cycles as cycle_svc
from service.services import feedback_nominations
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.api.conftest import NOW
from tests.conftest import AuthActions

HEAD = "employee_id,name,email,title,department,manager_id,roles"
PEOPLE = [
    "E1,Ada Chief,e1@example.com,CEO,Board,,leadership",
    "E2,Hana People,e2@example.com,HR,People,E1,hr",
    "L1,Lin Eng,l1@example.com,CTO,Engineering,E1,leadership",
    "L2,Lars Sales,l2@example.com,VP Sales,Sales,E1,leadership",
    "M1,Mia Lead,m1@example.com,Manager,Engineering,L1,",
    "M2,Max Lead,m2@example.com,Manager,Engineering,L1,",
    "M3,Mo Lead,m3@example.com,Manager,Sales,L2,",
]
TEAMS = {"M1": ["A1", "A2", "A3"], "M2": ["B1", "B2", "B3"], "M3": ["C1", "C2", "C3", "C4", "C5", "C6"]}
ANSWERS = {  # (delivery, collaboration) each report gives their manager; C6 never answers in time
    "A1": (4, 3),
    "A2": (3, 3),
    "A3": (4, 4),
    "B1": (2, 2),
    "B2": (3, 2),
    "B3": (2, 3),
    "C1": (1, 2),
    "C2": (2, 1),
    "C3": (1, 1),
    "C4": (2, 2),
    "C5": (2, 1),
}
DEPT = {"M1": "Engineering", "M2": "Engineering", "M3": "Sales"}
RELEASE = datetime(2026, 3, 21, 0, 15, tzinfo=UTC)  # the feedback deadline's midnight + the grace: all released


def org(moved: bool = False) -> str:
    """The organisation; `moved`: Mo now reports to Ada (level 2), as a re-organisation after the release."""
    rows = [HEAD, *PEOPLE]
    if moved:
        rows = [r.replace("Sales,L2,", "Sales,E1,") if r.startswith("M3,") else r for r in rows]
    for manager, team in TEAMS.items():
        rows += [f"{p},Report {p},{p.lower()}@example.com,Engineer,{DEPT[manager]},{manager}," for p in team]
    return "\n".join(rows) + "\n"


class World:
    """The organisation, one launched cycle with upward feedback asked, and a signed-in API client per reader."""

    def __init__(self) -> None:
        self.table, self.clock = MemoryTable(), FixedClock(NOW)
        import_organisation(UnitOfWork(self.table), None, org(), self.clock)
        hr = f.principal(self.table, "E2")
        self.cycle = f.launched_cycle(self.table, self.clock)
        feedback_nominations.request_upward(UnitOfWork(self.table), hr, self.cycle.cycle_id, self.clock)
        from service.web import create_app

        self.app = create_app(Settings(secret_key="upward-over-time-" + "x" * 20), table=self.table, clock=self.clock)
        self.app.config["TESTING"] = True
        self.readings: list[tuple[str, dict[int, dict[str, Any]]]] = []

    def answer(self, reviewer: str) -> int:
        """A report answers about their manager through the API: the status code."""
        manager = next(m for m, team in TEAMS.items() if reviewer in team)
        delivery, collaboration = ANSWERS.get(reviewer, (3, 3))
        client, auth = self.client(reviewer)
        body = {"ratings": {"delivery": delivery, "collaboration": collaboration}, "answers": {}}
        return client.post(
            f"/api/feedback/{self.cycle.cycle_id}/{manager}/answer", json=body, headers=auth.headers()
        ).status_code

    def release_by_submission(self, manager: str) -> None:
        """The manager's own manager submits their assessment: the manager's group is released (rule `first`)."""
        cid, boss = self.cycle.cycle_id, {"M1": "L1", "M2": "L1", "M3": "L2"}[manager]
        v = review_svc.open_review(UnitOfWork(self.table), f.principal(self.table, manager), cid, manager).version
        v = review_svc.save_self_assessment(
            UnitOfWork(self.table),
            f.principal(self.table, manager),
            cid,
            manager,
            f.self_content(),
            v,
            True,
            self.clock,
        ).version
        review_svc.save_manager_assessment(
            UnitOfWork(self.table),
            f.principal(self.table, boss),
            cid,
            manager,
            f.manager_content(owner_id=boss),
            v,
            True,
            self.clock,
        )

    def client(self, who: str):
        client = self.app.test_client()
        auth = AuthActions(client)
        auth.login(who)
        return client, auth

    def diagnosis(self, who: str = "E1") -> dict[str, Any]:
        client, auth = self.client(who)
        resp = client.get(f"/api/cycles/{self.cycle.cycle_id}/diagnosis", headers=auth.headers())
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def read(self, moment: str, who: str = "E1") -> dict[str, Any]:
        """The diagnosis now; its upward levels kept as one reading of the attacker's."""
        data = self.diagnosis(who)
        levels = {lv["level"]: lv for lv in data["levels"] if lv["respondents"] is not None}
        self.readings.append((moment, levels))
        return data

    def group_read_alone(self, reader: str, manager: str) -> int | None:
        """How many answers the reader sees in a manager's upward group (their own, or one below them): None when
        the group is not shown to them."""
        client, auth = self.client(reader)
        resp = client.get(f"/api/cycles/{self.cycle.cycle_id}/reviews/{manager}/feedback", headers=auth.headers())
        if resp.status_code != 200:
            return None
        upward = next(g for g in resp.get_json()["groups"] if g["kind"] == "upward")
        return upward["answers"] if upward["shown"] else None


def all_answered_and_released() -> World:
    """Every report of ANSWERS answered, and the clock after the deadline released the groups."""
    w = World()
    for reviewer in ANSWERS:
        w.answer(reviewer)
    w.clock.at = RELEASE
    return w


def differences_under_5(readings: list[tuple[str, dict[int, dict[str, Any]]]]) -> list[str]:
    """Every two readings of one level whose answers differ by 1 to 4: those answers' average is then worked out
    (n₂·avg₂ − n₁·avg₁) / (n₂ − n₁), a group under 5 given away."""
    found = []
    for i, (when1, first) in enumerate(readings):
        for when2, second in readings[i + 1 :]:
            for level in set(first) & set(second):
                gap = abs(second[level]["respondents"] - first[level]["respondents"])
                if 0 < gap < 5:
                    found.append(f"level {level}: {when1} → {when2} differ by {gap} answers")
    return found


def test_a_level_read_once_never_moves_so_no_two_readings_give_a_group_away():
    w = World()
    cid = w.cycle.cycle_id
    before = w.read("before any answer")
    assert before["levels"] == [] and before["upward_final"] is False and before["upward_from"] == "2026-03-21"
    for reviewer in ANSWERS:  # one answer more at each reading: the difference would be that answer
        assert w.answer(reviewer) == 200
        w.read(f"after {reviewer}'s answer")
    w.release_by_submission("M1")  # Mia's group (3) is released to her: Lin submitted her assessment
    assert w.group_read_alone("M1", "M1") == 3
    w.read("Mia's group released")
    w.release_by_submission("M2")
    w.read("Max's group released")
    # Nothing was shown while groups were released one by one: Mia's, then Max's, would be the differences.
    assert all(levels == {} for _, levels in w.readings)

    w.clock.at = RELEASE  # the deadline releases every group at one moment: the figures appear, once
    shown = w.read("released for everyone")
    assert shown["upward_final"] is True
    (level,) = shown["levels"]
    # Level 3: Mia's 3, Max's 3 and Mo's 5 answers; their average rating over every rating given.
    ratings = [r for pair in ANSWERS.values() for r in pair]
    assert (level["level"], level["managers"], level["respondents"]) == (3, 3, 11)
    assert level["average"] == round(sum(ratings) / len(ratings), 2)
    assert [t["upward"] for t in shown["trend"]][-1] == shown["levels"]

    assert w.answer("C6") == 409  # a late answer is refused: the group released never grows
    w.read("after a late answer was refused")
    import_organisation(UnitOfWork(w.table), None, org(moved=True), w.clock)  # Mo moves up to level 2
    w.read("after Mo moved to level 2")
    hr = f.principal(w.table, "E2")
    cycle = cycle_svc.get_cycle(UnitOfWork(w.table), cid)
    cycle_svc.close_cycle(UnitOfWork(w.table), hr, cid, cycle.version, w.clock)
    w.read("after the cycle closed")
    w.clock.at = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    w.read("next year")

    assert not differences_under_5(w.readings), differences_under_5(w.readings)
    assert len({repr(levels) for _, levels in w.readings if levels}) == 1  # one figure, whenever read


def test_a_leader_cannot_subtract_the_groups_below_them_from_a_level():
    # Lin (leadership) manages Mia and Max: she reads their upward groups (3 + 3) alone. Mo's 4 answers (C5 does
    # not answer here) would be the level's 10 minus her 6: the level is withheld. Lars knows only Mo's 4 (6 others).
    w = World()
    for reviewer in ANSWERS:
        if reviewer != "C5":
            w.answer(reviewer)
    w.release_by_submission("M1")
    w.release_by_submission("M2")
    w.clock.at = RELEASE
    data = w.diagnosis("L1")
    (level,) = data["levels"]
    known = sum(w.group_read_alone("L1", m) or 0 for m in TEAMS)
    assert known == 6  # Mia's and Max's groups, shown to Lin
    assert level["respondents"] is None and level["average"] is None  # 10 − 6 = Mo's 4: withheld
    assert w.diagnosis("E1")["levels"] == data["levels"]  # the same figure for every reader


def test_the_diagnosis_page_says_when_the_upward_figures_show_and_then_shows_them():
    w = World()
    for reviewer in ANSWERS:
        w.answer(reviewer)
    client, _ = w.client("E1")
    page = client.get(f"/reports/diagnosis?cycle={w.cycle.cycle_id}").get_data(as_text=True)
    assert "shown from 21 Mar 2026, when every group is released at once" in page
    assert "No upward feedback counts in these cycles yet" in page
    w.clock.at = RELEASE
    page = client.get(f"/reports/diagnosis?cycle={w.cycle.cycle_id}").get_data(as_text=True)
    assert "shown from" not in page and "Level 3" in page and "11 answers, 3 managers" in page


def test_an_earlier_cycle_in_the_trend_keeps_its_figures_while_the_next_cycle_runs():
    # Comparing two cycles: each cycle's figure is made from its own answers only (new answers, new groups), and
    # the earlier cycle's never moves while the next cycle's groups are answered and released.
    w = all_answered_and_released()
    last_year = w.diagnosis()["levels"]
    hr = f.principal(w.table, "E2")
    cycle_svc.close_cycle(
        UnitOfWork(w.table),
        hr,
        w.cycle.cycle_id,
        cycle_svc.get_cycle(UnitOfWork(w.table), w.cycle.cycle_id).version,
        w.clock,
    )
    phases = {
        "goal_setting": date(2027, 3, 1),
        "self_assessment": date(2027, 3, 10),
        "feedback": date(2027, 3, 20),
        "manager_assessment": date(2027, 3, 31),
        "discussion": date(2027, 4, 15),
    }
    w.clock.at = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    first = w.cycle
    w.cycle = f.launched_cycle(
        w.table, w.clock, name="2027", period_start=date(2027, 1, 1), period_end=date(2027, 12, 31), phases=phases
    )
    feedback_nominations.request_upward(UnitOfWork(w.table), hr, w.cycle.cycle_id, w.clock)
    seen = []
    for reviewer in ["A1", "A2", "A3", "B1"]:
        w.answer(reviewer)
        trend = w.diagnosis()["trend"]
        seen.append(next(t["upward"] for t in trend if t["cycle_id"] == first.cycle_id))
    w.release_by_submission("M1")
    trend = w.diagnosis()["trend"]
    seen.append(next(t["upward"] for t in trend if t["cycle_id"] == first.cycle_id))
    assert trend[-1]["upward"] == [] and trend[-1]["upward_final"] is False  # 2027 not final yet
    assert all(s == last_year for s in seen)


def test_after_an_upgrade_the_answers_stored_before_summaries_are_counted_into_them_once():
    from service.adapters.store import Delete
    from service.services import diagnosis as diagnosis_svc

    w = all_answered_and_released()
    shown = w.diagnosis()["levels"]
    stored = [i for i in w.table.all_items() if i["pk"].startswith("FBUPWARD#")]
    w.table.transact([Delete({"pk": i["pk"], "sk": i["sk"]}) for i in stored])  # as answers stored before them
    assert w.diagnosis()["levels"] == []
    assert diagnosis_svc.reindex_upward(UnitOfWork(w.table)) == {w.cycle.cycle_id: 3}
    assert w.diagnosis()["levels"] == shown
    assert sorted(i["pk"] + i["sk"] for i in w.table.all_items() if i["pk"].startswith("FBUPWARD#")) == sorted(
        i["pk"] + i["sk"] for i in stored
    )
    assert diagnosis_svc.reindex_upward(UnitOfWork(w.table)) == {w.cycle.cycle_id: 3}  # the same counts again
    assert w.diagnosis()["levels"] == shown


def test_an_upward_summary_holds_counts_only_never_who_answered_or_when():
    w = World()
    for reviewer in TEAMS["M1"]:
        w.answer(reviewer)
    (summary,) = UnitOfWork(w.table).feedback.upward_summaries(w.cycle.cycle_id)
    assert set(summary) == {
        "pk", "sk", "type", "subject_id", "level", "chain", "answers",
        "n#delivery", "s#delivery", "n#collaboration", "s#collaboration",
    }  # fmt: skip
    assert (summary["subject_id"], summary["level"], summary["chain"], summary["answers"]) == ("M1", 3, ["E1", "L1"], 3)
    assert (summary["s#delivery"], summary["s#collaboration"]) == (4 + 3 + 4, 3 + 3 + 4)
    assert not any(r in repr(summary) for r in TEAMS["M1"])
