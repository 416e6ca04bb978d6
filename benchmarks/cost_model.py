"""What a cycle costs on AWS: the cost journey's counts priced from benchmarks/prices.json, per 1,000 people.

`measure_cost(people)` runs the cycle of benchmarks/cost_journey.py on the emulated stack and returns a `CostModel`:
variable cost per 1,000 people per cycle by service and by journey, Lambda by function, and the fixed monthly cost
read from template.yaml (alarms, secrets, keys, idle SQS polling by the event source mappings, the scheduled
functions' runs, custom metrics). `write_cost_doc(model, path)` writes docs/COST.md from it; `cost_table(model)`
is what `make bench ARGS=cost` prints.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.cost_journey import ANSWER_AFTER_DAYS
from benchmarks.cost_meter import Meter

ROOT = Path(__file__).resolve().parents[1]
PRICES = Path(__file__).resolve().with_name("prices.json")
COST_DOC = ROOT / "docs" / "COST.md"
TARGET_VARIABLE = 1.0  # USD per 1,000 people per cycle
TARGET_FIXED = 2.0  # USD per month
DEFAULT_PEOPLE = 50
PER = 1000  # figures are per 1,000 people
MONTH_DAYS = 30.4
LOG_RETENTION_MONTHS = 3  # template.yaml's LogRetentionDays default: 90
# Lambda's event source mapping long-polls an SQS queue even when it is empty: AWS starts 5 pollers, each waiting
# up to 20 s per ReceiveMessage, so about 15 requests a minute per mapping.
IDLE_POLLS_PER_MONTH = 5 * 3 * 60 * 24 * MONTH_DAYS
ITEM_OVERHEAD = 100  # bytes DynamoDB adds to each stored item (and to each index copy) for storage
SERVICES = (
    "DynamoDB reads",
    "DynamoDB writes",
    "DynamoDB storage + backups",
    "Lambda compute",
    "Lambda requests",
    "API Gateway requests",
    "SES messages",
    "S3 requests",
    "SQS requests",
    "CloudWatch Logs",
    "X-Ray traces",
)


def load_prices(path: Path = PRICES) -> dict[str, Any]:
    """The dated price table."""
    return json.loads(path.read_text())


def price(prices: dict[str, Any], name: str, quantity: float) -> float:
    """USD for `quantity` of a priced unit."""
    entry = prices["prices"][name]
    return quantity * entry["usd"] / entry["per"]


@dataclass
class Line:
    """One billed thing: how much of it, in what unit, and what it costs (per 1,000 people, or per month)."""

    name: str
    quantity: float
    unit: str
    usd: float
    detail: str = ""


@dataclass
class CostModel:
    """The priced figures of one run of the cost journey."""

    people: int
    prices: dict[str, Any]
    facts: dict[str, Any]
    services: list[Line]
    journeys: list[Line]
    functions: list[Line]
    fixed: list[Line]
    notes: dict[str, Line] = field(default_factory=dict)
    measured_at: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))

    @property
    def variable_usd(self) -> float:
        return sum(line.usd for line in self.services)

    @property
    def fixed_usd(self) -> float:
        return sum(line.usd for line in self.fixed)

    @property
    def variable_passed(self) -> bool:
        return self.variable_usd <= TARGET_VARIABLE

    @property
    def fixed_passed(self) -> bool:
        return self.fixed_usd <= TARGET_FIXED


def measure_cost(
    people: int = DEFAULT_PEOPLE, pdf_sample: int = 10, drafts: int = 2, daily_reminders: bool = True, idle: int = 3
) -> CostModel:
    """Run the cycle for `people` on the emulated stack and price it (`idle`: runs of each scheduled function
    measured with nothing to do)."""
    from benchmarks.cost_journey import emulated_stack, idle_runs, run_cycle

    meter = Meter()
    with emulated_stack(meter) as stack:
        facts = run_cycle(stack, people, pdf_sample=pdf_sample, drafts=drafts, daily_reminders=daily_reminders)
        for function in ("RemindersFunction", "TrainingReportFunction"):
            idle_runs(stack, function, idle)
        facts["table_bytes"] = _table_bytes(stack)
        template = stack.template
    return price_run(meter, facts, template, load_prices())


def _table_bytes(stack: Any) -> int:
    """What the table stores, indexes included (projection ALL: each index holds the whole item again)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from benchmarks.cost_journey import REGION, TABLE

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(TABLE)
    total = 0
    for item in table.all_items():
        copies = 1 + sum(1 for index in ("gsi1", "gsi2", "gsi3") if f"{index}pk" in item.attrs)
        total += copies * (item.size() + ITEM_OVERHEAD)
    return total


