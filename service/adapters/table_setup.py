"""Create the table from template.yaml's own definition (tests and the local run use it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
TABLE_RESOURCE = "Table"


class _CfnLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser: ten times faster
    """YAML loader that keeps CloudFormation short-form tags (!Ref, !Sub...) as plain dicts."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml as a dict (intrinsic functions kept as {'Ref': ...} / {'Fn::X': ...})."""
    return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def table_definition(path: Path = TEMPLATE) -> dict[str, Any]:
    """The CreateTable arguments that template.yaml declares for the single table."""
    props = load_template(path)["Resources"][TABLE_RESOURCE]["Properties"]
    args: dict[str, Any] = {
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return args


def create_table(client: Any, table_name: str, path: Path = TEMPLATE) -> None:
    """Create the table as template.yaml defines it (no-op when it already exists)."""
    existing = client.list_tables().get("TableNames", [])
    if table_name in existing:
        return
    client.create_table(TableName=table_name, **table_definition(path))
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 200})
