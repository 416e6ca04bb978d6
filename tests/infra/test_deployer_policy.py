"""The deployer's IAM list in the runbook is derived from the templates (issue 21).

Every resource type template.yaml creates once SAM has transformed it (conditional resources included), and every
one infra/pdf-layer-codebuild.yaml creates, needs the actions its CloudFormation resource handlers call: the
`handlers` (create, read, update, delete) of the type's provider schema, which cfn-lint ships. Each of those
actions must be matched by an action or pattern of the runbook's table "The deploying principal needs", or be
left out here with its reason (a feature of the type the templates do not use). Add a resource type and the test
names what the deployer now lacks.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from functools import cache
from pathlib import Path

import pytest

from service.adapters.table_setup import load_template
from tests.infra.conftest import CODE_PLACEHOLDER, OfflinePolicyLoader, sam_functions

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "infra" / "README.md"
CODEBUILD_TEMPLATE = ROOT / "infra" / "pdf-layer-codebuild.yaml"

# What SAM CLI itself does besides the stack's resources (its managed artifact stack and bucket, the change set).
SAM_CLI = {
    "cloudformation:CreateChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents",
    "cloudformation:GetTemplateSummary",
    "cloudformation:DeleteStack",
    "s3:PutObject",
    "s3:GetObject",
}
# Actions the schemas list for features the templates do not use (each handler calls them only when the
# property that needs them is set): streaming to Kinesis or Firehose, S3 Tables and metadata tables, Lambda in a
# VPC or with EFS or capacity providers, edge-optimised API domains (CloudFront).
NOT_USED = {
    "kinesis:*": "DynamoDB Kinesis streaming destinations",
    "firehose:*": "log delivery to Firehose",
    "s3tables:*": "S3 metadata tables",
    "s3files:*": "Lambda file systems on S3",
    "elasticfilesystem:*": "Lambda with EFS",
    "ec2:*": "Lambda in a VPC (the functions reach AWS APIs only)",
    "cloudfront:*": "edge-optimised API domains (the custom domain is regional)",
    "lambda:PassCapacityProvider": "Lambda capacity providers",
    "dynamodb:*KinesisStreamingDestination": "DynamoDB Kinesis streaming destinations",
    "dynamodb:*TableReplica": "global-table replicas",
    "dynamodb:*Import*": "tables imported from S3",
    "secretsmanager:*Replicat*": "secrets replicated to other regions",
    "iam:*GroupPolicy": "AWS::IAM::Policy on groups (the templates attach policies to roles)",
    "iam:*UserPolicy": "AWS::IAM::Policy on users",
    "logs:PutBearerTokenAuthentication": "log ingestion with bearer tokens",
    "s3:*BucketMetadata*": "S3 metadata tables",
    "s3:*BucketAbac": "attribute-based access control on buckets",
    "s3:REST.PUT.OBJECT": "not an IAM action (as written in the S3 bucket's schema)",
}
# Resource types whose schema in cfn-lint carries no handler permissions: the actions their handlers call.
WITHOUT_SCHEMA_HANDLERS = {
    "AWS::CodeBuild::Project": {
        "codebuild:CreateProject",
        "codebuild:UpdateProject",
        "codebuild:DeleteProject",
        "codebuild:BatchGetProjects",
        "iam:PassRole",
    },
}
# What the operator does with the layer-build project (section "PDFs" of the runbook).
LAYER_BUILD_RUN = {"codebuild:StartBuild", "codebuild:BatchGetBuilds"}


def sam_resource_types(path: Path) -> set[str]:
    """The resource types of a template after the SAM transform (every resource, whatever its condition)."""
    from samtranslator.translator.transform import transform

    fragment = copy.deepcopy(load_template(path))
    if "Transform" not in fragment:
        return {r["Type"] for r in fragment["Resources"].values()}
    for function in sam_functions(fragment).values():
        function["Properties"]["CodeUri"] = CODE_PLACEHOLDER
    for layer in (r for r in fragment["Resources"].values() if r["Type"] == "AWS::Serverless::LayerVersion"):
        layer["Properties"]["ContentUri"] = CODE_PLACEHOLDER
    return {r["Type"] for r in transform(fragment, {}, OfflinePolicyLoader())["Resources"].values()}


@cache
def handler_actions(resource_type: str) -> frozenset[str]:
    """The IAM actions CloudFormation's handlers of a resource type call, from its provider schema."""
    from importlib.util import find_spec

    spec = find_spec("cfnlint")  # its data only: importing cfn-lint itself takes seconds
    assert spec is not None and spec.submodule_search_locations
    schemas = Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"
    index = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    schema = json.loads((schemas / "resources" / f"{index[resource_type]}.json").read_text())
    handlers = schema.get("handlers", {})
    actions = {a for h in ("create", "read", "update", "delete") for a in handlers.get(h, {}).get("permissions", [])}
    if not actions:
        assert resource_type in WITHOUT_SCHEMA_HANDLERS, f"{resource_type}: no handler permissions; list them here"
        return frozenset(WITHOUT_SCHEMA_HANDLERS[resource_type])
    return frozenset(actions)


