"""The cycle use cases on the in-memory fakes: create, edit, launch (inline queue), progress, close, reopen.

A unit of work over the in-memory table, a fixed clock and an inline queue; each test reads the result back
through the repositories. The organisation is tests/conftest.py's six people; Grace (E2) is HR.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date

import pytest

from service.adapters import keys
from service.adapters.clock import iso
from service.adapters.queue import Queue
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import CycleState
from service.domain.errors import Conflict, NotFound, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.reviews import ReviewState
from service.services import cycles as cycle_svc
from service.services import reviews as review_svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
from service.services.worker import dispatch
from tests import factories as f
from tests.conftest import ORG_CSV

EVERYONE = ["E1", "E2", "E3", "E4", "E5", "E6"]


class HeldQueue(Queue):
    """A queue whose messages wait until delivered (a worker that has not run yet, or lost them)."""

    def __init__(self) -> None:
        self.held: list[dict] = []

    def send_many(self, messages: list[dict]) -> None:
        self.held.extend(messages)


@contextmanager
def refused(uow: UnitOfWork, error: type[Exception]) -> Iterator[pytest.ExceptionInfo]:
    """The use case inside raises `error` and commits nothing."""
    before = uow.transactions
    with pytest.raises(error) as caught:
        yield caught
    assert uow.transactions == before, "a refused use case committed"


@pytest.fixture
def uow(clock) -> UnitOfWork:
    """A unit of work over an in-memory table holding the organisation."""
    uow = UnitOfWork(MemoryTable())
    import_organisation(uow, None, ORG_CSV, clock)
    return uow


@pytest.fixture
def hr(uow):
    return f.principal(uow.table, "E2")


@pytest.fixture
def template_id(uow, hr, clock) -> str:
    return template_svc.create_template(uow, hr, f.template_data(), clock).template_id


@pytest.fixture
def draft(uow, hr, template_id, clock):
    """A draft cycle over everyone."""
    return cycle_svc.create_cycle(uow, hr, f.cycle_data(template_id), clock)


def launch(uow, hr, cycle_id, clock, queue=None):
    version = uow.cycles.get(cycle_id).version
    return asdict(cycle_svc.launch_cycle(uow, hr, cycle_id, version, clock, queue or f.inline_queue(uow.table, clock)))


def reviews_of(uow, cycle_id) -> list[str]:
    return sorted(r.employee_id for r in uow.reviews.of_cycle(cycle_id))


# --- create and edit -------------------------------------------------------------------------------------------


def test_hr_creates_a_draft_cycle(uow, draft, clock):
    c = uow.cycles.get(draft.cycle_id)
    assert (c.state, c.version, c.name, c.created_by, c.created_at) == (
        CycleState.DRAFT,
        1,
        "2026 annual review",
        "E2",
        iso(clock.now()),
    )
    assert c == draft and c.participants == [] and c.template_snapshot is None
    assert [r["action"] for r in uow.audit.of_entity(keys.entity_cycle(draft.cycle_id))] == ["create_cycle"]


def test_deleting_a_draft_removes_it_and_the_goal_totals_mark_its_creation_started(uow, hr, draft, clock):
    mark = keys.goal_owner_total(draft.cycle_id)
    assert uow.table.get(mark) is not None
    cycle_svc.delete_cycle(uow, hr, draft.cycle_id, draft.version, clock)
    assert uow.cycles.get(draft.cycle_id) is None
    assert uow.table.get(mark) is None


@pytest.mark.parametrize("employee_id", ["E1", "E3", "E4"])
def test_only_hr_creates_a_cycle(uow, template_id, clock, employee_id):
    with refused(uow, PermissionDenied):
        cycle_svc.create_cycle(uow, f.principal(uow.table, employee_id), f.cycle_data(template_id), clock)
    assert uow.cycles.list() == []


def test_a_cycle_with_deadlines_out_of_order_is_refused_and_nothing_stored(uow, hr, template_id, clock):
    phases = f.cycle_data(template_id)["phases"] | {"feedback": date(2026, 3, 5)}
    with refused(uow, ValidationFailed) as caught:
        cycle_svc.create_cycle(uow, hr, f.cycle_data(template_id, phases=phases), clock)
    assert "phases" in caught.value.errors
    assert uow.cycles.list() == []


def test_a_cycle_needs_a_template_that_exists(uow, hr, clock):
    with refused(uow, NotFound):
        cycle_svc.create_cycle(uow, hr, f.cycle_data("no-such-template"), clock)


def test_a_listed_participant_must_be_an_employee(uow, hr, template_id, clock):
    data = f.cycle_data(template_id, participant_mode="list", employee_ids=["E4", "E99"])
    with refused(uow, ValidationFailed) as caught:
        cycle_svc.create_cycle(uow, hr, data, clock)
    assert caught.value.errors == {"employee_ids": ["'E99' is not an active employee"]}


def test_hr_edits_a_draft(uow, hr, draft, template_id, clock):
    edited = cycle_svc.update_cycle(
        uow, hr, draft.cycle_id, f.cycle_data(template_id, name="2026 mid-year"), draft.version, clock
    )
    c = uow.cycles.get(draft.cycle_id)
    assert (c.name, c.version, c.created_by) == ("2026 mid-year", 2, "E2")
    assert edited == c


def test_a_stale_edit_of_a_cycle_is_refused(uow, hr, draft, template_id, clock):
    cycle_svc.update_cycle(uow, hr, draft.cycle_id, f.cycle_data(template_id, name="First"), 1, clock)
    with refused(uow, StaleWrite):
        cycle_svc.update_cycle(uow, hr, draft.cycle_id, f.cycle_data(template_id, name="Second"), 1, clock)
    assert uow.cycles.get(draft.cycle_id).name == "First"


def test_a_launched_cycle_can_no_longer_be_edited(uow, hr, draft, template_id, clock):
    launch(uow, hr, draft.cycle_id, clock)
    version = uow.cycles.get(draft.cycle_id).version
    with refused(uow, Conflict):
        cycle_svc.update_cycle(uow, hr, draft.cycle_id, f.cycle_data(template_id, name="Late"), version, clock)
    assert uow.cycles.get(draft.cycle_id).name == "2026 annual review"


# --- launch ------------------------------------------------------------------------------------------------------


def test_launch_snapshots_the_template_and_participants_and_creates_every_review(uow, hr, draft, clock):
    before = uow.transactions
    result = launch(uow, hr, draft.cycle_id, clock)
    assert uow.transactions == before + 1  # the request's one commit; the worker's batches have units of their own
    c = uow.cycles.get(draft.cycle_id)
    assert (c.state, uow.cycles.participants(c), c.launched_at) == (CycleState.ACTIVE, EVERYONE, iso(clock.now()))
    assert (c.participants, c.headcount) == ([], 6)  # the ids sit beside the cycle item, not in it (issue 24)
    assert c.template_snapshot["name"] == "Annual review"
    assert result == {"cycle_id": draft.cycle_id, "expected": 6, "created": 6, "done": True}
    assert reviews_of(uow, draft.cycle_id) == EVERYONE
    e4 = uow.reviews.get(draft.cycle_id, "E4")
    assert (e4.state, e4.manager_id, e4.employee_name, e4.cycle_name) == (
        ReviewState.NOT_STARTED,
        "E3",
        "Katherine Johnson",
        "2026 annual review",
    )


def test_a_template_edited_after_launch_does_not_change_the_cycle(uow, hr, draft, template_id, clock):
    launch(uow, hr, draft.cycle_id, clock)
    template = template_svc.get_template(uow, template_id)
    template_svc.update_template(uow, hr, template_id, f.template_data(name="Renamed"), template.version, clock)
    assert uow.cycles.get(draft.cycle_id).template_snapshot["name"] == "Annual review"


def test_launch_covers_only_the_chosen_departments(uow, hr, template_id, clock):
    data = f.cycle_data(template_id, participant_mode="departments", departments=["engineering"])
    c = cycle_svc.create_cycle(uow, hr, data, clock)
    launch(uow, hr, c.cycle_id, clock)
    assert reviews_of(uow, c.cycle_id) == ["E3", "E4", "E5"]


def test_launch_answers_before_the_worker_has_created_the_reviews(uow, hr, draft, clock):
    queue = HeldQueue()
    result = launch(uow, hr, draft.cycle_id, clock, queue)
    assert result == {"cycle_id": draft.cycle_id, "expected": 6, "created": 0, "done": False}
    assert uow.cycles.get(draft.cycle_id).state is CycleState.ACTIVE
    assert reviews_of(uow, draft.cycle_id) == [] and len(queue.held) == 1
    for message in queue.held:
        dispatch(uow.table, message, clock)
    assert cycle_svc.launch_progress(uow, draft.cycle_id).done is True


def test_launching_again_while_reviews_are_missing_sends_them_again(uow, hr, draft, clock):
    launch(uow, hr, draft.cycle_id, clock, HeldQueue())  # the messages are lost
    result = launch(uow, hr, draft.cycle_id, clock)
    assert result["done"] is True and reviews_of(uow, draft.cycle_id) == EVERYONE


def test_a_batch_delivered_twice_creates_each_review_once(uow, hr, draft, clock):
    queue = HeldQueue()
    launch(uow, hr, draft.cycle_id, clock, queue)
    assert dispatch(uow.table, queue.held[0], clock) == 6
    save = f.self_content(achievements="Started")
    review_svc.save_self_assessment(uow, f.principal(uow.table, "E4"), draft.cycle_id, "E4", save, 1, False, clock)
    assert dispatch(uow.table, queue.held[0], clock) == 0
    assert reviews_of(uow, draft.cycle_id) == EVERYONE
    assert uow.reviews.get(draft.cycle_id, "E4").self_assessment == save  # not overwritten by the repeat
    assert cycle_svc.launch_progress(uow, draft.cycle_id).created == 6


def test_launching_a_complete_cycle_again_changes_nothing(uow, hr, draft, clock):
    launch(uow, hr, draft.cycle_id, clock)
    before = uow.cycles.get(draft.cycle_id)
    with refused(uow, Conflict):
        launch(uow, hr, draft.cycle_id, clock)
    assert uow.cycles.get(draft.cycle_id) == before and reviews_of(uow, draft.cycle_id) == EVERYONE


def test_a_stale_launch_is_refused(uow, hr, draft, template_id, clock):
    cycle_svc.update_cycle(uow, hr, draft.cycle_id, f.cycle_data(template_id), draft.version, clock)
    with refused(uow, StaleWrite):
        cycle_svc.launch_cycle(uow, hr, draft.cycle_id, draft.version, clock, HeldQueue())
    assert uow.cycles.get(draft.cycle_id).state is CycleState.DRAFT


def test_only_hr_launches(uow, draft, clock):
    with refused(uow, PermissionDenied):
        launch(uow, f.principal(uow.table, "E1"), draft.cycle_id, clock)
    assert uow.cycles.get(draft.cycle_id).state is CycleState.DRAFT


# --- progress ----------------------------------------------------------------------------------------------------


def test_progress_counts_reviews_by_state_and_department(uow, hr, draft, clock):
    launch(uow, hr, draft.cycle_id, clock)
    review_svc.save_self_assessment(
        uow, f.principal(uow.table, "E4"), draft.cycle_id, "E4", f.self_content(), 1, True, clock
    )
    p = cycle_svc.cycle_progress(uow, hr, draft.cycle_id, date(2026, 3, 11))
    assert p.total == 6 and p.by_state["not_started"] == 5 and p.by_state["self_submitted"] == 1
    assert p.by_department["Engineering"]["self_submitted"] == 1
    assert p.overdue == {"self_assessment": 5}


@pytest.mark.parametrize(("employee_id", "allowed"), [("E1", True), ("E2", True), ("E3", False), ("E4", False)])
def test_hr_and_leadership_see_progress(uow, hr, draft, clock, employee_id, allowed):
    launch(uow, hr, draft.cycle_id, clock)
    principal = f.principal(uow.table, employee_id)
    if allowed:
        assert cycle_svc.cycle_progress(uow, principal, draft.cycle_id, date(2026, 3, 2)).total == 6
    else:
        with refused(uow, PermissionDenied):
            cycle_svc.cycle_progress(uow, principal, draft.cycle_id, date(2026, 3, 2))


# --- close and reopen ----------------------------------------------------------------------------------------------


def test_hr_closes_an_active_cycle(uow, hr, draft, clock):
    launch(uow, hr, draft.cycle_id, clock)
    version = uow.cycles.get(draft.cycle_id).version
    closed = cycle_svc.close_cycle(uow, hr, draft.cycle_id, version, clock)
    c = uow.cycles.get(draft.cycle_id)
    assert (c.state, c.closed_at, c.version) == (CycleState.CLOSED, iso(clock.now()), version + 1)
    assert closed == c


def test_a_draft_cannot_be_closed(uow, hr, draft, clock):
    with refused(uow, Conflict):
        cycle_svc.close_cycle(uow, hr, draft.cycle_id, draft.version, clock)
    assert uow.cycles.get(draft.cycle_id).state is CycleState.DRAFT


def test_reopening_needs_a_reason_which_goes_into_the_audit_trail(uow, hr, draft, clock):
    launch(uow, hr, draft.cycle_id, clock)
    closed = cycle_svc.close_cycle(uow, hr, draft.cycle_id, uow.cycles.get(draft.cycle_id).version, clock)
    with refused(uow, ValidationFailed):
        cycle_svc.reopen_cycle(uow, hr, draft.cycle_id, closed.version, "  ", clock)
    assert uow.cycles.get(draft.cycle_id).state is CycleState.CLOSED
    cycle_svc.reopen_cycle(uow, hr, draft.cycle_id, closed.version, "  A late correction.  ", clock)
    c = uow.cycles.get(draft.cycle_id)
    assert (c.state, c.closed_at) == (CycleState.ACTIVE, None)
    last = uow.audit.of_entity(keys.entity_cycle(draft.cycle_id))[-1]
    assert (last["action"], last["reason"], last["actor"]) == ("reopen_cycle", "A late correction.", "E2")


def test_an_active_cycle_cannot_be_reopened(uow, hr, draft, clock):
    launch(uow, hr, draft.cycle_id, clock)
    with refused(uow, Conflict):
        cycle_svc.reopen_cycle(uow, hr, draft.cycle_id, uow.cycles.get(draft.cycle_id).version, "Why", clock)


def test_a_stale_close_is_refused(uow, hr, draft, clock):
    launch(uow, hr, draft.cycle_id, clock)
    with refused(uow, StaleWrite):
        cycle_svc.close_cycle(uow, hr, draft.cycle_id, draft.version, clock)
    assert uow.cycles.get(draft.cycle_id).state is CycleState.ACTIVE


@pytest.mark.parametrize("employee_id", ["E1", "E3"])
def test_only_hr_closes(uow, hr, draft, clock, employee_id):
    launch(uow, hr, draft.cycle_id, clock)
    version = uow.cycles.get(draft.cycle_id).version
    with refused(uow, PermissionDenied):
        cycle_svc.close_cycle(uow, f.principal(uow.table, employee_id), draft.cycle_id, version, clock)
    assert uow.cycles.get(draft.cycle_id).state is CycleState.ACTIVE


def test_reindexing_after_an_upgrade_puts_a_disagreement_stored_without_its_index_on_hrs_list(uow, hr, clock):
    from dataclasses import replace

    from service.adapters.review_store import review_to_item
    from service.adapters.store import Put

    table = uow.table
    cycle = f.launched_cycle(table, clock)
    review = UnitOfWork(table).reviews.get(cycle.cycle_id, "E4")
    ack = {"agreement": "disagree", "response": "Too low", "at": iso(clock.now())}
    older = {k: v for k, v in review_to_item(replace(review, acknowledgement=ack)).items() if k[:4] != "gsi3"}
    table.transact([Put(older, expect_version=review.version)])  # as a version before the index stored it
    assert cycle_svc.disagreements(UnitOfWork(table), hr, cycle.cycle_id).rows == []
    assert cycle_svc.reindex_reviews(UnitOfWork(table)) == {cycle.cycle_id: 1}
    listed = cycle_svc.disagreements(UnitOfWork(table), hr, cycle.cycle_id).rows
    assert [(r.employee_id, r.response) for r in listed] == [("E4", "Too low")]
    assert UnitOfWork(table).reviews.get(cycle.cycle_id, "E4").version == review.version  # the review itself unchanged
    assert cycle_svc.reindex_reviews(UnitOfWork(table)) == {cycle.cycle_id: 0}
