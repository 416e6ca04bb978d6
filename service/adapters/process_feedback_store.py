"""Feedback on the review process in the table: `uow.process_feedback` (issue 27). An answer sits in its cycle's
partition under a random id with nothing that names its author or its time; a separate mark says who answered, so
nobody answers twice, and the two are written in one transaction."""

from __future__ import annotations

import uuid

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Put
from service.domain.process_feedback import ProcessAnswer, open_batch

ANSWER: Codec[ProcessAnswer] = Codec(
    ProcessAnswer, "process_answer", lambda a: keys.process_answer(a.cycle_id, a.answer_id)
)


class ProcessFeedbackRepository(Repository):
    """The anonymous answers about a cycle's process, and the marks of who gave one."""

    def answers(self, cycle_id: str) -> list[ProcessAnswer]:
        """A cycle's answers (one Query; their random ids order them by chance)."""
        pk, prefix = keys.process_answers(cycle_id)
        return [ANSWER.from_item(i) for i in self._table.query(pk, prefix)]

    def given(self, cycle_id: str, employee_id: str) -> bool:
        """Whether this person already answered about this cycle."""
        return self._get(keys.process_given(cycle_id, employee_id)) is not None

    def add(self, cycle_id: str, employee_id: str, answer: ProcessAnswer) -> None:
        """Stage the answer under a random id, in the group not yet full, and the person's mark; the mark refuses a
        second answer."""
        batch = open_batch(self.answers(cycle_id))
        stored = ProcessAnswer(
            uuid.uuid4().hex, cycle_id, answer.fair, answer.useful, answer.time_taken, answer.change, batch
        )
        mark = {**keys.process_given(cycle_id, employee_id), "type": "process_feedback_given", "version": 1}
        self._uow.add(Put(mark, must_not_exist=True))
        self._uow.add(Put({**ANSWER.to_item(stored), "version": 1}, must_not_exist=True))