@dataclass
class _Usage:
    """What one journey (or one idle run) used, before pricing."""

    rru: float = 0.0
    wru: float = 0.0
    wru_index: float = 0.0
    gb_seconds: float = 0.0
    invocations: int = 0
    traces: int = 0
    api: int = 0
    ses: int = 0
    s3_write: int = 0
    s3_read: int = 0
    sqs: int = 0
    log_bytes: int = 0


def _usage(meter: Meter) -> dict[str, _Usage]:
    by: defaultdict[str, _Usage] = defaultdict(_Usage)
    for journey, units in meter.units.items():
        u = by[journey]
        u.rru += units["rru"] + units["rru_transactional"]
        u.wru += units["wru"] + units["wru_transactional"] + units["wru_index"]
        u.wru_index += units["wru_index"]
        u.ses += units["ses_messages"]
        u.s3_write += units["s3_write_tier"]
        u.s3_read += units["s3_read_tier"]
        u.sqs += units["sqs_requests"]
    for inv in meter.invocations:
        u = by[inv.journey]
        u.gb_seconds += inv.billed_ms / 1000 * meter.memory_mb.get(inv.function, 1024) / 1024
        u.invocations += 1
        u.traces += inv.function in meter.traced
        u.log_bytes += inv.log_bytes
    for journey, count in meter.api_increments.items():
        by[journey].api += count
        by[journey].log_bytes += meter.api_log_bytes[journey]
    return by


def _priced(prices: dict[str, Any], u: _Usage) -> dict[str, float]:
    """USD by service of one usage."""
    gb = u.log_bytes / 2**30
    return {
        "DynamoDB reads": price(prices, "dynamodb_read_request_unit", u.rru),
        "DynamoDB writes": price(prices, "dynamodb_write_request_unit", u.wru),
        "Lambda compute": price(prices, "lambda_arm64_gb_second", u.gb_seconds),
        "Lambda requests": price(prices, "lambda_request", u.invocations),
        "API Gateway requests": price(prices, "http_api_request", u.api),
        "SES messages": price(prices, "ses_message", u.ses),
        "S3 requests": price(prices, "s3_put_copy_post_list_request", u.s3_write)
        + price(prices, "s3_get_and_other_request", u.s3_read),
        "SQS requests": price(prices, "sqs_standard_request", u.sqs),
        "CloudWatch Logs": price(prices, "cloudwatch_logs_ingested_gb", gb)
        + price(prices, "cloudwatch_logs_stored_gb_month", gb * LOG_RETENTION_MONTHS),
        "X-Ray traces": price(prices, "xray_trace_recorded", u.traces),
    }


