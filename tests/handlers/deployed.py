"""The stack of template.yaml on moto, each function run with exactly its environment and checked against its role.

What CloudFormation would deploy is read from template.yaml after SAM's transform (`aws-sam-translator`, the same
translation `sam deploy` sends): each function's environment (Globals merged in by SAM) and its role (inline
policies, SAM policy templates expanded, managed policies, and the AWS::IAM::Policy resources attached to it),
every intrinsic resolved against the resources made here on moto (queues, table, bucket, topic, configuration set,
user pool: one per resource of the template).

Every AWS client a function creates while it runs (its cold start included) reports each call through botocore's
`before-parameter-build` event: the IAM action(s) the call needs, on which resource ARN, with which condition keys.
A call its role does not allow is refused there, as AWS would (AccessDenied), and the test fails at the end even if
the code swallowed the error. Clients the test itself makes (to set data up or read results) are not checked. What
Lambda itself does with a role (poll an SQS trigger, write a dead letter or an on-failure destination, write logs)
is checked against the role too (`Stack.lambda_service_needs`), without running Lambda.

A variable a function needs but its template lacks fails the journey that needs it: deployed, the code refuses
to fall back to its local stand-ins (no sender or a loopback link for mail, no queue, no bucket: ConfigError).

What only real AWS can check (infra/README.md's post-deploy checks do): resource policies (SES publishing to the
bounce topic, SNS and API Gateway invoking functions, the bucket's TLS-only policy); which of the sender's SES
identities (address or domain) SES authorises a send against (both are granted); a presigned link used by a
browser (checked here when it is signed, with the web function's s3:GetObject); SES's own sandbox, quotas and
account-level suppression list; KMS and service quotas (reserved concurrency needs the account's unreserved pool).
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import importlib
import json
import os
import re
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from service.adapters.table_setup import TEMPLATE, load_template

STACK = "reviews-smoke"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
MAIL_FROM = "reviews@example.com"
API_ID = "abc123"
API_URL = f"https://{API_ID}.execute-api.{REGION}.amazonaws.com"
# Values of the parameters that have no default; the others deploy with their defaults.
PARAMETERS = {"MailFrom": MAIL_FROM}
# What the Lambda runtime adds to every function's environment (besides its name and handler).
RUNTIME_ENV = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "AWS_ACCESS_KEY_ID": "ASIAEXAMPLEEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "example-secret-access-key",
    "AWS_SESSION_TOKEN": "example-session-token",
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
}
KEEP = ("PATH", "PYTHONPATH", "PYTEST_CURRENT_TEST", "VIRTUAL_ENV")
NO_VALUE = object()

# AWS managed policies SAM attaches, as AWS publishes them (only these: any other fails `role_statements`).
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "service-role/AWSLambdaBasicExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
    "AWSXrayWriteOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        }
    ],
    "service-role/AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
}


class Unresolved(AssertionError):
    """The template uses an intrinsic or a name this harness does not know: teach `resolve` or `Stack` about it."""


class Untaught(AssertionError):
    """A function made an AWS call this harness cannot map to IAM: teach `requirements` about it."""


# --- template.yaml as deployed ------------------------------------------------------------------------------------


class _OfflinePolicyLoader:
    def load(self) -> dict[str, str]:
        return {}


@functools.cache
def _transformed_text() -> str:
    from samtranslator.translator.transform import transform

    fragment = load_template(TEMPLATE)
    for resource in fragment["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://review-cycles-artifacts/code.zip"
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = "s3://review-cycles-artifacts/layer.zip"
    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = REGION  # the translator asks boto for the region of its pseudo parameters
    try:
        return json.dumps(transform(fragment, {}, _OfflinePolicyLoader()))
    finally:
        if saved is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved


def deployed_template() -> dict[str, Any]:
    """template.yaml after SAM's transform: what CloudFormation deploys (a fresh copy)."""
    return json.loads(_transformed_text())


