"""Use cases of review templates (HR): create, edit (a new version each time), archive and restore, read."""

from __future__ import annotations

from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.archiving import ShelfAction, require_in_use, shelved
from service.domain.directory import Role
from service.domain.errors import NotFound, StaleWrite
from service.domain.templates import Template, template_from_dict, validate_template
from service.services.auth import Principal
from service.services.policy import require_role


def create_template(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> Template:
    """Create a template (version 1)."""
    require_role(principal, Role.HR)
    template_id = data.get("template_id") or clock.new_id()
    return _save(uow, principal, data, template_id, 0, iso(clock.now()), new=True)


def _at_version(uow: UnitOfWork, template_id: str, expected_version: int) -> Template:
    """The template as the editor read it; a newer version is refused."""
    current = get_template(uow, template_id)
    if current.version != expected_version:
        raise StaleWrite(f"the template is at version {current.version}, not {expected_version}; reload it")
    return current


def update_template(
    uow: UnitOfWork, principal: Principal, template_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> Template:
    """Save an edit as a new version; running cycles keep the snapshot they launched with."""
    require_role(principal, Role.HR)
    current = _at_version(uow, template_id, expected_version)
    require_in_use("template", current.archived)
    return _save(uow, principal, data, template_id, expected_version, iso(clock.now()), new=False)


def _save(
    uow: UnitOfWork, principal: Principal, data: dict[str, Any], template_id: str, version: int, at: str, new: bool
) -> Template:
    """The template `data` describes, stamped with who saved it and when, checked, saved and committed."""
    t = template_from_dict(
        {**data, "template_id": template_id, "version": version, "updated_at": at, "updated_by": principal.employee_id}
    )
    validate_template(t)
    action = "create_template" if new else "update_template"
    with uow:
        saved = uow.templates.save(t, new=new, actor=principal.employee_id, action=action, at=at)
        uow.commit()
    return saved


def shelve_template(
    uow: UnitOfWork, principal: Principal, template_id: str, action: ShelfAction, expected_version: int, clock: Clock
) -> Template:
    """Archive a template (it leaves the list and the cycle form's choices) or restore it; audited, versioned."""
    require_role(principal, Role.HR)
    current = _at_version(uow, template_id, expected_version)
    changed = shelved(current, action)
    at = iso(clock.now())
    with uow:
        saved = uow.templates.save(changed, new=False, actor=principal.employee_id, action=f"{action}_template", at=at)
        uow.commit()
    return saved


def usable_template(uow: UnitOfWork, template_id: str) -> Template:
    """The template a cycle is set up or launched with: it must exist and not be archived."""
    template = get_template(uow, template_id)
    require_in_use("template", template.archived)
    return template


def get_template(uow: UnitOfWork, template_id: str, version: int | None = None) -> Template:
    """The current template, or one saved version."""
    t = uow.templates.get(template_id, version)
    if t is None:
        raise NotFound("There is no such template" + (f" version ({version})." if version else "."))
    return t


def list_templates(uow: UnitOfWork, archived: bool = False) -> list[Template]:
    """The templates in use by name (the default list and the pickers), or the archived ones."""
    return [t for t in uow.templates.list() if t.archived is archived]
