"""WeasyPrint lives only in the PDF function: no other handler's import graph loads it, and no other
function's package contains it (the Makefile's LAMBDA_EXCLUDE, pyproject's `pdf` extra)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from benchmarks.run import probe
from service.adapters.table_setup import TEMPLATE, load_template
from tests.infra.conftest import sam_functions

ROOT = Path(__file__).resolve().parents[2]


def _handler_modules() -> dict[str, str]:
    functions = sam_functions(load_template(TEMPLATE))
    return {name: f["Properties"]["Handler"].rpartition(".")[0] for name, f in functions.items()}


@pytest.mark.parametrize("function", sorted(n for n in _handler_modules() if n != "PdfFunction"))
def test_no_other_handler_loads_weasyprint(function):
    module = _handler_modules()[function]
    loaded = probe(f"import {module}", ("weasyprint", "flask"))["loaded"]
    assert loaded["weasyprint"] is False, module


def test_the_web_app_serving_a_request_still_has_no_weasyprint():
    statement = (
        "from service.web import create_app; from service.adapters.store import MemoryTable; "
        "create_app(table=MemoryTable()).test_client().get('/healthz')"
    )
    assert probe(statement, ("weasyprint",))["loaded"]["weasyprint"] is False


def test_the_pdf_handler_loads_weasyprint_only_when_it_makes_a_pdf():
    assert probe("import service.handlers.pdf", ("weasyprint",))["loaded"]["weasyprint"] is False


def test_weasyprint_is_an_extra_that_only_the_pdf_function_installs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.lower().startswith("weasyprint") for d in project["dependencies"])
    assert any(d.lower().startswith("weasyprint") for d in project["optional-dependencies"]["pdf"])
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^LAMBDA_EXCLUDE \?= .*\bweasyprint\b", makefile, re.M)
    zip_functions = re.search(r"^LAMBDA_FUNCTIONS := (.*)$", makefile, re.M).group(1).split()
    assert "PdfFunction" not in zip_functions  # built by its own target, with the extra
    assert re.search(r"^build-PdfFunction:.*\n(\t.*\n)*\t.*--extra pdf", makefile, re.M)


def test_only_python_files_under_service_pdf_import_weasyprint():
    importers = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "service").rglob("*.py")
        if re.search(r"^\s*(from|import) weasyprint", p.read_text(), re.M)
    )
    assert importers == ["service/pdf/render.py"]