def functions(template: dict[str, Any]) -> list[str]:
    """Logical ids of the Lambda functions."""
    return sorted(k for k, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Function")


class Resolver:
    """Resolves intrinsics against names (Ref/GetAtt targets) and the template's conditions."""

    def __init__(self, template: dict[str, Any], names: dict[str, str]) -> None:
        self.template = template
        self.names = names
        self.parameters = {
            name: PARAMETERS.get(name, spec.get("Default")) for name, spec in template.get("Parameters", {}).items()
        }

    def condition(self, name: str) -> bool:
        """A condition of the template, evaluated with the parameters."""
        return bool(self.resolve(self.template["Conditions"][name]))

    def resolve(self, value: Any) -> Any:
        """The value with every intrinsic replaced."""
        if isinstance(value, list):
            return [v for v in (self.resolve(v) for v in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref" or fn.startswith("Fn::") or fn == "Condition":
                return self._intrinsic(fn, arg)
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in value.items()) if v is not NO_VALUE}

    def _name(self, key: str) -> str:
        if key == "AWS::NoValue":
            return NO_VALUE  # type: ignore[return-value]
        if key in self.parameters:
            if self.parameters[key] is None:
                raise Unresolved(f"parameter {key} has no default: give it in PARAMETERS")
            return str(self.parameters[key])
        if key not in self.names:
            raise Unresolved(key)
        return self.names[key]

    def _intrinsic(self, fn: str, arg: Any) -> Any:
        if fn == "Ref":
            return self._name(arg)
        if fn == "Fn::GetAtt":
            return self._name(".".join(arg) if isinstance(arg, list) else arg)
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::If":
            return self.resolve(arg[1] if self.condition(arg[0]) else arg[2])
        if fn == "Fn::Equals":
            left, right = self.resolve(arg[0]), self.resolve(arg[1])
            return str(left) == str(right)
        if fn == "Fn::Not":
            return not self.resolve(arg[0])
        if fn == "Fn::And":
            return all(self.resolve(a) for a in arg)
        if fn == "Fn::Or":
            return any(self.resolve(a) for a in arg)
        if fn == "Fn::Select":
            return self.resolve(arg[1])[int(self.resolve(arg[0]))]
        if fn == "Fn::Split":
            return self.resolve(arg[1]).split(arg[0])
        if fn == "Fn::Join":
            return arg[0].join(str(v) for v in self.resolve(arg[1]))
        if fn == "Fn::Sub":
            text, local = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

            def sub(match: re.Match[str]) -> str:
                key = match.group(1)
                return str(local[key]) if key in local else self._name(key)

            return re.sub(r"\$\{([^}!]+)\}", sub, text)
        raise Unresolved(json.dumps({fn: arg}))


# --- IAM ----------------------------------------------------------------------------------------------------------


def role_statements(template: dict[str, Any], function: str, resolver: Resolver) -> list[dict[str, Any]]:
    """Every statement of the function's role: inline, managed (known ones only), and attached policy resources."""
    resources = template["Resources"]
    role_id = resources[function]["Properties"]["Role"]["Fn::GetAtt"][0]
    role = resources[role_id]["Properties"]
    found: list[dict[str, Any]] = []
    for policy in role.get("Policies", []):
        found += _as_list(policy["PolicyDocument"]["Statement"])
    for arn in resolver.resolve(role.get("ManagedPolicyArns", [])):
        name = arn.split(":policy/", 1)[1]
        if name not in MANAGED_POLICIES:
            raise Unresolved(f"managed policy {name}: add what it grants to MANAGED_POLICIES")
        found += MANAGED_POLICIES[name]
    for resource in resources.values():
        if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in resource["Properties"].get("Roles", []):
            found += _as_list(resource["Properties"]["PolicyDocument"]["Statement"])
    return [resolver.resolve(s) for s in found]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(pattern: str, value: str, case: bool = True) -> bool:
    # IAM wildcards: * any run of characters, ? one character (fnmatch's [..] never occurs in our ARNs)
    return fnmatch.fnmatchcase(value, pattern) if case else fnmatch.fnmatchcase(value.lower(), pattern.lower())


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in condition.items():
        for key, wanted in tests.items():
            if key not in context:
                return False  # IAM: a condition on a key the request does not carry does not match
            value, options = context[key], [str(w) for w in _as_list(wanted)]
            if operator == "StringEquals" and value not in options:
                return False
            if operator == "StringLike" and not any(_matches(o, value) for o in options):
                return False
            if operator not in ("StringEquals", "StringLike"):
                raise Untaught(f"condition operator {operator}")
    return True


def allows(statements: list[dict[str, Any]], action: str, resource: str, context: dict[str, str]) -> bool:
    """Whether these identity-policy statements allow the action on the resource (an explicit Deny wins)."""
    allowed = False
    for statement in statements:
        if "NotAction" in statement or "NotResource" in statement:
            raise Untaught("NotAction/NotResource")
        if not any(_matches(a, action, case=False) for a in _as_list(statement["Action"])):
            continue
        if not any(_matches(r, resource) for r in _as_list(statement["Resource"])):
            continue
        if not _condition_holds(statement.get("Condition", {}), context):
            continue
        if statement["Effect"] == "Deny":
            return False
        allowed = True
    return allowed


@dataclass(frozen=True)
class Need:
    """One permission a call needs: any of the alternatives (action, resource ARN, condition keys) suffices."""

    alternatives: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]

    def __str__(self) -> str:
        return " or ".join(f"{a} on {r}" for a, r, _ in self.alternatives)


