"""Feedback storage on DynamoDB (moto): the indexes of requests, the answer group and the draft's removal hold
there as on the in-memory table."""

from __future__ import annotations

from service.adapters.unit_of_work import UnitOfWork
from service.domain.feedback import FeedbackKind, RequestState
from service.services import feedback_answers, feedback_nominations
from tests import factories as f


def nominated(table, clock, approved: list[str]):
    """A launched cycle where E4 nominated E5, E6 and E2 and their manager approved `approved`."""
    cycle = f.launched_cycle(table, clock)
    cid = cycle.cycle_id
    feedback_nominations.nominate_peers(
        UnitOfWork(table), f.principal(table, "E4"), cid, "E4", ["E5", "E6", "E2"], clock
    )
    feedback_nominations.decide_nominations(
        UnitOfWork(table), f.principal(table, "E3"), cid, "E4", approved, [], [], clock
    )
    return cycle


def test_a_request_is_found_by_reviewer_and_by_cycle_and_its_answer_lands_in_the_group(seeded, clock):
    table = seeded
    cycle = nominated(table, clock, approved=["E5", "E6", "E2"])
    cid = cycle.cycle_id
    feedback_answers.save_draft(
        UnitOfWork(table), f.principal(table, "E5"), cid, "E4", {"ratings": {"delivery": 2}}, 0, clock
    )
    feedback_answers.submit_answer(
        UnitOfWork(table), f.principal(table, "E5"), cid, "E4", {"ratings": {"delivery": 3}}, clock
    )
    uow = UnitOfWork(table)
    assert [r.subject_id for r in uow.feedback.addressed_to("E5")] == ["E4"]
    assert {r.reviewer_id: r.state for r in uow.feedback.of_cycle(cid)} == {
        "E5": RequestState.ANSWERED,
        "E6": RequestState.APPROVED,
        "E2": RequestState.APPROVED,
    }
    assert uow.feedback.answers(cid, "E4")[FeedbackKind.PEER] == [{"ratings": {"delivery": 3}, "answers": {}}]
    assert uow.feedback.draft("E5", cid, "E4") is None


def test_the_waiting_count_holds_on_dynamodb_and_the_team_overview_reads_it_in_the_close_marks_batch(seeded, clock):
    from service.adapters import keys
    from service.services import tasks

    table = seeded
    cycle = nominated(table, clock, approved=["E5"])
    cid = cycle.cycle_id
    assert int(table.get(keys.feedback_waiting(cid, "E4"), consistent=True)["waiting"]) == 2
    uow = UnitOfWork(table)
    reports = list(uow.directory.get_many(["E4", "E5"]).values())
    found = tasks.nominations_to_decide(uow, f.principal(table, "E3"), cycle, reports, clock.now())
    assert {k: v.count for k, v in found.items()} == {"E4": 2}
