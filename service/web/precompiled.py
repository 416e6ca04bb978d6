"""Page templates compiled to Python modules when the Lambda package is built, so a cold start does not parse them.

Parsing and compiling the Jinja of the home page (base.html and its parts) took ~40 ms of a cold start's first
signed-in page. The build (infra/build-function.sh) writes every page template as a module with Jinja's own
`compile_templates`, from the app's environment (its filters, globals and autoescaping), into `templates_compiled/`
beside `templates/`, and byte-compiles it with the rest of the package. A deployed app reads a template from there,
through Jinja's `ModuleLoader`, and from its source when it is not there; the local run and the tests always read
the source (a compiled copy is never checked against it). tests/unit/test_precompiled_templates.py checks that the
compiled set is every page template and draws the same page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import BaseLoader, ChoiceLoader, ModuleLoader

from service.config import Settings

COMPILED = Path(__file__).resolve().parents[2] / "templates_compiled"


def is_page_template(name: str) -> bool:
    """Templates the web app draws (pdf/ and email/ have environments of their own, static/ is not Jinja)."""
    return name.startswith("pages/") and name.endswith(".html")


def use_compiled(app: Flask, settings: Settings, compiled: Path = COMPILED) -> None:
    """Deployed, with a compiled set in the package: the app reads its templates from it first."""
    if settings.deployed and compiled.is_dir():
        # the environment's own loader: Flask's dispatching loader asks its loaders for sources, which a
        # ModuleLoader has not
        source: BaseLoader = app.jinja_env.loader  # type: ignore[assignment]
        app.jinja_env.loader = ChoiceLoader([ModuleLoader(str(compiled)), source])


def compile_pages(app: Flask, target: Path) -> list[str]:
    """Compile every page template of `app` (every blueprint registered) into `target`; the names compiled."""
    names = sorted(n for n in app.jinja_env.list_templates() if is_page_template(n))
    target.mkdir(parents=True, exist_ok=True)
    app.jinja_env.compile_templates(str(target), zip=None, filter_func=is_page_template, ignore_errors=False)
    return names
