"""Calibration in the table (issue 23): `uow.calibration`: sessions, the members' claims, adjustments.

A person's claim (`keys.calibration_member`) is created only if absent, in the transaction that forms the session:
two sessions racing for one person cannot both hold them. Closing or cancelling a session deletes its claims.
"""

from __future__ import annotations

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Check, Delete, Put
from service.domain.calibration import Adjustment, CalibrationSession

SESSION: Codec[CalibrationSession] = Codec(
    CalibrationSession,
    "calibration_session",
    lambda s: {
        **keys.calibration_session(s.session_id),
        **keys.calibration_session_gsi1(s.cycle_id, s.created_at, s.session_id),
    },
)
ADJUSTMENT: Codec[Adjustment] = Codec(
    Adjustment, "calibration_adjustment", lambda a: keys.calibration_adjustment(a.session_id, a.employee_id)
)


class CalibrationRepository(Repository):
    """Calibration sessions of a cycle, who is claimed by which open one, and each person's adjustment."""

    def get(self, session_id: str) -> CalibrationSession | None:
        """One session, or None."""
        return self._read(SESSION.from_item, keys.calibration_session(session_id))

    def of_cycle(self, cycle_id: str) -> list[CalibrationSession]:
        """A cycle's sessions, oldest first (one Query of the index)."""
        index, pk = keys.calibration_sessions_index(cycle_id)
        return [SESSION.from_item(i) for i in self._table.query(pk, index=index)]

    def save(
        self, s: CalibrationSession, *, new: bool, actor: str, action: str, at: str, reason: str = ""
    ) -> CalibrationSession:
        """Stage the audited session (in the cycle's audit trail); returns it as stored."""
        entity = keys.entity_calibration_session(s.session_id)
        audit = {"actor": actor, "action": action, "at": at, "reason": reason, "cycle_id": s.cycle_id}
        return SESSION.from_item(self._audited(entity, SESSION.to_item(s), new, **audit))

    def expect_unchanged(self, s: CalibrationSession) -> None:
        """Stage a guard: the write fails if the session changed since it was read (closed in between)."""
        self._uow.add(Check(keys.calibration_session(s.session_id), expect_version=s.version))

    def claim(self, cycle_id: str, employee_id: str, session_id: str) -> None:
        """Stage a person's claim on this session: refused (Conflict) when another open session holds them."""
        item = {**keys.calibration_member(cycle_id, employee_id), "type": "calibration_member"}
        self._uow.add(Put({**item, "session_id": session_id, "employee_id": employee_id}, must_not_exist=True))

    def release(self, cycle_id: str, employee_id: str) -> None:
        """Stage the deletion of a person's claim (their session closed or was cancelled)."""
        self._uow.add(Delete(keys.calibration_member(cycle_id, employee_id)))

    def claims(self, cycle_id: str, employee_ids: list[str]) -> dict[str, str]:
        """Which open session holds each of these people (those held), read consistently in batches."""
        found = self._table.get_many([keys.calibration_member(cycle_id, e) for e in employee_ids])
        return {i["employee_id"]: i["session_id"] for i in found}

    def adjustments(self, session_id: str) -> dict[str, Adjustment]:
        """Every adjustment of a session, by person (one Query)."""
        pk, prefix = keys.calibration_adjustments(session_id)
        return {a.employee_id: a for a in map(ADJUSTMENT.from_item, self._query_noted(pk, prefix))}

    def adjustment(self, session_id: str, employee_id: str) -> Adjustment | None:
        """One person's adjustment, or None."""
        return self._read(ADJUSTMENT.from_item, keys.calibration_adjustment(session_id, employee_id))

    def save_adjustment(self, a: Adjustment, *, new: bool, actor: str, action: str, at: str, reason: str) -> Adjustment:
        """Stage the audited adjustment, conditional on the version read; returns it as stored."""
        entity = keys.entity_calibration_adjustment(a.session_id, a.employee_id)
        audit = {"actor": actor, "action": action, "at": at, "reason": reason, "cycle_id": a.cycle_id}
        return ADJUSTMENT.from_item(self._audited(entity, ADJUSTMENT.to_item(a), new, **audit))
