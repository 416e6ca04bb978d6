"""Random sequences of actions by random actors through a small cycle, checking the invariants:
only declared transitions happen, no update is lost, the audit trail is complete and its chain
verifies, and a closed cycle never changes."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from service.adapters import keys
from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.audit import verify_chain
from service.domain.errors import DomainError, StaleWrite
from service.domain.reviews import RETURNS, TRANSITIONS, ReviewAction, ReviewState
from service.services import cycles as cycle_svc
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV

SUBJECTS = ["E4", "E5"]
ACTORS = ["E2", "E3", "E4", "E5", "E1"]
A = ReviewAction
NATURAL_ACTOR = {
    A.SAVE_SELF: "SUBJECT",
    A.SUBMIT_SELF: "SUBJECT",
    A.ACKNOWLEDGE: "SUBJECT",
    A.SAVE_MANAGER: "E3",
    A.SUBMIT_MANAGER: "E3",
    A.SAVE_DISCUSSION: "E3",
    A.RECORD_DISCUSSION: "E3",
}


class ReviewCycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
        self.table = MemoryTable()
        import_organisation(UnitOfWork(self.table), None, ORG_CSV, self.clock)
        self.cycle = f.launched_cycle(self.table, self.clock, participant_mode="list", employee_ids=SUBJECTS)
        self.cycle_id = self.cycle.cycle_id
        # What each actor last read of each review: (version, state); stale reads are the point.
        self.seen: dict[tuple[str, str], int] = {}
        self.model: dict[str, tuple[ReviewState, int]] = {s: (ReviewState.NOT_STARTED, 1) for s in SUBJECTS}
        self.closed_snapshot: list[dict] | None = None
        self.transitions_seen = 0

    def principal(self, actor: str):
        return f.principal(self.table, actor)

    def stored(self, subject: str):
        return self.table.get(keys.review(self.cycle_id, subject))

    @rule(actor=st.sampled_from(ACTORS), subject=st.sampled_from(SUBJECTS))
    def read(self, actor, subject):
        try:
            view = review_svc.open_review(UnitOfWork(self.table), self.principal(actor), self.cycle_id, subject)
        except DomainError:
            return
        self.seen[(actor, subject)] = view.version

    @rule(
        natural=st.booleans(),
        other=st.sampled_from(ACTORS),
        fresh=st.integers(0, 3),
        subject=st.sampled_from(SUBJECTS),
        # Forward actions are drawn more often so that runs reach the later states.
        action=st.sampled_from(
            [A.SAVE_SELF, A.SAVE_MANAGER, A.SAVE_DISCUSSION, A.RETURN]
            + 3 * [A.SUBMIT_SELF, A.SUBMIT_MANAGER, A.RECORD_DISCUSSION, A.ACKNOWLEDGE, A.FINALISE]
        ),
        to_state=st.sampled_from(list(ReviewState)),
        note=st.text(alphabet="abcxyz ", min_size=1, max_size=8),
    )
    def act(self, natural, other, fresh, subject, action, to_state, note):
        # Half the time the person the workflow expects acts; usually they read just before writing.
        actor = NATURAL_ACTOR.get(action, "E2").replace("SUBJECT", subject) if natural else other
        if fresh:
            self.read(actor, subject)
        before_state, before_version = self.model[subject]
        version = self.seen.get((actor, subject), 1)
        p = self.principal(actor)
        t, c, cl = self.table, self.cycle_id, self.clock
        content = None
        try:
            if action in (A.SAVE_SELF, A.SUBMIT_SELF):
                content = f.self_content(achievements=note)
                review_svc.save_self_assessment(
                    UnitOfWork(t), p, c, subject, content, version, action is A.SUBMIT_SELF, cl
                )
            elif action in (A.SAVE_MANAGER, A.SUBMIT_MANAGER):
                content = f.manager_content(narrative=note)
                review_svc.save_manager_assessment(
                    UnitOfWork(t), p, c, subject, content, version, action is A.SUBMIT_MANAGER, cl
                )
            elif action in (A.SAVE_DISCUSSION, A.RECORD_DISCUSSION):
                content = f.discussion_content(notes=note)
                review_svc.save_discussion(
                    UnitOfWork(t), p, c, subject, content, version, action is A.RECORD_DISCUSSION, cl
                )
            elif action is A.ACKNOWLEDGE:
                review_svc.acknowledge(UnitOfWork(t), p, c, subject, "agree", note, version, cl)
            elif action is A.FINALISE:
                review_svc.finalise(UnitOfWork(t), p, c, subject, version, cl)
            else:
                review_svc.return_review(UnitOfWork(t), p, c, subject, to_state.value, note, version, cl)
        except StaleWrite:
            assert version != before_version or self.closed_snapshot is not None
            return
        except DomainError:
            assert self.model[subject] == (self.stored_state(subject), self.stored(subject)["version"])
            return
        # The write was accepted: it must have been fresh, in an open cycle, and a declared transition.
        assert self.closed_snapshot is None, "a closed cycle changed"
        assert version == before_version, "a stale write was accepted: an update would be lost"
        after_state = self.stored_state(subject)
        if action is A.RETURN:
            assert after_state == to_state and to_state in RETURNS[before_state]
        else:
            assert TRANSITIONS[(before_state, action)] == after_state
        after_version = self.stored(subject)["version"]
        assert after_version == before_version + 1
        self.model[subject] = (after_state, after_version)
        self.seen[(actor, subject)] = after_version
        self.transitions_seen += after_state != before_state
        if content is not None:
            section = {"self": "self_assessment", "manager": "manager_assessment"}.get(
                action.value.split("_", 1)[1], "discussion"
            )
            assert self.stored(subject)[section] == content, "the accepted write is not what is stored"

    def stored_state(self, subject: str) -> ReviewState:
        return ReviewState(self.stored(subject)["state"])

    @precondition(lambda self: self.closed_snapshot is None)
    @rule()
    def close(self):
        cycle = cycle_svc.get_cycle(UnitOfWork(self.table), self.cycle_id)
        cycle_svc.close_cycle(UnitOfWork(self.table), self.principal("E2"), self.cycle_id, cycle.version, self.clock)
        self.closed_snapshot = [self.stored(s) for s in SUBJECTS]

    @precondition(lambda self: self.closed_snapshot is not None)
    @rule(reason=st.sampled_from(["late feedback", "correction"]))
    def reopen(self, reason):
        cycle = cycle_svc.get_cycle(UnitOfWork(self.table), self.cycle_id)
        cycle_svc.reopen_cycle(
            UnitOfWork(self.table), self.principal("E2"), self.cycle_id, cycle.version, reason, self.clock
        )
        self.closed_snapshot = None

    @invariant()
    def closed_cycle_never_changes(self):
        if self.closed_snapshot is not None:
            assert [self.stored(s) for s in SUBJECTS] == self.closed_snapshot

    @invariant()
    def stored_state_matches_the_model(self):
        for s in SUBJECTS:
            assert (self.stored_state(s), self.stored(s)["version"]) == self.model[s]

    @invariant()
    def audit_trail_is_complete_and_verifies(self):
        hr = self.principal("E2")
        for s in SUBJECTS:
            records = review_svc.review_audit(UnitOfWork(self.table), hr, self.cycle_id, s)
            assert [r["version"] for r in records] == list(range(1, self.model[s][1] + 1))
            assert verify_chain(records, head=self.stored(s)["audit_head"]) == []

    @invariant()
    def counters_match_the_reviews(self):
        progress = cycle_svc.cycle_progress(
            UnitOfWork(self.table), self.principal("E2"), self.cycle_id, self.clock.now().date()
        )
        expected = {state.value: 0 for state in ReviewState if state is not ReviewState.IN_CALIBRATION}
        for s in SUBJECTS:
            expected[self.model[s][0].value] += 1
        assert progress.by_state == expected


ReviewCycleMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestReviewCycle = ReviewCycleMachine.TestCase


def test_tampering_with_an_audit_record_breaks_the_chain(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    emp = f.principal(table, "E4")
    review_svc.save_self_assessment(UnitOfWork(table), emp, cycle.cycle_id, "E4", f.self_content(), 1, False, clock)
    hr = f.principal(table, "E2")
    records = review_svc.review_audit(UnitOfWork(table), hr, cycle.cycle_id, "E4")
    assert verify_chain(records) == []
    records[1]["actor"] = "E3"
    assert verify_chain(records) == ["version 2: content does not match its hash"]
    assert verify_chain(records[1:]) != []
