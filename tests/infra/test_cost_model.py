"""The cost benchmark (issue 24): a whole cycle of a tiny organisation through the template's handlers on moto,
priced; the table it prints has every billed service with the counts the journeys must cause, and docs/COST.md
carries the same figures. Plus DynamoDB's sizing rules, on their own."""

from __future__ import annotations

import re

import pytest

from benchmarks.cost_meter import item_size, read_units, value_size, write_units
from benchmarks.cost_model import SERVICES, TARGET_FIXED, TARGET_VARIABLE
from service.adapters.table_setup import TEMPLATE, load_template

PEOPLE = 8


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """The registered `cost` benchmark at 8 people (1 summary download measured, no drafts, reminders only after
    deadlines, one idle run), its report as printed and the document it wrote."""
    from benchmarks import run

    doc = tmp_path_factory.mktemp("cost") / "COST.md"
    report = run.cost(people=PEOPLE, doc=doc, pdf_sample=1, drafts=0, daily_reminders=False, idle=1)
    return report, doc.read_text()


def _rows(report) -> dict[str, dict[str, str]]:
    return {row["cost"]: row for row in report.table}


def _quantity(row: dict[str, str]) -> float:
    return float(row["quantity"].replace(",", ""))


def test_every_billed_service_has_a_row_with_what_the_cycle_must_cause(measured):
    report, _ = measured
    rows = _rows(report)
    assert set(SERVICES) <= set(rows)
    per_1000 = {name: _quantity(rows[name]) for name in SERVICES}
    # Every launched person is asked for feedback or reminded at least once: at least one message a person.
    assert per_1000["SES messages"] >= 1000
    assert per_1000["DynamoDB writes"] > 0 and per_1000["DynamoDB reads"] > 0
    assert per_1000["DynamoDB storage + backups"] > 0
    # Every request of every journey goes through the HTTP API and a function, each invocation logged; the web
    # function is not traced (issue 24), so the traces are the other functions' invocations only.
    assert per_1000["Lambda requests"] >= per_1000["API Gateway requests"] > 0
    assert 0 < per_1000["X-Ray traces"] < per_1000["API Gateway requests"]
    assert per_1000["Lambda compute"] > 0 and per_1000["CloudWatch Logs"] > 0
    assert per_1000["S3 requests"] > 0  # the export's multipart upload and the presigned download
    assert per_1000["SQS requests"] > 0  # the launch's batches and the export job, sent and polled
    assert all(row["USD"].startswith("$") for row in report.table)


def test_the_fixed_cost_counts_the_templates_alarms_and_secret(measured):
    report, _ = measured
    rows = _rows(report)
    resources = load_template(TEMPLATE)["Resources"].values()
    alarms = [r["Properties"] for r in resources if r["Type"] == "AWS::CloudWatch::Alarm"]
    # billed per metric an alarm reads, metric math included
    metrics = sum(len([m for m in a.get("Metrics", []) if "MetricStat" in m]) or 1 for a in alarms)
    assert _quantity(rows["fixed: CloudWatch alarms"]) == metrics > len(alarms) > 0
    assert _quantity(rows["fixed: Secrets Manager secrets"]) == 2  # the session key; the chat tokens (issue 28)
    assert _quantity(rows["fixed: SQS polling of empty queues"]) > 0
    assert _quantity(rows["fixed: TrainingReportFunction runs with nothing to do"]) == pytest.approx(730, abs=1)


def test_the_totals_are_judged_against_the_targets(measured):
    report, _ = measured
    rows = _rows(report)
    variable = float(report.facts["variable_usd_per_1000_per_cycle"])
    fixed = float(report.facts["fixed_usd_per_month"])
    assert rows["VARIABLE, per 1,000 people per cycle"]["USD"].endswith(
        "PASS" if variable <= TARGET_VARIABLE else "FAIL"
    )
    assert rows["FIXED, per month"]["USD"].endswith("PASS" if fixed <= TARGET_FIXED else "FAIL")
    assert report.passed == (variable <= TARGET_VARIABLE and fixed <= TARGET_FIXED)


def test_the_document_carries_the_figures_the_benchmark_printed(measured):
    report, doc = measured
    assert f"from a cycle of\n**{PEOPLE} people**" in doc
    for row in report.table:
        usd = row["USD"].split()[0]
        name = row["cost"].removeprefix("fixed: ")
        if name.isupper() or name.startswith(("VARIABLE", "FIXED")):
            continue
        assert re.search(
            rf"\| {re.escape(name)} \| {re.escape(row['quantity'])} \|[^\n]*\| {re.escape(usd)} \|", doc
        ), name
    variable, fixed = (_rows(report)[k]["USD"] for k in ("VARIABLE, per 1,000 people per cycle", "FIXED, per month"))
    assert f"**Variable: {variable.split()[0]} per 1,000 people per cycle" in doc
    assert f"Fixed: {fixed.split()[0]} a month" in doc
    for journey in ("import", "launch", "reminders", "summary PDFs", "export", "peer and upward feedback"):
        assert f"| {journey} | $" in doc


def test_dynamodb_sizes_items_as_it_bills_them():
    item = {"pk": {"S": "ORG"}, "sk": {"S": "EMP#E1"}, "n": {"N": "12345"}, "tags": {"L": [{"S": "a"}, {"BOOL": True}]}}
    assert value_size({"N": "12345"}) == 4  # 5 significant digits: 3 bytes, plus 1
    assert item_size(item) == (2 + 3) + (2 + 6) + (1 + 4) + (4 + 3 + (1 + 1) + (1 + 1))
    assert read_units(4096, consistent=True) == 1 and read_units(4097, consistent=True) == 2
    assert read_units(10, consistent=False) == 0.5 and read_units(0, consistent=False) == 0.5
    assert write_units(1024) == 1 and write_units(1025) == 2 and write_units(0) == 1
