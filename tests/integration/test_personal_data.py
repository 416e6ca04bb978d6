"""`export-person` gives everything stored about someone; `erase-person` removes a leaver's identifiers."""

from __future__ import annotations

import json

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.cli import main
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


@pytest.fixture
def table(clock, monkeypatch) -> MemoryTable:
    """The small organisation with a launched cycle; E4 wrote a self assessment and has a goal."""
    from service.services import goals as goal_svc

    t = MemoryTable()
    import_organisation(UnitOfWork(t), None, ORG_CSV, clock)
    cycle = f.launched_cycle(t, clock)
    e4 = f.principal(t, "E4")
    review_svc.save_self_assessment(UnitOfWork(t), e4, cycle.cycle_id, "E4", f.self_content(), 1, False, clock)
    data = {"level": "individual", "title": "Ship the importer", "cycle_id": cycle.cycle_id, "weight": 100}
    goal_svc.create_goal(UnitOfWork(t), e4, data, clock)
    monkeypatch.setattr("service.cli._table", lambda settings: t)
    return t


def test_export_gives_the_profile_reviews_and_goals(table, tmp_path, capsys):
    out = tmp_path / "e4.json"
    assert main(["export-person", "E4", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["employee"]["email"] == "katherine@example.com"
    (review,) = data["reviews"]
    assert review["employee_id"] == "E4" and review["self_assessment"]["goal_results"]
    assert [g["title"] for g in data["goals"].values()] == ["Ship the importer"]


def test_export_of_nobody_fails(table, capsys):
    assert main(["export-person", "E99"]) == 1
    assert "E99" in capsys.readouterr().err


def test_a_current_employee_is_not_erased(table, capsys):
    assert main(["erase-person", "E4", "--confirm", "E4"]) == 1
    assert UnitOfWork(table).directory.get("E4").name == "Katherine Johnson"


def test_erasing_needs_the_id_repeated(table, capsys):
    assert main(["erase-person", "E4", "--confirm", "E5"]) == 2


def test_a_leavers_name_email_and_title_are_erased_and_their_reviews_kept(table, clock, capsys):
    without_e4 = "\n".join(line for line in ORG_CSV.splitlines() if not line.startswith("E4,")) + "\n"
    import_organisation(UnitOfWork(table), None, without_e4, clock)
    assert main(["erase-person", "E4", "--confirm", "E4"]) == 0
    person = UnitOfWork(table).directory.get("E4")
    assert "Katherine" not in person.name and "katherine" not in person.email and person.title == ""
    stored = json.dumps(table.all_items())
    employee_items = [i for i in table.all_items() if i["sk"] == "EMP#E4"]
    assert "katherine@example.com" not in json.dumps(employee_items)
    assert "Shipped the importer" in stored  # the review itself stays (appraisal records are kept)
    reviews = [i for i in table.all_items() if i["sk"] == "REVIEW#E4"]
    assert reviews and all("Katherine" not in r["employee_name"] for r in reviews)


def _export(employee_id: str, tmp_path) -> dict:
    out = tmp_path / f"{employee_id}.json"
    assert main(["export-person", employee_id, "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture
def between_cycles(table, clock):
    """E3 and E4 meet (each with private notes), E4 plans learning and chose one message per event, E3 named E6 acting
    manager, and E5 wrote a contribution to E4's review."""
    from datetime import date

    from service.services import contributions as contribution_svc
    from service.services import delegation as delegation_svc
    from service.services import learning_plan as plan_svc
    from service.services import notifications as notify_svc
    from service.services import one_to_ones as o2o_svc

    e3, e4, e5 = (f.principal(table, e) for e in ("E3", "E4", "E5"))
    rhythm = {"rhythm": "weekly", "first_date": date(2026, 3, 4), "time": "10:00", "minutes": 30}
    o2o_svc.set_rhythm(UnitOfWork(table), e3, "E4", rhythm, 0, clock)
    o2o_svc.add_point(UnitOfWork(table), e4, "E4", {"text": "My promotion case"}, clock)
    meeting = o2o_svc.add_action(UnitOfWork(table), e3, "E4", {"text": "Book the course", "owner_id": "E4"}, clock)
    o2o_svc.save_shared_notes(UnitOfWork(table), e3, "E4", meeting.date, "We agreed a plan", meeting.version, clock)
    o2o_svc.save_private_notes(UnitOfWork(table), e3, "E4", meeting.date, "Alan's own worry", 0, clock)
    o2o_svc.save_private_notes(UnitOfWork(table), e4, "E4", meeting.date, "Katherine's own note", 0, clock)
    plan = {"kind": "course", "title": "Distributed systems course", "target_date": "2026-04-01"}
    plan_svc.add_item(UnitOfWork(table), e4, plan, clock)
    notify_svc.set_my_notifications(UnitOfWork(table), e4, {"channel": "email", "timing": "each"}, 0, clock)
    uow = UnitOfWork(table)
    uow.today = clock.now().date()
    period = {"manager_id": "E3", "acting_id": "E6", "starts": date(2026, 3, 2), "ends": date(2026, 3, 9)}
    delegation_svc.name_acting_manager(uow, e3, period, clock)
    cycle_id = UnitOfWork(table).reviews.history("E4")[0][0].cycle_id
    asked = contribution_svc.request_contribution(
        UnitOfWork(table), e3, cycle_id, "E4", {"contributor_id": "E5", "question": "How was the launch?"}, clock
    )
    contribution_svc.give(UnitOfWork(table), e5, asked.contribution_id, "She carried the launch", 1, clock)
    return table


def test_the_export_has_the_one_to_ones_with_only_the_persons_own_private_notes(between_cycles, tmp_path):
    data = _export("E4", tmp_path)
    (pair,) = data["one_to_ones"]
    assert (pair["manager_id"], pair["report_id"], pair["rhythm"]["rhythm"]) == ("E3", "E4", "weekly")
    (meeting,) = pair["meetings"]
    assert [p["text"] for p in meeting["points"]] == ["My promotion case"]
    assert [a["text"] for a in meeting["actions"]] == ["Book the course"]
    assert meeting["shared_notes"] == "We agreed a plan"
    assert meeting["my_private_notes"] == "Katherine's own note"
    assert "Alan's own worry" not in json.dumps(data)
    assert _export("E3", tmp_path)["one_to_ones"][0]["meetings"][0]["my_private_notes"] == "Alan's own worry"


def test_the_export_has_the_learning_plan_and_the_notification_preference(between_cycles, tmp_path):
    data = _export("E4", tmp_path)
    assert [i["title"] for i in data["learning_plan"]] == ["Distributed systems course"]
    assert data["notification_preference"] == {"employee_id": "E4", "channel": "email", "timing": "each"}


def test_the_export_has_delegations_given_and_received(between_cycles, tmp_path):
    given = _export("E3", tmp_path)["delegations"]
    assert [(d["manager_id"], d["acting_id"]) for d in given["given"]] == [("E3", "E6")] and given["received"] == []
    received = _export("E6", tmp_path)["delegations"]
    assert [d["manager_id"] for d in received["received"]] == ["E3"] and received["given"] == []


def test_a_contribution_is_in_its_writers_export_and_never_in_the_employees(between_cycles, tmp_path):
    written = _export("E5", tmp_path)["contributions_written"]
    assert [(c["employee_id"], c["text"]) for c in written] == [("E4", "She carried the launch")]
    assert "She carried the launch" not in json.dumps(_export("E4", tmp_path))
