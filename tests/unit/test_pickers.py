"""Issue 25, point 7: the searches behind the people and training-need pickers (matches, order, who finds what)."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import directory, learning
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV
from tests.unit.test_learning import named_needs

LEAVER = "E6,Barbara Liskov,barbara@example.com,People Partner,People,E2,\n"


@pytest.fixture
def uow(clock) -> UnitOfWork:
    uow = UnitOfWork(MemoryTable())
    org = ORG_CSV + "E7,Elif Yılmaz,elif@example.com,Data Engineer,Engineering,E3,\n"
    import_organisation(uow, None, org, clock)
    import_organisation(UnitOfWork(uow.table), None, org.replace(LEAVER, ""), clock)  # Barbara has left
    return UnitOfWork(uow.table)


def who(uow: UnitOfWork, employee_id: str):
    return f.principal(uow.table, employee_id)


def found_people(uow: UnitOfWork, reader: str, query: str) -> list[str]:
    return [p.employee_id for p in directory.search_people(uow, who(uow, reader), query).matches]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kath", ["E4"]),  # part of a name
        ("ENGINEER", ["E3", "E5", "E7", "E4"]),  # a role or department, any case: by name
        ("engineering alan", ["E3"]),  # every word, in name, department or role
        ("yilmaz", ["E7"]),  # accents and dotless i aside
        ("data engineer", ["E7"]),
        ("nobody here", []),
        ("   ", []),  # an empty box finds nobody
    ],
)
def test_a_people_search_finds_everyone_holding_every_word(uow, query, expected):
    assert found_people(uow, "E2", query) == expected


def test_names_starting_with_the_first_word_come_first(uow):
    assert found_people(uow, "E2", "a")[:2] == ["E1", "E3"]  # Ada, Alan: then the rest by name


def test_hr_finds_leavers_and_other_readers_find_the_active_people_only(uow):
    assert found_people(uow, "E2", "liskov") == ["E6"]
    assert found_people(uow, "E4", "liskov") == []
    assert found_people(uow, "E4", "johnson") == ["E4"]


def test_a_search_lists_its_first_matches_and_says_how_many_more(uow):
    found = directory.search_people(uow, who(uow, "E2"), "e", limit=2)
    assert len(found.matches) == 2 and found.more == 5  # the six active people and Barbara, who left


def test_a_need_search_finds_my_needs_by_topic(uow, clock):
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    named_needs(uow, clock, cycle_id, topics=("Statistics", "Public speaking"))
    found = learning.search_needs(UnitOfWork(uow.table), who(uow, "E4"), "statis")
    assert [c.name for c in found.matches] == [f"Statistics ({uow.cycles.get(cycle_id).name})"]


def test_a_manager_finds_a_report_s_need_by_name_and_topic_and_a_colleague_does_not(uow, clock):
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    mine = named_needs(uow, clock, cycle_id, owner="E5", topics=("Kubernetes", "Statistics"))
    cycle = uow.cycles.get(cycle_id).name
    found = learning.search_needs(UnitOfWork(uow.table), who(uow, "E3"), "dijkstra kube")
    assert [(c.need_id, c.label) for c in found.matches] == [
        (mine[0].need_id, f"Kubernetes for Edsger Dijkstra ({cycle})")
    ]
    assert len(learning.search_needs(UnitOfWork(uow.table), who(uow, "E3"), "dijkstra").matches) == 2
    assert learning.search_needs(UnitOfWork(uow.table), who(uow, "E4"), "dijkstra").matches == []  # a peer
    assert learning.search_needs(UnitOfWork(uow.table), who(uow, "E4"), "kubernetes").matches == []
    assert len(learning.search_needs(UnitOfWork(uow.table), who(uow, "E2"), "edsger").matches) == 2  # HR


def test_template_ids_are_made_from_names_unique_and_kept_once_saved():
    from service.domain.templates import SLUG, derive_ids

    long = "What did you achieve this year that you are most proud of, and why?"
    made = derive_ids(
        ["Delivery", "Delivery", "Code review", "交流", long, long], [None, None, "delivery", None, None, None], "q"
    )
    assert made == [
        "delivery-2",  # "delivery" is a saved row's id: a new row never takes it
        "delivery-3",
        "delivery",
        "q-4",  # nothing ASCII to make an id from
        "what-did-you-achieve-this-year-that-you",  # cut at a word within 40 characters
        "what-did-you-achieve-this-year-that-yo-2",  # the suffix kept within 40
    ]
    assert all(SLUG.match(i) for i in made)
