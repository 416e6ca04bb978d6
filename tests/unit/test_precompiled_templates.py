"""The page templates the build compiles (web/precompiled.py) are every page template, and draw the same pages."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from jinja2 import ModuleLoader

from service.web import TEMPLATES
from service.web.precompiled import compile_pages, use_compiled
from tests.unit.test_lazy_blueprints import SETTINGS, build, sign_in


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("templates_compiled")
    compile_pages(build(lazy=False), target)
    return target


def test_every_page_template_is_compiled_and_nothing_else(compiled):
    pages = {p.relative_to(TEMPLATES).as_posix() for p in (TEMPLATES / "pages").rglob("*.html")}

    expected = {ModuleLoader.get_module_filename(name) for name in pages}
    assert {p.name for p in compiled.glob("*.py")} == expected


def test_a_deployed_app_draws_the_home_page_from_the_compiled_templates_as_from_their_source(compiled):
    pages = []
    for use in (False, True):
        app = build(lazy=False)
        if use:
            use_compiled(app, replace(SETTINGS, deployed=True), compiled)
        client = app.test_client()
        sign_in(client, "E1")
        page = client.get("/")
        assert page.status_code == 200
        pages.append(re.sub(r'name="csrf_token" value="[^"]+"', "", page.get_data(as_text=True)))
        template = app.jinja_env.get_template("pages/home.html")
        assert template.filename.startswith(str(compiled)) is use  # the compiled module, else the source

    assert pages[0] == pages[1]
    assert "My tasks" in pages[1]


def test_the_local_run_reads_the_source_even_beside_a_compiled_set(compiled):
    app = build(lazy=False)
    use_compiled(app, SETTINGS, compiled)

    assert app.jinja_env.get_template("pages/home.html").filename.endswith("home.html")
