"""Use cases of review templates (HR): create, edit (a new version each time), read."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from service.adapters import keys
from service.adapters.audited import stage_audited
from service.adapters.clock import Clock, iso
from service.adapters.repositories import template_from_item, template_to_item
from service.adapters.store import Put, Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Role
from service.domain.errors import NotFound, StaleWrite
from service.domain.templates import Template, template_from_dict, validate_template
from service.services.auth import Principal, require_role


def _versioned_copy(t: Template) -> dict[str, Any]:
    item = template_to_item(t)
    for name in ("gsi1pk", "gsi1sk"):
        item.pop(name)
    return {**item, **keys.template_version(t.template_id, t.version), "type": "template_version"}


def create_template(table: Table, principal: Principal, data: dict[str, Any], clock: Clock) -> Template:
    """Create a template (version 1)."""
    require_role(principal, Role.HR)
    t = template_from_dict({**data, "template_id": data.get("template_id") or clock.new_id(), "version": 0})
    validate_template(t)
    at = iso(clock.now())
    t = replace(t, updated_at=at, updated_by=principal.employee_id)
    uow = UnitOfWork(table)
    stored = stage_audited(
        uow,
        entity=keys.entity_template(t.template_id),
        before=None,
        after=template_to_item(t),
        actor=principal.employee_id,
        action="create_template",
        at=at,
    )
    saved = template_from_item(stored)
    uow.add(Put(_versioned_copy(saved), must_not_exist=True))
    uow.commit()
    return saved


def update_template(
    table: Table, principal: Principal, template_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> Template:
    """Save an edit as a new version; running cycles keep the snapshot they launched with."""
    require_role(principal, Role.HR)
    before = table.get(keys.template(template_id))
    if before is None:
        raise NotFound(f"no template {template_id!r}")
    if int(before["version"]) != expected_version:
        raise StaleWrite(f"template {template_id} is at version {before['version']}, not {expected_version}")
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
    uow = UnitOfWork(table)
    stored = stage_audited(
        uow,
        entity=keys.entity_template(template_id),
        before=before,
        after=template_to_item(t),
        actor=principal.employee_id,
        action="update_template",
        at=at,
    )
    saved = template_from_item(stored)
    uow.add(Put(_versioned_copy(saved), must_not_exist=True))
    uow.commit()
    return saved


def get_template(table: Table, template_id: str, version: int | None = None) -> Template:
    """The current template, or one saved version."""
    key = keys.template(template_id) if version is None else keys.template_version(template_id, version)
    item = table.get(key)
    if item is None:
        raise NotFound(f"no template {template_id!r}" + (f" version {version}" if version else ""))
    return template_from_dict(item)


def list_templates(table: Table) -> list[Template]:
    """Every template, by name."""
    return [template_from_item(i) for i in table.query("TEMPLATES", index="gsi1")]