def price_run(meter: Meter, facts: dict[str, Any], template: dict[str, Any], prices: dict[str, Any]) -> CostModel:
    """Price what the meter counted: per 1,000 people per cycle, and the fixed monthly cost."""
    people = facts["people"]
    usage = _usage(meter)
    scale = {j: facts["scale"].get(j, 1.0) * PER / people for j in usage}
    idle = {j.removeprefix("idle "): u for j, u in usage.items() if j.startswith("idle ")}
    idle_runs = {f: sum(1 for i in meter.invocations if i.journey == f"idle {f}") for f in idle}
    cycle_days = facts.get("cycle_days", 56)
    journeys = [j for j in usage if not j.startswith("idle ") and j != "set-up"]

    # The reminders run every day whatever happens (fixed cost below): the cycle pays for what its work adds.
    per_idle_run = {f: _priced(prices, u) for f, u in idle.items()}
    services: Counter[str] = Counter()
    quantities: defaultdict[str, float] = defaultdict(float)
    journey_lines = []
    emails: dict[str, float] = {}
    for j in journeys:
        costs = _priced(prices, usage[j])
        if j == "reminders" and "RemindersFunction" in per_idle_run:
            runs = sum(1 for i in meter.invocations if i.journey == "reminders")
            baseline = {
                k: v / idle_runs["RemindersFunction"] * runs for k, v in per_idle_run["RemindersFunction"].items()
            }
            costs = {k: max(0.0, v - baseline[k]) for k, v in costs.items()}
        usd = {k: v * scale[j] for k, v in costs.items()}
        services.update(usd)
        top = max(usd, key=lambda k: usd[k])
        mails = usage[j].ses * scale[j] / PER
        emails[j] = mails
        detail = f"most: {top}" + (f" ({mails:.2f} emails a person)" if mails else "")
        journey_lines.append(Line(j, sum(usd.values()), "USD", sum(usd.values()), detail))
        u = usage[j]
        for key, value in (
            ("DynamoDB reads", u.rru),
            ("DynamoDB writes", u.wru),
            ("index writes", u.wru_index),
            ("Lambda compute", u.gb_seconds),
            ("Lambda requests", u.invocations),
            ("API Gateway requests", u.api),
            ("SES messages", u.ses),
            ("S3 requests", u.s3_write + u.s3_read),
            ("SQS requests", u.sqs),
            ("CloudWatch Logs", u.log_bytes / 2**20),
            ("X-Ray traces", u.traces),
        ):
            quantities[key] += value * scale[j]

    stored_gb = facts["table_bytes"] * PER / people / 2**30
    months = cycle_days / MONTH_DAYS
    services["DynamoDB storage + backups"] = price(prices, "dynamodb_storage_gb_month", stored_gb * months) + price(
        prices, "dynamodb_pitr_gb_month", stored_gb * months
    )
    quantities["DynamoDB storage + backups"] = stored_gb * 1024
    units = {
        "DynamoDB reads": "read request units",
        "DynamoDB writes": "write request units",
        "DynamoDB storage + backups": "MB stored (indexes included), 8 weeks, PITR on",
        "Lambda compute": "GB-seconds (arm64)",
        "Lambda requests": "invocations",
        "API Gateway requests": "HTTP API requests",
        "SES messages": "messages",
        "S3 requests": "requests",
        "SQS requests": "requests",
        "CloudWatch Logs": f"MB ingested (kept {LOG_RETENTION_MONTHS} months)",
        "X-Ray traces": "traces",
    }
    service_lines = [Line(s, quantities[s], units[s], services[s]) for s in SERVICES]
    service_lines[
        SERVICES.index("DynamoDB writes")
    ].detail = f"{quantities['index writes'] / PER:,.0f} of them to indexes"

    function_lines = []
    by_function: defaultdict[str, list[Any]] = defaultdict(list)
    for inv in meter.invocations:
        if inv.journey in scale and not inv.journey.startswith("idle "):
            by_function[inv.function].append(inv)
    idle_ms = {
        f: sum(i.billed_ms for i in meter.invocations if i.journey == f"idle {f}") / max(1, idle_runs.get(f, 0))
        for f in idle
    }
    for function, invocations in sorted(by_function.items()):
        memory = meter.memory_mb.get(function, 1024)
        # A reminders run of the cycle counts here for what it took above an idle run (the runs are fixed cost).
        above = {i.journey: idle_ms.get(function, 0) if i.journey == "reminders" else 0 for i in invocations}
        gb_s = sum(
            max(0, i.billed_ms - above[i.journey]) / 1000 * memory / 1024 * scale[i.journey] for i in invocations
        )
        count = sum(scale[i.journey] for i in invocations if i.journey != "reminders")
        median_ms = sorted(i.billed_ms for i in invocations)[len(invocations) // 2]
        aws_share = sum(i.aws_ms for i in invocations) / max(1, sum(i.billed_ms for i in invocations))
        function_lines.append(
            Line(
                function,
                gb_s,
                f"GB-s at {memory} MB",
                price(prices, "lambda_arm64_gb_second", gb_s),
                (
                    f"{count:,.0f} invocations, median {median_ms} ms"
                    if count
                    else f"runs are fixed cost, the work above an idle run is here; median run {median_ms} ms"
                )
                + f" ({aws_share:.0%} in emulated AWS calls)",
            )
        )

    fixed = fixed_monthly(template, prices, per_idle_run, idle_runs, meter.metric_names)
    facts = facts | {
        "emails_per_person": {j: round(m, 2) for j, m in emails.items() if m},
        "web_log_bytes_per_request": _mean([i.log_bytes for i in meter.invocations if i.function == "WebFunction"]),
        "access_log_bytes_per_request": sum(meter.api_log_bytes.values()) / max(1, sum(meter.api_requests.values())),
        "alarm_plan": alarm_plan(template),
        "traced_functions": sorted(meter.traced),
        "custom_metrics_alarmed": any(
            r["Properties"].get("Namespace") in {ns for ns, _ in meter.metric_names}
            for r in template["Resources"].values()
            if r["Type"] == "AWS::CloudWatch::Alarm"
        ),
    }
    notes = {
        "cognito": Line(
            "Cognito user pool (Essentials, the default tier of a new pool)",
            PER,
            "monthly active users",
            price(prices, "cognito_essentials_mau", PER),
            "free for the first 10,000 monthly active users; beyond them, per person signing in in a month",
        )
    }
    journey_lines.sort(key=lambda line: -line.usd)
    return CostModel(people, prices, facts, service_lines, journey_lines, function_lines, fixed, notes)


def _mean(values: list[int]) -> float:
    return sum(values) / max(1, len(values))


def _schedule_runs(expression: str) -> float:
    """Runs a month of a schedule expression (rate(...) or a daily cron)."""
    rate = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expression)
    if rate:
        per_day = {"minute": 1440, "hour": 24, "day": 1}[rate.group(2)] / int(rate.group(1))
        return per_day * MONTH_DAYS
    fields = expression.removeprefix("cron(").removesuffix(")").split()
    minutes, hours = fields[0], fields[1]
    per_day = (1 if minutes.isdigit() else 60) * (1 if hours.isdigit() else 24)
    return per_day * MONTH_DAYS