def _need(action: str, resource: str, **context: str) -> Need:
    return Need(((action, resource, tuple(sorted(context.items()))),))


def _arn(service: str, resource: str, region: str = REGION, account: str = ACCOUNT) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def _table_arn(name: str, index: str | None = None) -> str:
    return _arn("dynamodb", f"table/{name}" + (f"/index/{index}" if index else ""))


def _queue_arn(url: str) -> str:
    return _arn("sqs", urllib.parse.urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])


TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}
S3_ACTIONS = {
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "DeleteObject": "s3:DeleteObject",
}


def requirements(service: str, operation: str, params: dict[str, Any]) -> list[Need]:
    """What IAM checks for one API call (service as boto3 names it, operation, its parameters)."""
    if service == "dynamodb":
        if operation == "TransactWriteItems":
            needs = []
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                needs.append(_need(f"dynamodb:{TRANSACT[kind]}", _table_arn(body["TableName"])))
            return needs
        if operation == "TransactGetItems":
            return [_need("dynamodb:GetItem", _table_arn(i["Get"]["TableName"])) for i in params["TransactItems"]]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [_need(f"dynamodb:{operation}", _table_arn(t)) for t in params["RequestItems"]]
        if "TableName" in params:
            return [_need(f"dynamodb:{operation}", _table_arn(params["TableName"], params.get("IndexName")))]
    if service == "sqs" and "QueueUrl" in params:
        action = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage"}.get(operation, operation)
        return [_need(f"sqs:{action}", _queue_arn(params["QueueUrl"]))]
    if service == "s3":
        if operation in ("ListObjectsV2", "ListObjects"):
            return [_need("s3:ListBucket", f"arn:aws:s3:::{params['Bucket']}")]
        if operation in S3_ACTIONS:
            return [_need(S3_ACTIONS[operation], f"arn:aws:s3:::{params['Bucket']}/{params['Key']}")]
    if service == "ses" and operation in ("SendEmail", "SendRawEmail"):
        sender = _address(params.get("Source", ""))
        context = {"ses:FromAddress": sender}
        identities = (sender, sender.rpartition("@")[2])
        needs = [
            Need(tuple((f"ses:{operation}", _arn("ses", f"identity/{i}"), tuple(context.items())) for i in identities))
        ]
        if params.get("ConfigurationSetName"):
            needs.append(
                _need(f"ses:{operation}", _arn("ses", f"configuration-set/{params['ConfigurationSetName']}"), **context)
            )
        return needs
    if service == "secretsmanager" and operation in ("GetSecretValue", "PutSecretValue"):
        secret = params["SecretId"]
        arn = secret if secret.startswith("arn:") else _arn("secretsmanager", f"secret:{secret}-AbCdEf")
        return [_need(f"secretsmanager:{operation}", arn)]
    if service == "cognito-idp" and "UserPoolId" in params:
        return [_need(f"cognito-idp:{operation}", _arn("cognito-idp", f"userpool/{params['UserPoolId']}"))]
    raise Untaught(f"{service}:{operation} {sorted(params)}")


def _address(source: str) -> str:
    match = re.search(r"<([^>]+)>", source)
    return (match.group(1) if match else source).strip()