def runbook_patterns() -> list[str]:
    """The actions and patterns of the runbook's deployer table (backticked `service:Action` in its rows)."""
    text = RUNBOOK.read_text()
    start = text.index("The deploying principal needs")
    table = text[start : text.index("\n\n", text.index("| service |", start))]
    return re.findall(r"`([a-z0-9-]+:[A-Za-z0-9*]+)`", table)


def needed(resource_types: set[str]) -> dict[str, set[str]]:
    """Each action the types need, with the types that need it; minus NOT_USED."""
    found: dict[str, set[str]] = {}
    for resource_type in sorted(resource_types):
        for action in handler_actions(resource_type):
            if not any(fnmatch.fnmatch(action.lower(), p.lower()) for p in NOT_USED):
                found.setdefault(action, set()).add(resource_type)
    return found


def lacking(actions: dict[str, set[str]], patterns: list[str]) -> dict[str, list[str]]:
    lowered = [p.lower() for p in patterns]  # IAM compares action names case-insensitively
    return {a: sorted(t) for a, t in sorted(actions.items()) if not any(fnmatch.fnmatch(a.lower(), p) for p in lowered)}


@pytest.fixture(scope="module")
def stack_types() -> set[str]:
    return sam_resource_types(ROOT / "template.yaml")


def test_the_runbook_lists_every_action_the_stacks_resources_need(stack_types):
    missing = lacking(needed(stack_types), runbook_patterns())
    assert not missing, f"the runbook's deployer table lacks: {json.dumps(missing, indent=1)}"


def test_the_runbook_lists_what_sam_cli_and_the_layer_build_need():
    missing = lacking(needed(sam_resource_types(CODEBUILD_TEMPLATE)), runbook_patterns())
    missing.update(lacking({a: {"sam deploy"} for a in SAM_CLI}, runbook_patterns()))
    missing.update(lacking({a: {"the layer build"} for a in LAYER_BUILD_RUN}, runbook_patterns()))
    assert not missing, f"the runbook's deployer table lacks: {json.dumps(missing, indent=1)}"


def test_the_actions_issue_21_found_missing_are_listed(stack_types):
    actions = needed(stack_types)
    for action in (
        "lambda:PublishLayerVersion",
        "lambda:GetLayerVersion",
        "lambda:DeleteLayerVersion",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketOwnershipControls",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
    ):
        assert action in actions  # derived from the template, not typed here
    assert not lacking({a: set() for a in actions}, runbook_patterns())


def test_the_check_would_catch_a_resource_type_the_list_does_not_cover(stack_types):
    missing = lacking(needed(stack_types | {"AWS::StepFunctions::StateMachine"}), runbook_patterns())
    assert "states:CreateStateMachine" in missing


def test_no_row_grants_a_whole_service_except_cloudformation_on_the_stack():
    broad = [p for p in runbook_patterns() if p.endswith(":*") and not p.startswith("cloudformation:")]
    assert not broad, broad
