"""A cycle's feedback rules (peer minimum and maximum, the anonymity threshold, upward on/off, the nomination
deadline, when answers are released), and what every feedback use case checks of its cycle first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState, Phase
from service.domain.errors import Conflict, StaleWrite, ValidationFailed
from service.domain.feedback import (
    FeedbackSettings,
    ReleaseRule,
    check_settings,
)
from service.domain.templates import Template, template_from_dict
from service.services import policy
from service.services.auth import Principal
from service.services.cycles import get_cycle


def settings_for(uow: UnitOfWork, cycle: Cycle) -> FeedbackSettings:
    """A cycle's feedback settings, the nomination deadline defaulting to the feedback phase's deadline."""
    s = uow.feedback.settings(cycle.cycle_id)
    if s.nomination_deadline is None:
        s = replace(s, nomination_deadline=cycle.phases.get(Phase.FEEDBACK))
    return s


def settings_json(s: FeedbackSettings) -> dict[str, Any]:
    """Settings as JSON."""
    return {
        "min_peers": s.min_peers,
        "max_peers": s.max_peers,
        "threshold": s.shown_from,
        "upward": s.upward,
        "nomination_deadline": s.nomination_deadline.isoformat() if s.nomination_deadline else None,
        "release": s.release.value,
        "version": s.version,
    }


def save_settings(
    uow: UnitOfWork, principal: Principal, cycle_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> FeedbackSettings:
    """HR sets a cycle's peer minimum and maximum, the anonymity threshold (never below 3), upward on/off, the
    nomination deadline and when answers are released (left out: unchanged). The release rule and the threshold are
    fixed once the feedback deadline has passed: changing them then could reopen answers to groups already shown, or
    show or hide a group after the release."""
    policy.require(policy.may_manage_feedback(principal), "only HR sets a cycle's feedback rules")
    cycle = get_cycle(uow, cycle_id)
    require_open(cycle)
    current = uow.feedback.settings(cycle_id)
    if current.version != expected_version:
        raise StaleWrite(f"the feedback settings were changed by someone else (now version {current.version})")
    release = ReleaseRule(data.get("release") or current.release)
    deadline = feedback_deadline(cycle)
    # The threshold too: groups released by then (and the diagnosis's upward figures) would change after being read.
    fixed = {"release": release is not current.release, "threshold": data["threshold"] != current.threshold}
    if deadline and clock.now().date() > deadline and any(fixed.values()):
        raise ValidationFailed(
            "The feedback settings are not valid.",
            {k: [f"fixed since the feedback deadline ({deadline.isoformat()}) passed"] for k, v in fixed.items() if v},
        )
    wanted = FeedbackSettings(
        min_peers=data["min_peers"],
        max_peers=data["max_peers"],
        threshold=data["threshold"],
        upward=data["upward"],
        nomination_deadline=data.get("nomination_deadline"),
        release=release,
        version=current.version,
    )
    check_settings(wanted)
    with uow:
        stored = uow.feedback.save_settings(cycle_id, wanted, actor=principal.employee_id, at=iso(clock.now()))
        uow.commit()
    return replace(stored, nomination_deadline=stored.nomination_deadline or feedback_deadline(cycle))


def feedback_deadline(cycle: Cycle) -> date | None:
    """The cycle's feedback deadline (None: the cycle has no feedback phase)."""
    return cycle.phases.get(Phase.FEEDBACK)


def require_open(cycle: Cycle) -> None:
    """Refuse (409) unless the cycle is active: a draft or closed cycle's feedback is read-only."""
    if cycle.state is not CycleState.ACTIVE:
        raise Conflict(f"the cycle is {cycle.state}; its feedback is read-only")


def launched_template(cycle: Cycle) -> Template:
    """The template the cycle was launched with (409 before the launch)."""
    if not cycle.template_snapshot:
        raise Conflict("the cycle has not been launched")
    return template_from_dict(cycle.template_snapshot)