# --- the recorder ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One AWS call a function made, and whether its role allowed it."""

    function: str
    service: str
    operation: str
    needs: tuple[Need, ...]
    allowed: bool

    def __str__(self) -> str:
        return f"{self.function}: {self.service}.{self.operation} needs {'; '.join(map(str, self.needs))}"


@dataclass
class Recorder:
    """Checks each call of the functions' clients against the role of the function that made the client."""

    policies: Callable[[str], list[dict[str, Any]]]
    current: str | None = None
    calls: list[Call] = field(default_factory=list)

    @property
    def denied(self) -> list[Call]:
        """The calls a role refused."""
        return [c for c in self.calls if not c.allowed]

    @contextmanager
    def running(self, function: str) -> Iterator[None]:
        """Clients made while this runs belong to `function` (its cold start and its invocations)."""
        before, self.current = self.current, function
        try:
            yield
        finally:
            self.current = before

    def attach(self, client: Any) -> None:
        """Check every call of a client made by the running function (clients made by the test are not)."""
        if self.current is not None:
            client.meta.events.register("before-parameter-build", functools.partial(self._check, self.current))

    def _check(self, function: str, params: dict[str, Any], model: Any, **_: Any) -> None:
        from botocore.exceptions import ClientError

        service = model.service_model.service_name
        needs = tuple(requirements(service, model.name, params))
        statements = self.policies(function)
        allowed = all(
            any(allows(statements, action, resource, dict(context)) for action, resource, context in need.alternatives)
            for need in needs
        )
        call = Call(function, service, model.name, needs, allowed)
        self.calls.append(call)
        if not allowed:
            raise ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": f"{function}'s role does not allow it: {call}"}},
                model.name,
            )

    def actions(self, function: str) -> set[str]:
        """The IAM actions a function's calls needed."""
        return {a for c in self.calls if c.function == function for n in c.needs for a, _r, _c in n.alternatives}


# --- the stack -----------------------------------------------------------------------------------------------------


