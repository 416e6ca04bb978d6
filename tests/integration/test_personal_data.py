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
