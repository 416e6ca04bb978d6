"""Notification settings (issue 28, point 5): each person's preference and the chat channels HR connected, in the
table (audited); the channels' secrets in Secrets Manager, never in the table, never shown back.

`NotificationStore(uow)` is the repository the use cases read and stage through; `PreferenceLookup` and
`WorkspaceLookup` are what the mailer asks before each send (a Query of gsi1 by address, a Query of the channels);
`ChatSecrets` holds the tokens and webhook addresses: `SecretsManagerSecrets` deployed and locally (moto), a
dict in tests.
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from service.adapters import keys
from service.adapters.audited import stage_audited
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Table
from service.domain.errors import Unavailable
from service.domain.notifications import Channel, Preference, Workspace

PREFERENCE: Codec[Preference] = Codec(
    Preference, "notification_preference", lambda p: keys.notify_preference(p.employee_id)
)
WORKSPACE: Codec[Workspace] = Codec(Workspace, "notification_workspace", lambda w: keys.notify_workspace(w.channel))


def preference_entity(employee_id: str) -> str:
    """Audit entity name of a person's notification preference."""
    return f"NOTIFYPREF#{employee_id}"


def workspace_entity(channel: Channel) -> str:
    """Audit entity name of a connected chat channel."""
    return f"NOTIFYWORKSPACE#{channel.value}"


class NotificationStore(Repository):
    """People's preferences and the connected channels (audited writes, conditional on the version read)."""

    def preference(self, employee_id: str) -> Preference:
        """A person's preference (email and the daily digest until they choose)."""
        found = self._read(PREFERENCE.from_item, keys.notify_preference(employee_id))
        return found or Preference(employee_id)

    def save_preference(self, before: Preference, after: Preference, address: str, actor: str, at: str) -> None:
        """Stage the preference (found by `address` too, for the mailer) and its audit record."""
        item = {**PREFERENCE.to_item(after), **keys.notify_preference_gsi(address), "address": address.lower()}
        key = keys.notify_preference(after.employee_id)
        self._stage(
            key, item, bool(before.version), preference_entity(after.employee_id), "set_notifications", actor, at
        )

    def workspaces(self) -> dict[Channel, Workspace]:
        """The chat channels HR connected (one Query)."""
        return {w.channel: w for w in (WORKSPACE.from_item(i) for i in self._query_noted("NOTIFYWORKSPACE"))}

    def save_workspace(self, before: Workspace | None, after: Workspace, actor: str, at: str) -> None:
        """Stage a channel's set-up (how, when, by whom) and its audit record."""
        key = keys.notify_workspace(after.channel)
        self._stage(
            key,
            WORKSPACE.to_item(after),
            before is not None,
            workspace_entity(after.channel),
            "connect_chat",
            actor,
            at,
        )

    def _stage(
        self, key: dict[str, str], item: dict, existed: bool, entity: str, action: str, actor: str, at: str
    ) -> None:
        """An audited write of `item` over what was read at `key` (conditional on its version)."""
        old = self._get(key) if existed else None
        item = {k: v for k, v in item.items() if k != "version"}
        stage_audited(self._uow, entity=entity, before=old, after=item, actor=actor, action=action, at=at)


class PreferenceLookup:
    """The mailer's question before a send: the preference of whoever has this address (one Query of gsi1)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __call__(self, address: str) -> Preference | None:
        key = keys.notify_preference_gsi(address)
        found = list(self.table.query(key["gsi1pk"], index="gsi1"))
        return PREFERENCE.from_item(found[0]) if found else None


class WorkspaceLookup:
    """The mailer's question: which chat channels are connected, and how (one Query)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __call__(self) -> dict[Channel, Workspace]:
        return {w.channel: w for w in (WORKSPACE.from_item(i) for i in self.table.query("NOTIFYWORKSPACE"))}


class ChatSecrets(ABC):
    """Port: the chat channels' secrets (a bot token, a webhook address), by channel."""

    @abstractmethod
    def read(self) -> dict[str, str]:
        """Every channel's secret ({"slack": "xoxb-…", "teams": "https://…"})."""

    @abstractmethod
    def write(self, channel: Channel, secret: str) -> None:
        """Keep one channel's secret (the others stay as they are)."""


class MemorySecrets(ChatSecrets):
    """Secrets in a dict (tests)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def read(self) -> dict[str, str]:
        return dict(self.values)

    def write(self, channel: Channel, secret: str) -> None:
        self.values[channel.value] = secret


# A secret read is kept this long, so a reminders run reads it once and an HR change reaches every process soon.
SECRET_TTL = 60.0


class SecretsManagerSecrets(ChatSecrets):
    """One Secrets Manager secret holding a JSON object of the channels' secrets (template.yaml: NotificationSecret).

    Read once a minute at most; a failed read or write is `Unavailable` (the mailer then sends email)."""

    def __init__(self, client: Any, secret_id: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.secret_id = secret_id
        self.clock = clock
        self._read: tuple[float, dict[str, str]] | None = None
        self._lock = threading.Lock()

    def read(self) -> dict[str, str]:
        with self._lock:
            if self._read is not None and self.clock() - self._read[0] < SECRET_TTL:
                return dict(self._read[1])
            value = self._fetch()
            self._read = (self.clock(), value)
            return dict(value)

    def _fetch(self) -> dict[str, str]:
        from botocore.exceptions import BotoCoreError, ClientError

        from service.adapters.aws import reason

        try:
            text = self.client.get_secret_value(SecretId=self.secret_id).get("SecretString") or "{}"
        except (ClientError, BotoCoreError) as exc:
            raise Unavailable(f"the chat settings cannot be read now ({reason(exc)})", retry_after=5) from exc
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        return {k: str(v) for k, v in data.items() if isinstance(data, dict) and isinstance(v, str)}

    def write(self, channel: Channel, secret: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        from service.adapters.aws import reason

        with self._lock:
            self._read = None
            current = self._fetch()
            current[channel.value] = secret
            try:
                self.client.put_secret_value(SecretId=self.secret_id, SecretString=json.dumps(current))
            except (ClientError, BotoCoreError) as exc:
                raise Unavailable(f"the chat settings cannot be saved now ({reason(exc)})", retry_after=5) from exc