class Stack:
    """One moto resource per resource of the deployed template, the names intrinsics resolve to, and the recorder."""

    def __init__(self, template: dict[str, Any], clock: Any) -> None:
        import boto3

        from service.adapters.dynamo import DynamoTable
        from service.adapters.table_setup import create_table
        from service.adapters.unit_of_work import UnitOfWork
        from service.services.directory import import_organisation
        from tests.cognito_support import create_pool
        from tests.conftest import ORG_CSV

        self.template = template
        resources = template["Resources"]
        names: dict[str, str] = {
            "AWS::StackName": STACK,
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.names = names
        self.resolver = Resolver(template, names)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.s3 = boto3.client("s3", region_name=REGION)
        dynamo = boto3.client("dynamodb", region_name=REGION)
        # Queues without a redrive policy first: the others name them.
        queues = sorted(
            (k for k, r in resources.items() if r["Type"] == "AWS::SQS::Queue"),
            key=lambda k: "RedrivePolicy" in resources[k]["Properties"],
        )
        for logical in queues:
            props = resources[logical]["Properties"]
            attributes = {}
            if "RedrivePolicy" in props:
                attributes["RedrivePolicy"] = json.dumps(self.resolver.resolve(props["RedrivePolicy"]))
            url = self.sqs.create_queue(QueueName=f"{STACK}-{logical}", Attributes=attributes)["QueueUrl"]
            names.update(
                {logical: url, f"{logical}.Arn": _queue_arn(url), f"{logical}.QueueName": f"{STACK}-{logical}"}
            )
        for logical, resource in resources.items():
            kind = resource["Type"]
            if kind == "AWS::DynamoDB::Table":
                name = f"{STACK}-{logical}-1A2B3C"
                create_table(dynamo, name)
                names.update({logical: name, f"{logical}.Arn": _table_arn(name)})
                self.table_name = name
                self.table = DynamoTable(dynamo, name)
            elif kind == "AWS::S3::Bucket":
                name = f"{STACK}-{logical.lower()}-1a2b3c"
                self.s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
                names.update({logical: name, f"{logical}.Arn": f"arn:aws:s3:::{name}"})
            elif kind == "AWS::SNS::Topic":
                arn = boto3.client("sns", region_name=REGION).create_topic(Name=f"{STACK}-{logical}")["TopicArn"]
                names.update({logical: arn, f"{logical}.TopicArn": arn})
            elif kind == "AWS::SES::ConfigurationSet":
                name = f"{STACK}-{logical}"
                boto3.client("ses", region_name=REGION).create_configuration_set(ConfigurationSet={"Name": name})
                names[logical] = name
            elif kind == "AWS::Lambda::Function":
                name = f"{STACK}-{logical}-AbC123"
                names.update({logical: name, f"{logical}.Arn": _arn("lambda", f"function:{name}")})
            elif kind == "AWS::IAM::Role":
                names.update({logical: f"{STACK}-{logical}-XyZ789", f"{logical}.Arn": f"arn:aws:iam::{ACCOUNT}:role/x"})
            elif kind == "AWS::Logs::LogGroup":
                names[f"{logical}.Arn"] = _arn("logs", f"log-group:/{STACK}/{logical}:*")
            elif kind == "AWS::ApiGatewayV2::Api":
                names[logical] = API_ID
            elif kind == "AWS::SecretsManager::Secret" and "SecretString" in resource["Properties"]:
                # issue 28: a secret the template creates with a value (the chat secret); its Ref is its ARN
                created = boto3.client("secretsmanager", region_name=REGION).create_secret(
                    Name=f"{STACK}/{logical}", SecretString=resource["Properties"]["SecretString"]
                )
                names[logical] = created["ARN"]
        import_organisation(UnitOfWork(self.table), None, ORG_CSV, clock)
        self.pool = create_pool(boto3.client("cognito-idp", region_name=REGION))
        for person in ("E2", "E3", "E4"):
            self.pool.add_person(person, f"{person.lower()}@example.com")
        names.update(
            {
                "UserPool": self.pool.pool_id,
                "UserPoolDomain": f"review-cycles-{ACCOUNT}-prod",
                "WebClient": self.pool.client_id,
                "ApiClient": self.pool.client_id,
            }
        )
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name=f"{STACK}/web-session",
            SecretString=json.dumps({"client_id": self.pool.client_id, "session_key": "k" * 64}),
        )
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=MAIL_FROM)
        self.recorder = Recorder(self.statements)

    @functools.cache
    def statements(self, function: str) -> list[dict[str, Any]]:
        """The function's role, resolved."""
        return role_statements(self.template, function, self.resolver)

    def environment(self, function: str) -> dict[str, str]:
        """The function's environment as deployed (template variables, then what Lambda adds)."""
        props = self.template["Resources"][function]["Properties"]
        variables = self.resolver.resolve(props.get("Environment", {}).get("Variables", {}))
        lambda_name = self.names[function]
        return {
            **RUNTIME_ENV,
            "AWS_LAMBDA_FUNCTION_NAME": lambda_name,
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{lambda_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/29/[$LATEST]0123456789abcdef",
            "_HANDLER": props["Handler"],
            **{k: str(v) for k, v in variables.items()},
        }

    def queue_url(self, logical: str) -> str:
        """The moto URL of a queue of the template."""
        return self.names[logical]

    def queue_arn(self, logical: str) -> str:
        """The ARN of a queue of the template."""
        return self.names[f"{logical}.Arn"]

    def bucket(self, logical: str = "ExportBucket") -> str:
        """The moto name of a bucket of the template."""
        return self.names[logical]

    def sent_emails(self) -> list[Any]:
        """What SES (moto) accepted, oldest first."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)

    def lambda_service_needs(self, function: str) -> list[tuple[str, Need]]:
        """What Lambda itself does with the function's role: poll its SQS triggers, write dead letters and
        on-failure destinations, write its logs."""
        resources = self.template["Resources"]
        needs: list[tuple[str, Need]] = []
        log_group = _arn("logs", f"log-group:/aws/lambda/{self.names[function]}:*")
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            needs.append(("logs", _need(action, log_group)))
        for logical, r in resources.items():
            props = r["Properties"]
            if r["Type"] == "AWS::Lambda::EventSourceMapping" and props["FunctionName"] == {"Ref": function}:
                queue = self.resolver.resolve(props["EventSourceArn"])
                for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
                    needs.append((logical, _need(action, queue)))
            if r["Type"] == "AWS::Lambda::EventInvokeConfig" and props["FunctionName"] == {"Ref": function}:
                target = props["DestinationConfig"]["OnFailure"]["Destination"]
                needs.append((logical, _need("sqs:SendMessage", self.resolver.resolve(target))))
        dead_letters = resources[function]["Properties"].get("DeadLetterConfig", {}).get("TargetArn")
        if dead_letters:
            needs.append(("DeadLetterConfig", _need("sqs:SendMessage", self.resolver.resolve(dead_letters))))
        return needs

    def allowed(self, function: str, need: Need) -> bool:
        """Whether the function's role grants one need."""
        return any(allows(self.statements(function), a, r, dict(c)) for a, r, c in need.alternatives)


def fresh_handler(template: dict[str, Any], function: str, monkeypatch) -> Callable[[dict, Any], Any]:
    """A function's handler, named by the template and imported afresh (a cold start)."""
    dotted = template["Resources"][function]["Properties"]["Handler"]
    module_name, _, attr = dotted.rpartition(".")
    monkeypatch.delitem(sys.modules, module_name, raising=False)
    return getattr(importlib.import_module(module_name), attr)


def start(stack: Stack, function: str, monkeypatch, without: tuple[str, ...] = ()) -> Callable[[dict, Any], Any]:
    """Set exactly the function's environment (less `without`: a template that forgot them), import its handler
    afresh (a cold start) under its role; the handler returned runs each invocation under that role too."""
    for name in list(os.environ):
        if (name not in KEEP and not name.startswith("AWS_")) or name == "AWS_ENDPOINT_URL":
            monkeypatch.delenv(name)
    for name, value in stack.environment(function).items():
        if name not in without:
            monkeypatch.setenv(name, value)
    with stack.recorder.running(function):
        handler = fresh_handler(stack.template, function, monkeypatch)

    def invoke(event: dict[str, Any], context: Any) -> Any:
        with stack.recorder.running(function):
            return handler(event, context)

    return invoke


LOOPBACK = re.compile(r"https?://(?:127\.\d+\.\d+\.\d+|localhost|0\.0\.0\.0|\[::1\])", re.IGNORECASE)
URL = re.compile(r"https?://[^\s)>\"']+")


def links_in(text: str) -> list[str]:
    """The URLs in an email's text."""
    return URL.findall(text)


def text_of(sent: Any) -> str:
    """An email's text as SES (moto) accepted it: SendEmail's body, or a raw message's text/plain parts decoded."""
    if hasattr(sent, "body"):
        return sent.body
    import email

    parts = email.message_from_string(sent.raw_data).walk()
    return "".join(p.get_payload(decode=True).decode() for p in parts if p.get_content_type() == "text/plain")


@contextmanager
def deployed(monkeypatch, clock) -> Iterator[Stack]:
    """An empty environment (as a new Lambda sandbox has), the stack on moto, every function client checked; at
    the end, no call was denied and no email links to a loopback host or anywhere but the app."""
    import botocore.session
    from moto import mock_aws

    from service.adapters import secrets

    for name in list(os.environ):
        if name not in KEEP:
            monkeypatch.delenv(name)
    for name, value in RUNTIME_ENV.items():
        monkeypatch.setenv(name, value)
    secrets.forget()
    with mock_aws():
        stack = Stack(deployed_template(), clock)
        original = botocore.session.Session.create_client

        def create_client(self, *args, **kwargs):  # every client: the functions' (botocore) and boto3's
            made = original(self, *args, **kwargs)
            stack.recorder.attach(made)
            return made

        monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
        yield stack
        monkeypatch.setattr(botocore.session.Session, "create_client", original)
        denied = [str(c) for c in stack.recorder.denied]
        assert not denied, "calls the function's role would deny:\n" + "\n".join(denied)
        for email in stack.sent_emails():
            for link in links_in(text_of(email)):
                assert not LOOPBACK.match(link), f"an email links to a loopback host: {link}"
                assert link.startswith(API_URL), f"an email links outside the app: {link}"
    secrets.forget()


def copy_template(template: dict[str, Any]) -> dict[str, Any]:
    """A deep copy (tests that edit a role)."""
    return copy.deepcopy(template)
