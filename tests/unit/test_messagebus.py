"""Events inside the unit of work: handlers stage their writes in the use case's one transaction, events they
record are handled too, an event nobody registered is refused, and the review's use cases bring their handlers
with them (a process that imported only them still writes the training needs a submission names)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.adapters.store import MemoryTable, Put
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import ValidationFailed
from service.domain.events import Event

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Asked(Event):
    name: str


@dataclass(frozen=True)
class Answered(Event):
    name: str


@dataclass(frozen=True)
class Unheard(Event):
    pass


def _item(name: str) -> dict[str, str]:
    return {"pk": f"T#{name}", "sk": "T", "name": name}


def _ask(uow: UnitOfWork, event: Asked) -> None:
    uow.add(Put(_item(event.name), must_not_exist=True))
    uow.record(Answered(event.name + "-answer"))


def _answer(uow: UnitOfWork, event: Answered) -> None:
    if event.name.startswith("refused"):
        raise ValidationFailed("refused", {"name": ["refused"]})
    uow.add(Put(_item(event.name), must_not_exist=True))


class ChainedUoW(UnitOfWork):
    handlers = {Asked: [_ask], Answered: [_answer]}


def _stored(table: MemoryTable, name: str) -> bool:
    return table.get({"pk": f"T#{name}", "sk": "T"}) is not None


def test_events_recorded_by_handlers_are_handled_and_everything_commits_in_one_transaction():
    uow = ChainedUoW(MemoryTable())
    with uow:
        uow.add(Put(_item("use-case"), must_not_exist=True))
        uow.record(Asked("first"))
        uow.commit()
    assert [_stored(uow.table, n) for n in ("use-case", "first", "first-answer")] == [True, True, True]
    assert uow.transactions == 1 and uow.events == []


def test_a_handler_that_refuses_leaves_nothing_written():
    uow = ChainedUoW(MemoryTable())
    with pytest.raises(ValidationFailed), uow:
        uow.add(Put(_item("use-case"), must_not_exist=True))
        uow.record(Asked("refused"))
        uow.commit()
    assert not any(_stored(uow.table, n) for n in ("use-case", "refused", "refused-answer"))
    assert uow.events == [] and uow.ops == []


def test_an_event_without_registered_handlers_is_refused_not_dropped():
    uow = ChainedUoW(MemoryTable())
    with pytest.raises(LookupError, match="Unheard"), uow:
        uow.add(Put(_item("use-case"), must_not_exist=True))
        uow.record(Unheard())
        uow.commit()
    assert not _stored(uow.table, "use-case")


FRESH_PROCESS = textwrap.dedent(
    """
    from service.services import reviews as review_svc  # the one use-case module this process asks for

    from service.adapters.store import MemoryTable
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.directory import import_organisation
    from tests import factories as f
    from tests.conftest import ORG_CSV, FixedClock
    from datetime import UTC, datetime

    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    uow = UnitOfWork(MemoryTable())
    import_organisation(uow, None, ORG_CSV, clock)
    cycle_id = f.launched_cycle(uow.table, clock).cycle_id
    content = f.self_content(training_needs=[{"topic": "Public speaking", "priority": "high"}])
    version = uow.reviews.get(cycle_id, "E4").version
    review_svc.save_self_assessment(uow, f.principal(uow.table, "E4"), cycle_id, "E4", content, version, True, clock)
    print(sorted(n.topic_id for n in UnitOfWork(uow.table).training.of_person("E4", cycle_id)))
    """
)


def test_a_process_that_imported_only_the_review_use_cases_stores_the_training_needs_a_submission_names():
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", FRESH_PROCESS], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['free-public-speaking']"


HANDLERS_ON_FIRST_DISPATCH = textwrap.dedent(
    """
    import sys
    from service.services import reviews as review_svc
    from service.adapters.store import MemoryTable
    from service.adapters.unit_of_work import UnitOfWork
    from service.domain.events import ReviewAcknowledged

    before = "service.services.feedback" in sys.modules
    uow = UnitOfWork(MemoryTable())
    uow.record(ReviewAcknowledged(review=None, actor_id="E1", at="2026-03-02T09:00:00+00:00", template={}))
    uow.commit()
    print(before, "service.services.feedback" in sys.modules)
    """
)


def test_the_review_use_cases_import_the_features_that_handle_events_on_the_first_dispatch_only():
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", HANDLERS_ON_FIRST_DISPATCH],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
