"""marshmallow schemas of the JSON API; unknown fields are refused (marshmallow's default RAISE)."""

from __future__ import annotations

from marshmallow import Schema, fields

from service.web.fields import Text


def list_of(key: str, item: type[Schema], name: str = "") -> type[Schema]:
    """An answer that lists things, `{key: [item, …]}`, named after its item (ActionSchema → ActionListSchema)."""
    name = name or item.__name__.removesuffix("Schema") + "ListSchema"
    return Schema.from_dict({key: fields.List(fields.Nested(item))}, name=name)


class ErrorSchema(Schema):
    """The one error shape."""

    code = fields.String(required=True, metadata={"description": "machine-readable error code"})
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    errors = fields.Raw(metadata={"description": "field → messages, or a list of {row, field, message}"})


class PersonSchema(Schema):
    """A person in the directory."""

    employee_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.Email(required=True)
    title = fields.String()
    department = fields.String()
    manager_id = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    active = fields.Boolean()
    version = fields.Integer()


class PeopleSchema(Schema):
    """A list of people."""

    people = fields.List(fields.Nested(PersonSchema), required=True)


class MeSchema(Schema):
    """The principal behind the request."""

    employee_id = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)


class ImportQuerySchema(Schema):
    """Query string of an import."""

    dry_run = fields.Boolean(load_default=False)


class ImportJsonSchema(Schema):
    """An import sent as JSON instead of a CSV body."""

    csv = Text(required=True, max_length=5 * 1024 * 1024, metadata={"description": "the CSV file's text"})


class ImportResultSchema(Schema):
    """What an import did."""

    import_id = fields.String(allow_none=True)
    dry_run = fields.Boolean()
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())


class ImportRecordSchema(Schema):
    """One applied import."""

    import_id = fields.String()
    at = fields.String()
    actor = fields.String()
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())


ImportHistorySchema = list_of("imports", ImportRecordSchema, name="ImportHistorySchema")
