"""infra/README.md stays true to the code: its commands exist, it names every parameter, the outputs it
tells you to use exist, and no manual secret step is left."""

from __future__ import annotations

import re
from pathlib import Path

from service.adapters.table_setup import TEMPLATE, load_template
from service.cli import build_parser

RUNBOOK = (Path(__file__).resolve().parents[2] / "infra" / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_in_the_runbook_exists():
    used = set(re.findall(r"review-cycles ([a-z][a-z-]+)", RUNBOOK))
    parser = build_parser()
    known = set(parser._subparsers._group_actions[0].choices)  # the sub-commands
    assert used and used <= known, used - known
    assert {"import-org", "sync-users", "export-person", "erase-person"} <= used


def test_every_template_parameter_is_explained():
    parameters = load_template(TEMPLATE)["Parameters"]
    missing = [name for name in parameters if f"`{name}`" not in RUNBOOK]
    assert not missing, missing


def test_the_outputs_the_runbook_uses_exist():
    template = load_template(TEMPLATE)
    known = set(template["Outputs"]) | set(template["Parameters"]) | {"Function"}  # make build-<Function>
    used = set(re.findall(r"<([A-Z][A-Za-z]+)>", RUNBOOK))
    assert used, "the runbook names outputs as <OutputName>"
    assert used <= known, used - known


def test_no_manual_secret_step_remains():
    assert "put-parameter" not in RUNBOOK and "SECRET_KEY" not in RUNBOOK
    assert "post-deploy" in RUNBOOK.lower() and "start-message-move-task" in RUNBOOK


def test_each_function_is_exercised_by_a_post_deploy_check():
    checks = RUNBOOK[RUNBOOK.index("## 6. Post-deploy checks") : RUNBOOK.index("## 7.")]
    for needle in (
        "/healthz",
        "/api/me",
        "Bearer",
        "launch",
        "WorkDeadLetterQueueUrl",
        "RemindersFunctionName",
        "summary.pdf",  # PdfFunction
        "ExportDeadLetterQueueUrl",
        "TrainingReportFunctionName",
        "bounce@simulator.amazonses.com",  # BounceFunction, through the configuration set (issue 21)
    ):
        assert needle in checks, needle