def alarm_plan(template: dict[str, Any]) -> dict[str, Any]:
    """The alarms of template.yaml and the metrics each reads (an alarm is billed per metric, metric math too)."""
    resources = template["Resources"]
    alarms = {n: r["Properties"] for n, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    reads = {n: len([m for m in a.get("Metrics", []) if "MetricStat" in m]) or 1 for n, a in alarms.items()}
    return {"alarms": len(alarms), "metrics": sum(reads.values()), "reads": reads}


def fixed_monthly(
    template: dict[str, Any],
    prices: dict[str, Any],
    per_idle_run: dict[str, dict[str, float]],
    idle_runs: dict[str, int],
    metric_names: set[tuple[str, str]],
) -> list[Line]:
    """What the stack costs a month before anyone uses it, from template.yaml and the idle runs measured."""
    resources = template["Resources"]
    alarms = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    alarm_metrics = sum(len([m for m in r["Properties"].get("Metrics", []) if "MetricStat" in m]) or 1 for r in alarms)
    secrets = sum(1 for r in resources.values() if r["Type"] == "AWS::SecretsManager::Secret")
    keys = sum(1 for r in resources.values() if r["Type"] == "AWS::KMS::Key")
    mappings = [
        name
        for name, r in resources.items()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and "Queue" in json.dumps(r["Properties"].get("EventSourceArn"))
    ]
    lines = [
        Line(
            "CloudWatch alarms",
            alarm_metrics,
            "alarm metrics",
            price(prices, "cloudwatch_alarm_metric_month", alarm_metrics),
            f"{len(alarms)} alarms in template.yaml, standard resolution",
        ),
        Line("Secrets Manager secrets", secrets, "secrets", price(prices, "secrets_manager_secret_month", secrets)),
        Line(
            "KMS customer keys",
            keys,
            "keys",
            price(prices, "kms_customer_key_month", keys),
            "AWS-managed keys are free",
        ),
        Line(
            "SQS polling of empty queues",
            len(mappings) * IDLE_POLLS_PER_MONTH,
            "ReceiveMessage requests",
            price(prices, "sqs_standard_request", len(mappings) * IDLE_POLLS_PER_MONTH),
            f"{len(mappings)} event source mappings ({', '.join(mappings)}), ~15 long polls a minute each",
        ),
    ]
    for name, r in resources.items():
        if r["Type"] != "AWS::Serverless::Function":
            continue
        for event in r["Properties"].get("Events", {}).values():
            if event["Type"] != "ScheduleV2" or name not in per_idle_run:
                continue
            runs = _schedule_runs(event["Properties"]["ScheduleExpression"])
            usd = sum(per_idle_run[name].values()) / idle_runs[name] * runs + price(
                prices, "scheduler_invocation", runs
            )
            lines.append(
                Line(
                    f"{name} runs with nothing to do",
                    runs,
                    "runs",
                    usd,
                    f"{event['Properties']['ScheduleExpression']}: Lambda, its logs and traces, its DynamoDB reads",
                )
            )
    custom = sorted(n for ns, n in metric_names if not ns.startswith("AWS/"))
    lines.append(
        Line(
            "CloudWatch custom metrics (EMF)",
            len(custom),
            "metrics",
            price(prices, "cloudwatch_custom_metric_month", len(custom)),
            f"{', '.join(custom) or 'none seen'}; billed by the hours they are published, so this is the most",
        )
    )
    return lines


# --- printing and the document -------------------------------------------------------------------------------


def _usd(value: float) -> str:
    return f"${value:,.4f}" if value < 0.1 else f"${value:,.2f}"


def _qty(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}"


def cost_table(model: CostModel) -> list[dict[str, Any]]:
    """The rows `make bench ARGS=cost` prints: each service, its quantity and cost per 1,000 people per cycle,
    then the totals beside their targets."""
    rows: list[dict[str, Any]] = [
        {"cost": s.name, "quantity": _qty(s.quantity), "unit": s.unit, "USD": _usd(s.usd)} for s in model.services
    ]
    rows.append(
        {
            "cost": "VARIABLE, per 1,000 people per cycle",
            "quantity": "",
            "unit": f"target <= ${TARGET_VARIABLE:.2f}",
            "USD": f"{_usd(model.variable_usd)} {'PASS' if model.variable_passed else 'FAIL'}",
        }
    )
    rows += [
        {"cost": f"fixed: {f.name}", "quantity": _qty(f.quantity), "unit": f.unit + " a month", "USD": _usd(f.usd)}
        for f in model.fixed
    ]
    rows.append(
        {
            "cost": "FIXED, per month",
            "quantity": "",
            "unit": f"target <= ${TARGET_FIXED:.2f}",
            "USD": f"{_usd(model.fixed_usd)} {'PASS' if model.fixed_passed else 'FAIL'}",
        }
    )
    return rows


def journey_table(model: CostModel) -> list[dict[str, Any]]:
    """USD per 1,000 people per cycle of each journey, dearest first, with its dearest service."""
    return [{"journey": j.name, "USD per 1,000": _usd(j.usd), "dearest": j.detail} for j in model.journeys]


def _markdown(headers: list[str], rows: list[list[str]]) -> str:
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def drivers(model: CostModel) -> list[str]:
    """The top drivers of the variable and the fixed cost, each with what would move it, in figures."""
    s = {line.name: line for line in model.services}
    f = {line.name: line for line in model.fixed}
    per_person = {k: v.quantity / PER for k, v in s.items()}
    mails = model.facts.get("emails_per_person", {})
    web = next((line for line in model.functions if line.name == "WebFunction"), None)
    traced = model.facts.get("traced_functions", [])
    moves = {
        "X-Ray traces": (
            f"{per_person['X-Ray traces']:.1f} traces a person: the functions with Tracing Active "
            f"({', '.join(traced) or 'none'}) are traced on every invocation (Lambda's sampling cannot be set per "
            "function); the web function, most of the invocations, is not (Tracing: PassThrough, issue 24)."
        ),
        "Lambda compute": (
            f"{per_person['Lambda compute']:.1f} GB-s a person at 1,024 MB"
            + (f"; the web function's median request is {web.detail.split('median ')[-1]}" if web else "")
            + ". Every function runs with 1,024 MB (2,048 for PDFs): the web function at 512 MB would halve its part "
            "if its requests, mostly waiting on DynamoDB, do not slow down; each scheduled run builds new boto3 "
            "clients."
        ),
        "API Gateway requests": (
            f"{per_person['API Gateway requests']:.0f} requests a person: a sign-in is 3 (page, post, redirect), "
            "each form is its page, its drafts and its submit. Longer sessions, fewer autosaves (one on leaving the "
            "page) and pages that need no redirect after a post would cut it."
        ),
        "Lambda requests": f"{per_person['Lambda requests']:.0f} invocations a person: one per HTTP request, as above.",
        "CloudWatch Logs": (
            f"{per_person['CloudWatch Logs'] * 1024:.0f} KB a person: the platform's START/END/REPORT lines, "
            "the web function's JSON request line (with the request and trace ids) and "
            "the HTTP API's access log. Logging at WARNING in the web function, or a shorter access log format, "
            "would take most of it."
        ),
        "DynamoDB writes": (
            f"{per_person['DynamoDB writes']:.0f} write units a person, {s['DynamoDB writes'].detail}: every change "
            "is a transaction (double) with its audit record, and three indexes with projection ALL write the whole "
            "item again at the standard rate. Projecting only what the indexes are queried for (KEYS_ONLY or "
            "INCLUDE) would shrink the index writes to about one unit each."
        ),
        "DynamoDB reads": (
            f"{per_person['DynamoDB reads']:.0f} read units a person (issue 24 point 2 cuts the requests of pages)."
        ),
        "SES messages": (
            f"{per_person['SES messages']:.1f} messages a person: "
            + ", ".join(f"{m:.1f} in {j}" for j, m in sorted(mails.items(), key=lambda x: -x[1]))
            + ". One email a person a day at most (issue 24): nominations to decide and new feedback requests wait "
            "in the table for the recipient's daily email, sent with their overdue tasks by the reminders function; "
            "a waiting request is listed again on Mondays and in the last 3 days before the feedback deadline "
            f"(here reviewers answer {ANSWER_AFTER_DAYS} days after being asked). What is left: the day after the "
            "requests, and one a day for each late task."
        ),
    }
    ranked = sorted(model.services, key=lambda line: -line.usd)[:5]
    out = [f"- **{line.name}**: {_usd(line.usd)} per 1,000 people. {moves.get(line.name, '')}" for line in ranked]
    alarms = f.get("CloudWatch alarms")
    polling = f.get("SQS polling of empty queues")
    plan = model.facts.get("alarm_plan")
    if alarms and plan:
        reads = ", ".join(f"{name} {count}" for name, count in plan["reads"].items())
        out.append(
            f"- **Alarms** (fixed): {_usd(alarms.usd)} a month: {plan['alarms']} alarms, one per family of functions "
            f"on where its work is lost, reading {plan['metrics']} metrics ({reads}); an alarm is billed per metric "
            "it reads, metric math included. Each more queue a family's alarm watches is $0.10 a month."
        )
    secrets = f.get("Secrets Manager secrets")
    if secrets and secrets.usd:
        out.append(
            f"- **The secrets** (fixed): {_usd(secrets.usd)} a month for the web function's session key and the chat "
            "channels' tokens (issue 28). SSM Parameter Store's standard SecureString would be free, but "
            "CloudFormation "
            "cannot create one (AWS::SSM::Parameter makes plain strings), and the key is generated by the stack: kept, "
            "by choice."
        )
    metrics = f.get("CloudWatch custom metrics (EMF)")
    if metrics and metrics.usd:
        out.append(
            f"- **Custom metrics** (fixed, at most): {_usd(metrics.usd)} a month for {metrics.quantity:.0f} EMF "
            "metrics. A metric is billed for the hours it receives data, so one published only while a cycle runs "
            "costs less. "
            + (
                "No alarm in template.yaml reads them: counting them from the logs when asked (Logs Insights) "
                "would cost nothing a month."
                if not model.facts.get("custom_metrics_alarmed")
                else "Some alarms read them: keep those, count the rest from the logs when asked."
            )
        )
    if polling:
        out.append(
            f"- **Polling empty queues** (fixed): {_usd(polling.usd)} a month, "
            f"{_usd(polling.usd / max(1, polling.quantity / IDLE_POLLS_PER_MONTH))} per event source mapping. "
            "The export dead-letter queue has none (issue 24): the last attempt marks its job failed, and a job "
            "silent for longer than the queue retries reads as failed."
        )
    return out


def write_cost_doc(model: CostModel, path: Path = COST_DOC) -> str:
    """Write docs/COST.md from a measured model; returns the text."""
    prices = model.prices
    variable = _markdown(
        ["service", "quantity", "unit", "USD per 1,000 people per cycle"],
        [[s.name, _qty(s.quantity), s.unit, _usd(s.usd)] for s in model.services]
        + [
            [
                "**variable total**",
                "",
                f"target ≤ ${TARGET_VARIABLE:.2f}",
                f"**{_usd(model.variable_usd)}** ({'PASS' if model.variable_passed else 'FAIL'})",
            ]
        ],
    )
    journeys = _markdown(
        ["journey", "USD per 1,000 people per cycle", "dearest service"],
        [[j.name, _usd(j.usd), j.detail.removeprefix("most: ")] for j in model.journeys],
    )
    functions = _markdown(
        ["function", "GB-s per 1,000 people", "memory", "USD", "invocations per 1,000 people, median billed"],
        [
            [fn.name, _qty(fn.quantity), fn.unit.removeprefix("GB-s at "), _usd(fn.usd), fn.detail]
            for fn in model.functions
        ],
    )
    fixed = _markdown(
        ["fixed cost", "quantity a month", "unit", "USD a month", "from"],
        [[f.name, _qty(f.quantity), f.unit, _usd(f.usd), f.detail] for f in model.fixed]
        + [
            [
                "**fixed total**",
                "",
                f"target ≤ ${TARGET_FIXED:.2f}",
                f"**{_usd(model.fixed_usd)}** ({'PASS' if model.fixed_passed else 'FAIL'})",
                "",
            ]
        ],
    )
    cognito = model.notes["cognito"]
    facts = model.facts
    scale = facts["scale"]
    text = f"""# What a cycle costs on AWS

Generated by `make bench ARGS=cost` (benchmarks/cost_model.py) on {model.measured_at}, from a cycle of
**{model.people} people** driven through the emulated stack; every figure is scaled linearly to 1,000 people
(× {PER / model.people:g}). Prices: {prices["region"]} on-demand list prices without free tiers, read on
{prices["read_on"]} (benchmarks/prices.json, which names its source). Regenerate with
`make bench ARGS="cost --people 500"` for a larger sample.

**Variable: {_usd(model.variable_usd)} per 1,000 people per cycle (target ≤ ${TARGET_VARIABLE:.2f}:
{"PASS" if model.variable_passed else "FAIL"}). Fixed: {_usd(model.fixed_usd)} a month (target ≤ ${TARGET_FIXED:.2f}:
{"PASS" if model.fixed_passed else "FAIL"}).**

## By service, per 1,000 people per cycle

{variable}

Not in the total: {cognito.name}, {_usd(cognito.usd)} per 1,000 people for each month they sign in,
{cognito.detail}. An organisation under 10,000 people pays nothing for it.

## By journey, per 1,000 people per cycle

{journeys}

## Lambda by function, per 1,000 people per cycle

{functions}

## Fixed, per month

{fixed}

## Top drivers, and what would move them

{chr(10).join(drivers(model))}

## The cycle that was measured

{model.people} people (benchmarks/load_support.py's organisation: a CEO, two HR people, four department heads,
managers of 8), an 8-week cycle with its deadlines at days 7, 21, 28, 42 and 56 (benchmarks/cost_journey.py):
the operator's CLI import and HR's re-import of the same file, launch (the worker creates the reviews), 2 goals
each, nominations of 3 peers ({facts["nominated"]} people had 3 colleagues under the same manager) and the
managers' approvals, HR's request for upward feedback, {facts["feedback_answers"]} feedback answers (form, one
draft, answer; {ANSWER_AFTER_DAYS} days after being asked), self and manager assessments (page, 2 autosaved
drafts, submit; one person in 10 late, so reminders and escalations are sent), discussions, acknowledgements,
finalisation ({facts["finalised"]} reviews finalised), leadership's training report and alignment, HR's dashboard,
the cycle closed and its training report mailed, every person's summary PDF, one export of the cycle. Everyone
signs in for each journey (3 requests); a browser loads the static files once.
The reminders function ran on {facts["reminder_runs"]} of the {facts["cycle_days"]} days.

Sampled and scaled: summary downloads were measured for {facts["summary_downloads_measured"]} people
(× {scale["summary PDFs"]:g} to everyone); the export of the cycle was measured on one department of
{facts["export_summaries_measured"]} summaries (× {scale["export"]:g}).
Work done once a cycle whatever its size (the training report mailed to the 6 leaders, HR's and leadership's
pages, the imports and the launch request) is scaled too, so a small sample overstates it: `--people 500` gives
figures closer to a large organisation's.

## How it is counted

- **DynamoDB**: every call of every boto3 client the functions make is seen (botocore's call path is wrapped).
  moto's `ReturnConsumedCapacity` answers a fixed figure, so units are computed from item sizes as DynamoDB
  bills on-demand tables: reads 4 KB per unit, half for eventually consistent reads (GetItem and BatchGetItem per
  item, at least half a unit per key asked; a Query on the sum of the items it returns); writes 1 KB per unit of the
  larger of the item before and after (read from moto's backend), doubled in a transaction (ConditionCheck
  included); each index holding the item (all three project ALL) is one more standard write of its size, two when
  the item moves within the index. Storage: the items of the cycle plus 100 bytes each, once per index that holds
  them, kept for the cycle's 8 weeks with point-in-time recovery on.
- **Lambda**: each HTTP request, SQS batch and scheduled run goes through the handler template.yaml names, timed
  in this process and billed per millisecond (rounded up) at the function's MemorySize from template.yaml, arm64
  prices. The emulated AWS calls are in-process (no network) and this machine is shared: durations are this
  machine's, not Lambda's. Requests: one per invocation. Routes go to the PDF function as template.yaml routes them.
- **API Gateway**: one HTTP API request per browser request (each 512 KB counts as one), redirects followed.
- **SES**: one message per recipient of each SendEmail. **S3**: each request by its price tier, plus the
  browser's GET of the presigned link. **SQS**: each request the functions make (each 64 KB counted), and the
  ReceiveMessage and DeleteMessageBatch calls Lambda's poller makes for the messages of the cycle.
- **CloudWatch Logs**: the bytes each invocation wrote to stdout and stderr (the JSON log lines, the line of
  counts), the platform's START, END and REPORT lines (with the X-Ray trace id when the function is traced), and
  the HTTP API's access log line in template.yaml's format; ingestion plus {LOG_RETENTION_MONTHS} months of
  storage. Measured: {facts["web_log_bytes_per_request"]:,.0f} bytes per web request (its JSON request line and
  the platform's lines), {facts["access_log_bytes_per_request"]:,.0f} bytes of access log per HTTP request.
- **X-Ray**: one trace per invocation of a function whose Tracing is Active in template.yaml (at their traffic
  Lambda's sampling, the first request each second and 5% of the rest, records nearly all of them).
- **Fixed**: alarms counted in template.yaml (per metric each reads), secrets, customer-managed KMS keys, Lambda's
  pollers on empty queues, the scheduled functions' runs with nothing to do (measured idle, times their schedules),
  and the custom metrics (EMF documents) the functions published. The reminders runs of the cycle are charged to
  the cycle only for what they cost above an idle run. Secrets Manager reads at cold starts are not counted (cents per
  10,000 cold starts).
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return text
