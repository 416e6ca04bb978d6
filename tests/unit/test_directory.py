"""The directory's CSV rules and import planning (pure domain, in-memory table)."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Role, parse_csv, plan_import, with_hierarchy
from service.domain.errors import ImportRejected, PermissionDenied
from service.services.auth import Principal
from service.services.directory import direct_reports, get_person, import_organisation, management_chain
from tests.conftest import ORG_CSV

HEADER = "employee_id,name,email,title,department,manager_id,roles\n"


def rejected(text: str) -> list[dict]:
    with pytest.raises(ImportRejected) as info:
        parse_csv(text)
    return info.value.errors


def test_valid_file_parses_every_person():
    people = parse_csv(ORG_CSV)
    assert [p.employee_id for p in people] == ["E1", "E2", "E3", "E4", "E5", "E6"]
    assert Role.HR in people[1].roles and Role.LEADERSHIP in people[0].roles


def test_missing_column_is_reported_on_the_header_row():
    errors = rejected("employee_id,name,email,title,department,manager_id\nE1,A,a@x.com,T,D,\n")
    assert errors == [{"row": 1, "field": "roles", "message": "missing column"}]


def test_bad_email_names_its_row():
    errors = rejected(HEADER + "E1,A,a@x.com,T,D,,\nE2,B,not-an-email,T,D,E1,\n")
    assert errors == [{"row": 3, "field": "email", "message": "'not-an-email' is not an email address"}]


def test_duplicate_id_and_duplicate_email_are_both_reported():
    errors = rejected(HEADER + "E1,A,a@x.com,T,D,,\nE2,B,b@x.com,T,D,E1,\nE2,C,A@X.com,T,D,E1,\n")
    assert {"row": 4, "field": "employee_id", "message": "duplicate of row 3"} in errors
    assert {"row": 4, "field": "email", "message": "duplicate of row 2"} in errors


def test_unknown_manager_is_an_error():
    errors = rejected(HEADER + "E1,A,a@x.com,T,D,,\nE2,B,b@x.com,T,D,E9,\n")
    assert errors == [{"row": 3, "field": "manager_id", "message": "unknown manager 'E9'"}]


def test_management_loop_is_reported_once_with_its_members():
    text = HEADER + "E1,A,a@x.com,T,D,,\nE2,B,b@x.com,T,D,E3,\nE3,C,c@x.com,T,D,E4,\nE4,D,d@x.com,T,D,E2,\n"
    errors = rejected(text)
    assert len(errors) == 1
    assert errors[0]["row"] == 3 and "management loop" in errors[0]["message"]
    assert all(e in errors[0]["message"] for e in ("E2", "E3", "E4"))


def test_self_management_is_refused():
    errors = rejected(HEADER + "E1,A,a@x.com,T,D,,\nE2,B,b@x.com,T,D,E2,\n")
    assert {"row": 3, "field": "manager_id", "message": "an employee cannot manage themselves"} in errors


def test_a_file_without_a_root_is_refused():
    errors = rejected(HEADER + "E1,A,a@x.com,T,D,E2,\nE2,B,b@x.com,T,D,E1,\n")
    assert any(e["message"].startswith("no root") for e in errors)


def test_required_cells_and_unknown_roles_are_reported_together():
    errors = rejected(HEADER + "E1,,a@x.com,T,,,\nE2,B,b@x.com,T,D,E1,admin\n")
    fields = {(e["row"], e["field"]) for e in errors}
    assert {(2, "name"), (2, "department"), (3, "roles")} <= fields


def test_empty_file_and_ragged_rows_are_refused():
    assert rejected(HEADER) == [{"row": 2, "field": "", "message": "the file has no employees"}]
    errors = rejected(HEADER + "E1,A,a@x.com,T,D,,,extra\n")
    assert errors[0]["message"] == "more cells than columns"


def test_bom_blank_lines_and_manager_role_are_accepted():
    people = parse_csv("\ufeff" + HEADER + "E1,A,a@x.com,T,D,,manager;hr\n\n")
    assert people[0].roles == frozenset({Role.EMPLOYEE, Role.HR})


def test_hierarchy_fills_chain_and_derives_manager_role():
    people = {p.employee_id: p for p in with_hierarchy(parse_csv(ORG_CSV))}
    assert people["E4"].chain == ("E1", "E3")
    assert people["E3"].is_manager and not people["E4"].is_manager


def test_plan_detects_moves_hires_and_leavers():
    before = with_hierarchy(parse_csv(ORG_CSV))
    changed = ORG_CSV.replace("E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,", "")
    changed = changed.replace(
        "E4,Katherine Johnson,katherine@example.com,Engineer,Engineering,E3,",
        "E4,Katherine Johnson,katherine@example.com,Engineer,People,E2,",
    )
    changed += "E7,Margaret Hamilton,margaret@example.com,Engineer,Engineering,E3,\n"
    plan = plan_import(before, parse_csv(changed))
    assert [p.employee_id for p in plan.created] == ["E7"]
    assert [after.department for _, after in plan.updated] == ["People"]
    assert [(b.employee_id, a.active) for b, a in plan.deactivated] == [("E5", False)]
    assert plan.unchanged == 4


def test_service_import_is_idempotent(clock):
    table = MemoryTable()
    first = import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    snapshot = table.all_items()
    second = import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    assert first.summary["created"] == 6
    assert second.summary == {"created": 0, "updated": 0, "deactivated": 0, "unchanged": 6}
    assert table.all_items() == snapshot


def test_rejected_import_changes_nothing(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    snapshot = table.all_items()
    with pytest.raises(ImportRejected):
        import_organisation(UnitOfWork(table), None, ORG_CSV + "E8,Bad,bad,T,D,E1,\n", clock)
    assert table.all_items() == snapshot


def test_only_hr_may_import(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    engineer = Principal.of(get_person(UnitOfWork(table), "E4"))
    with pytest.raises(PermissionDenied):
        import_organisation(UnitOfWork(table), engineer, ORG_CSV, clock)


def test_leaver_is_kept_inactive_and_leaves_the_team(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    import_organisation(
        UnitOfWork(table),
        None,
        ORG_CSV.replace("E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,\n", ""),
        clock,
    )
    leaver = get_person(UnitOfWork(table), "E5")
    assert leaver.active is False and leaver.version == 1
    assert [p.employee_id for p in direct_reports(UnitOfWork(table), "E3")] == ["E4"]


def test_rehire_reactivates_the_same_record(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    without = ORG_CSV.replace("E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,\n", "")
    import_organisation(UnitOfWork(table), None, without, clock)
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    assert get_person(UnitOfWork(table), "E5").active is True
    assert get_person(UnitOfWork(table), "E5").version == 2


def test_large_import_commits_in_chunks_and_completes(clock):
    rows = [HEADER, "M0,Root,root@x.com,CEO,Exec,,\n"]
    rows += [f"P{i},Person {i},p{i}@x.com,Engineer,Eng,M0,\n" for i in range(250)]
    table = MemoryTable()
    result = import_organisation(UnitOfWork(table), None, "".join(rows), clock)
    assert result.transactions == 6  # 251 people and, issue 24, their addresses' index: 504 items
    assert len(direct_reports(UnitOfWork(table), "M0")) == 250
    assert management_chain(UnitOfWork(table), "P7")[0].employee_id == "M0"
