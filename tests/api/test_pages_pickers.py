"""Issue 25, point 7: people and needs are chosen, not typed. Without a browser: the template editor's ids made
from names and kept on edit, HR's people picker on the cycle form, the training-need picker of the learning log
and of the interview planner."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.services import templates as template_svc
from tests.api.test_pages_hr import TEMPLATE_FORM, post, text

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


@pytest.fixture
def table(app):
    return app.extensions["reviews"].table


@pytest.fixture
def hr(as_):
    return as_("E2")


def template_named(table: Any, name: str):
    return next(t for t in template_svc.list_templates(UnitOfWork(table)) if t.name == name)


# --- the template editor: no ids to type ------------------------------------------------------------------


def test_the_template_form_has_no_id_fields(hr, table):
    for path in ("/hr/templates/new", f"/hr/templates/{template_svc.list_templates(UnitOfWork(table))[0].template_id}"):
        html = text(hr.get(path))
        assert not re.search(r'<input type="text"[^>]*name="[^"]*\.id"', html), path
        assert ">Id<" not in html, path


def test_a_template_saved_without_ids_gets_unique_ids_made_from_its_names(hr, table):
    form = {k: v for k, v in TEMPLATE_FORM.items() if not k.endswith(".id")} | {
        "name": "Named ids",
        "competencies.2.name": "Delivery",  # the same name twice: the second id is told apart
        "competencies.2.description": "Ships again.",
        "questions.self.1.text": "Où en êtes-vous ?",  # no ASCII word of its own after the accents go
        "questions.self.2.text": "???",
    }
    assert post(hr, "/hr/templates/new", form).status_code == 302
    saved = template_named(table, "Named ids")
    assert saved.competency_ids() == ["delivery", "code-review", "delivery-2"]
    assert [q.id for q in saved.questions["self"]] == ["what-are-you-proud-of", "ou-en-etes-vous", "question-3"]
    assert [q.id for q in saved.questions["manager"]] == ["what-comes-next"]


def test_an_edit_keeps_the_saved_ids_when_names_change_and_rows_come_and_go(hr, table):
    form = {k: v for k, v in TEMPLATE_FORM.items() if not k.endswith(".id")} | {"name": "Stable ids"}
    post(hr, "/hr/templates/new", form)
    saved = template_named(table, "Stable ids")
    page = text(hr.get(f"/hr/templates/{saved.template_id}"))
    assert 'type="hidden" name="competencies.1.id" value="code-review"' in page
    edit = {
        "version": str(saved.version),
        "name": "Stable ids",
        # Delivery removed (its row cleared), Code review renamed, a new one named like the old name.
        "competencies.0.id": "delivery",
        "competencies.0.name": "",
        "competencies.0.description": "",
        "competencies.1.id": "code-review",
        "competencies.1.name": "Reviewing code",
        "competencies.1.description": "Reviews well.",
        "competencies.2.name": "Code review",
        "competencies.2.description": "A new one with the old name.",
        "scale.0": "Low",
        "scale.1": "High",
        "questions.self.0.id": "what-are-you-proud-of",
        "questions.self.0.text": "What are you most proud of?",
        "weights.goals": "50",
        "weights.competencies": "50",
        "weights.feedback": "0",
    }
    assert post(hr, f"/hr/templates/{saved.template_id}", edit).status_code == 302
    after = template_svc.get_template(UnitOfWork(table), saved.template_id)
    assert [(c.id, c.name) for c in after.competencies] == [
        ("code-review", "Reviewing code"),
        ("code-review-2", "Code review"),
    ]
    assert [(q.id, q.text) for q in after.questions["self"]] == [
        ("what-are-you-proud-of", "What are you most proud of?")
    ]
    assert after.version == saved.version + 1


def test_a_refused_template_comes_back_without_made_up_ids(hr):
    form = {k: v for k, v in TEMPLATE_FORM.items() if not k.endswith(".id")} | {"weights.feedback": "10"}
    html = text(post(hr, "/hr/templates/new", form))
    assert "Weights add up to 110" in html
    assert 'name="competencies.0.id"' not in html  # a renamed row gets its id from the name it is saved with
