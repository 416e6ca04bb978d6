"""Importing the web handler, as Lambda does at a cold start, leaves the heavy libraries unloaded."""

from __future__ import annotations

import pytest

from benchmarks.run import probe


@pytest.fixture(scope="module")
def loaded() -> dict[str, bool]:
    """Which heavy modules a fresh interpreter holds after importing the web handler."""
    return probe("import service.handlers.web", ("weasyprint", "boto3", "botocore", "flask"))["loaded"]


def test_the_probe_sees_what_the_handler_does_import(loaded):
    assert loaded["flask"] is True


def test_web_handler_import_does_not_load_weasyprint(loaded):
    assert loaded["weasyprint"] is False


def test_web_handler_import_does_not_load_boto3(loaded):
    # The table's client is built on first use, so a cold start pays for boto3 only when needed.
    assert loaded["boto3"] is False
    assert loaded["botocore"] is False


def test_web_handler_import_leaves_blueprints_and_marshmallow_for_the_first_request_that_needs_them():
    # issue 24: a cold /healthz pays for none of the ~20 blueprint modules, their use cases or their schemas
    watch = ("marshmallow", "service.web.pages", "service.web.api_reviews", "service.services.reviews")
    loaded = probe("import service.handlers.web", watch)["loaded"]
    assert loaded == dict.fromkeys(watch, False)


def test_a_table_of_counts_prints_its_columns_and_why_a_target_is_missed(capsys):
    from benchmarks.run import BENCHMARKS, Report, print_report

    row = {"operation": "open a review", "GetItem": 4, "Query": 2, "total": 6, "target": 3, "met": False}
    report = Report(rows=[], table=[row | {"why": "the cycle is read twice"}, row | {"met": True, "why": ""}])
    print_report("requests", report)
    out = capsys.readouterr().out
    assert "operation" in out and "GetItem" in out and "the cycle is read twice" in out
    assert " NO " in out and " yes" in out
    assert report.as_dict()["table"][0]["total"] == 6
    assert "requests" in BENCHMARKS


def test_the_benchmarks_counting_table_takes_every_argument_of_the_table_port():
    """The launch benchmark crashed when the port's commit grew an idempotency token and its wrapper did not."""
    import inspect

    from benchmarks.run import CountingTable
    from service.adapters.store import MemoryTable

    for name in ("get", "get_many", "transact", "query_page"):
        port = inspect.signature(getattr(MemoryTable, name)).parameters
        wrapper = inspect.signature(getattr(CountingTable, name)).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in wrapper.values())
        assert takes_any or set(port) <= set(wrapper), f"CountingTable.{name} lacks {set(port) - set(wrapper)}"


SMOKE = {  # each benchmark once at a tiny size: `make bench` crashed when results became typed and no test ran it
    "launch": lambda run: run.launch_1000(people=12, runs=1),
    "alignment": lambda run: run.alignment_report_reads(sizes=(30,), runs=1),
    "training": lambda run: run.training_report_reads(sizes=(30,), runs=1),
    "requests": lambda run: run.requests_per_operation(sizes=(15,)),
}


@pytest.mark.parametrize("name", list(SMOKE))
def test_each_benchmark_runs_to_a_report(name):
    from benchmarks import run

    report = SMOKE[name](run)
    assert report.as_dict()["target"]  # it measured something and says against what
    assert report.rows or report.table


def test_the_export_benchmarks_measure_a_chunk_and_an_assembly_that_holds_every_summary():
    from benchmarks.export_bench import assembly_run, chunk_peak, template_concurrency

    chunk = chunk_peak(60, seeded=30)
    assert chunk["made"] == 25 and chunk["peak_mib"] > 0
    assembly = assembly_run(60)
    assert assembly["made"] == 60 and assembly["parts"] >= 1 and assembly["peak_mib"] > 0
    assert template_concurrency()["concurrency"] >= 1


def test_the_cold_start_benchmark_answers_both_requests_through_both_handlers():
    """Fresh processes answer `/healthz` and a signed-in page between cycles and during one, handler and bare alike."""
    from benchmarks import run

    report = run.cold_start(runs=1, warm_up=False)
    assert [r.name for r in report.rows] == [
        "/healthz (handler)",
        "/healthz (bare)",
        "signed-in / (handler)",
        "signed-in / (bare)",
        "signed-in / (active cycle) (handler)",
        "signed-in / (active cycle) (bare)",
    ]
    assert all(r.median > 0 for r in report.rows)
    assert "1.3" in report.as_dict()["target"]
    facts = report.as_dict()["facts"]
    # a fair baseline: the bare app reads the secret and the signed-in person as the handler does
    assert facts["signed-in / AWS requests"]["bare"] == ["GetSecretValue", "GetItem"]
    service = facts["signed-in / AWS requests"]["service"]
    assert service[0] == "GetSecretValue"
    # between cycles, a manager's home reads their reports, the cycles and their own actions while the sign-in reads
    # the person (at once), then the chain; no review
    assert sorted(service[1:]) == ["BatchGetItem", "GetItem", "Query", "Query", "Query"]
    # the first signed-in page pays for no marshmallow, PDF library, Cognito sign-in or store it does not read, nor
    # for boto3 (its clients are botocore's; the bare app builds them through boto3), nor, on UTC, for zoneinfo
    loaded = next(v for k, v in facts.items() if k.startswith("signed-in / loaded of marshmallow"))
    assert loaded == {"service": [], "bare": ["boto3"]}
    # during a cycle the manager's home (it names the running cycle) is measured beside the same bare app
    assert facts["signed-in / (active cycle) AWS requests"]["bare"] == ["GetSecretValue", "GetItem"]
    # my own review, the team's reviews, their nominations waiting and the feedback settings ride in the chain's batch
    # read, with whom I act for; beside it the Queries of the feedback and the contributions asked of me (issue 28);
    # the cycle listed is not read again
    during = facts["signed-in / (active cycle) AWS requests"]["service"]
    assert during[0] == "GetSecretValue"
    assert sorted(during[1:]) == ["BatchGetItem", "GetItem", *["Query"] * 5]
