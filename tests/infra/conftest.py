"""Fixtures for the infrastructure tests: template.yaml as written and as SAM transforms it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from service.adapters.table_setup import TEMPLATE, load_template

CODE_PLACEHOLDER = "s3://review-cycles-artifacts/web.zip"


class OfflinePolicyLoader:
    """Stands in for samtranslator's ManagedPolicyLoader, which would ask IAM for the policy list."""

    def load(self) -> dict[str, str]:
        """No managed policy names are resolved by name (the template uses policy templates)."""
        return {}


def sam_functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The AWS::Serverless::Function resources of a template, by logical id."""
    return {k: r for k, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """template.yaml as written (intrinsics kept as {'Ref': ...} / {'Fn::X': ...})."""
    return load_template(TEMPLATE)


@pytest.fixture(scope="session")
def transformed(template) -> dict[str, Any]:
    """template.yaml after the SAM transform, run offline (local CodeUri replaced by an S3 placeholder)."""
    from samtranslator.translator.transform import transform

    fragment = copy.deepcopy(template)
    for function in sam_functions(fragment).values():
        function["Properties"]["CodeUri"] = CODE_PLACEHOLDER
    for layer in (r for r in fragment["Resources"].values() if r["Type"] == "AWS::Serverless::LayerVersion"):
        layer["Properties"]["ContentUri"] = CODE_PLACEHOLDER
    return transform(fragment, {}, OfflinePolicyLoader())


@pytest.fixture(scope="session")
def resources(transformed) -> dict[str, dict[str, Any]]:
    """The transformed template's resources."""
    return transformed["Resources"]
