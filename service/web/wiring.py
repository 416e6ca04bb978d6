"""What the app needs at run time, built lazily so importing the web module stays cheap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import current_app

from service.adapters.clock import Clock
from service.adapters.queue import InlineQueue, Queue, SqsQueue
from service.adapters.store import Table

if TYPE_CHECKING:
    from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings


@dataclass
class Wiring:
    """Settings plus adapters; the table is created on first use (no boto3 at import)."""

    settings: Settings
    table_factory: Callable[[], Table]
    clock: Clock = field(default_factory=Clock)
    _table: Table | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def queue(self) -> Queue:
        """Where background work goes: SQS when configured, else run inline on this table."""
        if "queue" not in self.extras:
            if self.settings.queue_url:
                from service.adapters.aws import client

                self.extras["queue"] = SqsQueue(client("sqs", self.settings), self.settings.queue_url)
            else:
                if self.settings.deployed:  # issue 21: a deployed web function never does the worker's job itself
                    from service.config import ConfigError

                    raise ConfigError("the deployed web function has no QUEUE_URL (template.yaml: Globals)")
                from service.services.worker import dispatch

                self.extras["queue"] = InlineQueue(lambda message: dispatch(self.table, message, self.clock))
        return self.extras["queue"]

    def uow(self) -> UnitOfWork:
        """The unit of work of this request: its use cases share what it has read (each item read once)."""
        from flask import g, has_request_context

        from service.adapters.unit_of_work import UnitOfWork

        if not has_request_context():
            return UnitOfWork(self.table)
        if "uow" not in g:
            g.uow = UnitOfWork(self.table, identity_map=True)
            g.uow.today = self.clock.now().date()  # issue 28: whose acting managers count today
        return g.uow

    @property
    def table(self) -> Table:
        """The single table."""
        if self._table is None:
            self._table = self.table_factory()
        return self._table


def wiring() -> Wiring:
    """The current app's wiring."""
    return current_app.extensions["reviews"]


def dynamo_table_factory(settings: Settings) -> Callable[[], Table]:
    """A factory for the real table (imports boto3 when first called)."""

    def build() -> Table:
        from service.adapters.factory import build_table

        return build_table(settings)

    return build
