"""marshmallow schemas of the JSON API; unknown fields are refused (marshmallow's default RAISE)."""

from __future__ import annotations

import dataclasses
import datetime
import types
import typing
from typing import Any

from marshmallow import Schema, fields

from service.services.directory import ImportRecord, ImportResult
from service.web.fields import Text


def list_of(key: str, item: type[Schema], name: str = "") -> type[Schema]:
    """An answer that lists things, `{key: [item, …]}`, named after its item (ActionSchema → ActionListSchema)."""
    name = name or item.__name__.removesuffix("Schema") + "ListSchema"
    return Schema.from_dict({key: fields.List(fields.Nested(item))}, name=name)


def schema_of(result: type, name: str, exclude: tuple[str, ...] = (), **extra: fields.Field) -> type[Schema]:
    """The output schema of a use case's result type, derived from its dataclass fields so the shape is written
    once, on the type; `exclude` leaves out what the answer does not show, `extra` adds what it shows beside them."""
    hints = typing.get_type_hints(result)
    derived = {f.name: _field_for(hints[f.name]) for f in dataclasses.fields(result) if f.name not in exclude}
    return Schema.from_dict({**derived, **extra}, name=name)


def _field_for(hint: Any) -> fields.Field:
    """The JSON field of a type hint: text, enums and dates as strings, numbers, booleans, lists, maps of typed
    values; `X | None` nullable; anything else (an object of any keys) passed through as it is."""
    args = typing.get_args(hint)
    nullable = typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args
    if nullable:
        (hint,) = (a for a in args if a is not type(None))
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (list, tuple):
        return fields.List(fields.String() if args[0] is str else fields.Raw(), allow_none=nullable)
    if origin is dict and args[1] is Any:
        return fields.Raw(allow_none=nullable)  # an object passed through as it is
    if origin is dict:
        return fields.Dict(keys=fields.String(), values=_field_for(args[1]), allow_none=nullable)
    if hint is bool:
        return fields.Boolean(allow_none=nullable)
    if hint is int:
        return fields.Integer(allow_none=nullable)
    if hint is float:
        return fields.Float(allow_none=nullable)
    if isinstance(hint, type) and issubclass(hint, (str, datetime.date)):
        return fields.String(allow_none=nullable)  # StrEnum values; dates as ISO-8601
    return fields.Raw(allow_none=nullable)


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


ImportResultSchema = schema_of(ImportResult, "ImportResultSchema", exclude=("transactions",))  # what an import did

ImportRecordSchema = schema_of(ImportRecord, "ImportRecordSchema")  # one applied import

ImportHistorySchema = list_of("imports", ImportRecordSchema, name="ImportHistorySchema")
