"""Use cases of review templates (HR): create, edit (a new version each time), read."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Role
from service.domain.errors import NotFound, StaleWrite
from service.domain.templates import Template, template_from_dict, validate_template
from service.services.auth import Principal
from service.services.policy import require_role


def create_template(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> Template:
    """Create a template (version 1)."""
    require_role(principal, Role.HR)
    t = template_from_dict({**data, "template_id": data.get("template_id") or clock.new_id(), "version": 0})
    validate_template(t)
    at = iso(clock.now())
    t = replace(t, updated_at=at, updated_by=principal.employee_id)
    with uow:
        saved = uow.templates.save(t, new=True, actor=principal.employee_id, action="create_template", at=at)
        uow.commit()
    return saved


def update_template(
    uow: UnitOfWork, principal: Principal, template_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> Template:
    """Save an edit as a new version; running cycles keep the snapshot they launched with."""
    require_role(principal, Role.HR)
    current = get_template(uow, template_id)
    if current.version != expected_version:
        raise StaleWrite(f"the template is at version {current.version}, not {expected_version}; reload it")
    at = iso(clock.now())
    t = template_from_dict(
        {
            **data,
            "template_id": template_id,
            "version": expected_version,
            "updated_at": at,
            "updated_by": principal.employee_id,
        }
    )
    validate_template(t)
    with uow:
        saved = uow.templates.save(t, new=False, actor=principal.employee_id, action="update_template", at=at)
        uow.commit()
    return saved


def get_template(uow: UnitOfWork, template_id: str, version: int | None = None) -> Template:
    """The current template, or one saved version."""
    t = uow.templates.get(template_id, version)
    if t is None:
        raise NotFound(f"no template {template_id!r}" + (f" version {version}" if version else ""))
    return t


def list_templates(uow: UnitOfWork) -> list[Template]:
    """Every template, by name."""
    return uow.templates.list()
