"""Review templates in the table: `uow.templates` (the current version and an immutable copy of each)."""

from __future__ import annotations

from service.adapters import keys
from service.adapters.repository import Repository
from service.adapters.store import Item, Put
from service.domain.templates import Template, template_from_dict, template_to_dict


def template_to_item(t: Template) -> Item:
    """Template → item (current version)."""
    return {
        **keys.template(t.template_id),
        "type": "template",
        **template_to_dict(t),
        **keys.template_list_gsi1(t.name, t.template_id),
    }


def template_from_item(item: Item) -> Template:
    """Item → Template."""
    return template_from_dict(item)


class TemplateRepository(Repository):
    """Review templates: the current version plus an immutable copy of every saved version."""

    def get(self, template_id: str, version: int | None = None) -> Template | None:
        """The current template, one saved version, or None."""
        key = keys.template(template_id) if version is None else keys.template_version(template_id, version)
        return self._read(template_from_dict, key)

    def list(self) -> list[Template]:
        """Every template, by name."""
        return [template_from_item(i) for i in self._table.query("TEMPLATES", index="gsi1")]

    def save(self, t: Template, *, new: bool, actor: str, action: str, at: str) -> Template:
        """Stage the audited template and its immutable versioned copy; returns it as stored."""
        stored = template_from_item(
            self._audited(
                keys.entity_template(t.template_id), template_to_item(t), new, actor=actor, action=action, at=at
            )
        )
        copy_item = template_to_item(stored)
        for name in ("gsi1pk", "gsi1sk"):
            copy_item.pop(name)
        copy_item.update(keys.template_version(stored.template_id, stored.version), type="template_version")
        self._uow.add(Put(copy_item, must_not_exist=True))
        return stored
