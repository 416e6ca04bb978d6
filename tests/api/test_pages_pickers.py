"""Issue 25, point 7: people and needs are chosen, not typed. Without a browser: the template editor's ids made
from names and kept on edit, HR's people picker on the cycle form, the training-need picker of the learning log
and of the interview planner."""

from __future__ import annotations

import re
from html.parser import HTMLParser
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


# --- HR's people picker on the cycle form ---------------------------------------------------------------------


def cycle_form(template_id: str, **more: Any) -> dict[str, Any]:
    return {
        "name": "Picked people",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "template_id": template_id,
        "phases.goal_setting": "2026-03-05",
        "phases.self_assessment": "2026-03-10",
        "phases.feedback": "2026-03-15",
        "phases.manager_assessment": "2026-03-20",
        "phases.discussion": "2026-03-31",
        "participant_mode": "everyone",
    } | more


def listed(html: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="employee_ids" value="([^"]+)" checked', html)


def test_hr_searches_adds_and_saves_a_cycle_for_exactly_the_people_chosen(hr, table):
    from service.services import cycles as cycle_svc

    template_id = template_svc.list_templates(UnitOfWork(table))[0].template_id
    form = cycle_form(template_id)
    found = text(post(hr, "/hr/cycles/new", form | {"people_q": "engineer", "find_people": "1"}))
    assert "3 people match “engineer”" in found  # by role or department, by name
    assert re.findall(r'name="add_person" value="([^"]+)"', found) == ["E3", "E5", "E4"]
    assert 'value="Picked people"' in found and listed(found) == []  # what was typed is kept; nothing saved
    assert not [c for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.name == "Picked people"]
    one = text(post(hr, "/hr/cycles/new", form | {"people_q": "engineer", "add_person": "E4"}))
    assert listed(one) == ["E4"] and "Katherine Johnson" in one
    assert re.search(r'name="participant_mode" value="list" checked', one)  # adding someone lists people
    two = text(post(hr, "/hr/cycles/new", form | {"employee_ids": "E4", "people_q": "dijk", "add_person": "E5"}))
    assert listed(two) == ["E4", "E5"]
    saved = post(hr, "/hr/cycles/new", form | {"employee_ids": ["E4", "E5"], "participant_mode": "list"})
    assert saved.status_code == 302
    cycle = next(c for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.name == "Picked people")
    assert cycle.participant_mode == "list" and cycle.employee_ids == ["E4", "E5"]
    page = text(hr.get(f"/hr/cycles/{cycle.cycle_id}/edit"))
    assert listed(page) == ["E4", "E5"] and "Edsger Dijkstra" in page


def test_the_search_works_from_a_link_too(hr):
    html = text(hr.get("/hr/cycles/new?people_q=lovelace"))
    assert re.findall(r'name="add_person" value="([^"]+)"', html) == ["E1"]


def test_an_unknown_person_comes_back_with_a_field_message_and_nothing_saved(hr, table):
    from service.services import cycles as cycle_svc

    template_id = template_svc.list_templates(UnitOfWork(table))[0].template_id
    before = len(cycle_svc.list_cycles(UnitOfWork(table)))
    resp = post(hr, "/hr/cycles/new", cycle_form(template_id, participant_mode="list", employee_ids=["E4", "E99"]))
    html = text(resp)
    assert resp.status_code == 422 and 'href="#f-employee_ids"' in html
    assert "&#39;E99&#39; is not an active employee." in html and listed(html) == ["E4", "E99"]
    assert len(cycle_svc.list_cycles(UnitOfWork(table))) == before


def test_only_hr_uses_the_cycle_form_s_picker(as_):
    assert as_("E3").get("/hr/cycles/new?people_q=a").status_code == 403


# --- the training-need picker: learning log and interviews ----------------------------------------------------


def stored_activities(table: Any, owner: str) -> list[Any]:
    return UnitOfWork(table).learning.of_owner(owner)


def katherine_s_need(as_, cycle_id: str) -> str:
    from tests.api.test_learning_api import my_need

    return my_need(as_("E4"), cycle_id)


ACTIVITY = {"type": "mentoring", "title": "Mentoring Katherine", "date": "2026-02-01", "hours": "2"}


def test_a_manager_finds_a_report_s_need_by_name_and_logs_against_it(as_, table, launched_cycle_id):
    need = katherine_s_need(as_, launched_cycle_id)
    boss = as_("E3")
    html = text(post(boss, "/learning", ACTIVITY | {"need_q": "johnson statis", "find_need": "1"}))
    assert re.search(rf'name="need_id" value="{need}"> Statistics for Katherine Johnson \(', html)
    assert 'value="Mentoring Katherine"' in html and stored_activities(table, "E3") == []  # kept, not saved
    assert post(boss, "/learning", ACTIVITY | {"need_id": need}).status_code == 302
    assert [a.need_id for a in stored_activities(table, "E3")] == [need]
    assert UnitOfWork(table).training.get(need).status == "addressed"
    assert re.search(r"addresses the training need “Statistics for Katherine Johnson \(", text(boss.get("/learning")))
    page = text(boss.get(f"/learning/activities/{stored_activities(table, 'E3')[0].activity_id}"))
    assert re.search(rf'name="need_id" value="{need}" checked> Statistics for Katherine Johnson', page)


def test_a_need_the_reader_may_not_see_is_neither_found_nor_taken(as_, table, launched_cycle_id):
    need = katherine_s_need(as_, launched_cycle_id)
    peer = as_("E5")
    html = text(post(peer, "/learning", ACTIVITY | {"need_q": "katherine", "find_need": "1"}))
    assert need not in html and "No training need you may log against matches “katherine”." in html
    resp = post(peer, "/learning", ACTIVITY | {"need_id": need})
    assert resp.status_code == 422 and 'id="f-need_id-error"' in text(resp) and need not in text(resp)
    assert stored_activities(table, "E5") == []


def test_an_interview_records_the_need_chosen_from_the_search(as_, table, launched_cycle_id):
    need = katherine_s_need(as_, launched_cycle_id)
    boss = as_("E3")
    cid = boss.post("/api/learning/contacts", {"name": "Mae Jemison", "role": "Scientist"}).get_json()["contact_id"]
    boss.post(f"/api/learning/contacts/{cid}/actions", {"action": "send"}, version=1)
    boss.post(f"/api/learning/contacts/{cid}/actions", {"action": "schedule", "scheduled_for": "2026-03-01"}, version=2)
    complete = {"do": "complete", "version": "3", "completed_on": "2026-03-01", "learnt": "Start with the data"}
    html = text(post(boss, f"/learning/interviews/{cid}", complete | {"need_q": "katherine", "find_need": "1"}))
    assert re.search(rf'name="need_id" value="{need}"> Statistics for Katherine Johnson', html)
    assert "Start with the data" in html  # what was typed comes back
    assert post(boss, f"/learning/interviews/{cid}", complete | {"need_id": need}).status_code == 302
    assert [a.need_id for a in stored_activities(table, "E3")] == [need]


def test_hostile_picker_input_gets_the_form_back_never_a_server_error(hr, as_, table):
    long = "x" * 3000
    resp = post(as_("E4"), "/learning", ACTIVITY | {"need_id": long, "need_q": long, "find_need": "1"})
    assert resp.status_code == 200 and 'value="Mentoring Katherine"' in text(resp)
    resp = post(as_("E4"), "/learning", ACTIVITY | {"need_id": long})
    assert resp.status_code == 422 and 'id="f-need_id-error"' in text(resp)
    assert stored_activities(table, "E4") == []
    html = text(post(hr, "/hr/cycles/new", {"people_q": long, "add_person": "<E99>", "find_people": "1"}))
    assert "not an active employee" in html and "&lt;E99&gt;" in html


def test_a_search_with_an_empty_box_says_nothing_was_saved(hr, as_, table):
    from service.services import cycles as cycle_svc

    before = len(cycle_svc.list_cycles(UnitOfWork(table)))
    html = text(post(hr, "/hr/cycles/new", {"name": "Enter pressed", "find_people": "1"}))
    assert "Nothing is saved until you press “Save draft cycle”." in html and 'value="Enter pressed"' in html
    assert len(cycle_svc.list_cycles(UnitOfWork(table))) == before
    html = text(post(as_("E4"), "/learning", ACTIVITY | {"find_need": "1"}))
    assert "Nothing is saved until you press the form" in html and stored_activities(table, "E4") == []


# --- Enter saves: the form's first submit button is its main action (issue 25) -----------------------------------


class Owners(HTMLParser):
    """The submit buttons and fields of a page with the form each belongs to (its `form=` attribute, else the form
    it sits in), in document order: what a browser's Enter uses (the first submit button of the field's form)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.form: str | None = None
        self.in_button = False
        self.count = 0
        self.buttons: list[tuple[str | None, dict[str, str | None], list[str]]] = []
        self.fields: list[tuple[str | None, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs_list: list) -> None:
        attrs = dict(attrs_list)
        if tag == "form":
            self.count += 1
            self.form = attrs.get("id") or f"form-{self.count}"
        owner = attrs.get("form") or self.form
        if tag == "button" and attrs.get("type", "submit") == "submit":
            self.buttons.append((owner, attrs, []))
            self.in_button = True
        elif tag in ("input", "textarea", "select") and attrs.get("type") != "hidden":
            self.fields.append((owner, attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "button":
            self.in_button = False

    def handle_data(self, data: str) -> None:
        if self.in_button and data.strip():
            self.buttons[-1][2].append(data.strip())

    def owner(self, name: str) -> str | None:
        return next(owner for owner, attrs in self.fields if attrs.get("name") == name)

    def first_submit(self, owner: str | None) -> dict[str, str | None]:
        return next(attrs for o, attrs, _ in self.buttons if o == owner)

    def main_button(self, owner: str | None) -> tuple[dict[str, str | None], str]:
        """The visible primary button of the form, and its words."""
        return next((a, " ".join(w)) for o, a, w in self.buttons if o == owner and "primary" in (a.get("class") or ""))


def assert_enter_saves(html: str, field: str, search: str | None, button: str) -> None:
    """Enter in `field` presses the form's hidden copy of its main button (it sends `enter`); the picker's search
    box and Search button belong to the same form, so a search sends everything typed."""
    page = Owners(html)
    form = page.owner(field)
    first = page.first_submit(form)
    _main, words = page.main_button(form)
    assert words == button
    first_words = next(" ".join(w) for _, a, w in page.buttons if a is first)
    assert "data-main-action" in first and first_words == button, (field, first)
    assert (first.get("name"), first.get("value")) == ("enter", "1")
    assert (first.get("tabindex"), first.get("aria-hidden"), first.get("class")) == ("-1", "true", "visually-hidden")
    if search:
        assert page.owner(search) == form
        assert any(o == form and (a.get("name") or "").startswith("find_") for o, a, _ in page.buttons)


def test_enter_in_a_field_saves_and_enter_in_the_search_box_searches_on_every_picker_form(hr, as_, table):
    template_id = template_svc.list_templates(UnitOfWork(table))[0].template_id
    assert_enter_saves(text(hr.get("/hr/cycles/new")), "name", "people_q", "Save draft cycle")
    found = text(post(hr, "/hr/cycles/new", cycle_form(template_id) | {"people_q": "engineer", "find_people": "1"}))
    assert 'name="add_person"' in found  # Add buttons come before the real Save: Enter still saves
    assert_enter_saves(found, "name", "people_q", "Save draft cycle")
    templates = Owners(text(hr.get("/hr/templates/new")))  # no picker: its only submit button saves
    assert [" ".join(w) for o, _, w in templates.buttons if o == templates.owner("name")] == ["Save template"]
    boss = as_("E3")
    assert_enter_saves(text(boss.get("/learning")), "title", "need_q", "Add to my log")
    searched = text(post(boss, "/learning", ACTIVITY | {"need_q": "johnson", "find_need": "1"}))
    assert_enter_saves(searched, "title", "need_q", "Add to my log")
    assert post(boss, "/learning", ACTIVITY).status_code == 302
    activity = stored_activities(table, "E3")[0].activity_id
    assert_enter_saves(text(boss.get(f"/learning/activities/{activity}")), "title", "need_q", "Save")
    cid = boss.post("/api/learning/contacts", {"name": "Grace Hopper", "role": "Admiral"}).get_json()["contact_id"]
    boss.post(f"/api/learning/contacts/{cid}/actions", {"action": "send"}, version=1)
    boss.post(f"/api/learning/contacts/{cid}/actions", {"action": "schedule", "scheduled_for": "2026-03-01"}, version=2)
    assert_enter_saves(text(boss.get(f"/learning/interviews/{cid}")), "learnt", "need_q", "Record the interview")


def test_search_and_enter_in_the_search_box_send_the_form_as_typed_and_save_nothing(hr, table):
    """Without a script (issue 25): Search, or Enter while the box holds a query not searched yet, brings the
    form back with everything typed and the matches; Enter once the matches shown are that query's saves."""
    from service.services import cycles as cycle_svc

    template_id = template_svc.list_templates(UnitOfWork(table))[0].template_id
    typed = cycle_form(template_id, name="Carried") | {"people_q": "lovelace"}
    for pressed in ({"find_people": "1"}, {"enter": "1"}, {"enter": "1", "people_q_shown": "hopper"}):
        html = text(post(hr, "/hr/cycles/new", typed | pressed))
        assert re.findall(r'name="add_person" value="([^"]+)"', html) == ["E1"], pressed
        assert 'name="name" value="Carried"' in html and 'name="people_q_shown" value="lovelace"' in html
    assert not [c for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.name == "Carried"]
    saved = post(hr, "/hr/cycles/new", typed | {"enter": "1", "people_q_shown": "lovelace"})
    assert saved.status_code == 302
    assert [c.name for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.name == "Carried"] == ["Carried"]


def test_enter_in_the_need_search_box_keeps_the_activity_typed_and_saves_nothing(as_, table):
    boss = as_("E3")
    typed = ACTIVITY | {"title": "Typed before searching", "need_q": "johnson", "enter": "1"}
    resp = post(boss, "/learning", typed)
    html = text(resp)
    assert resp.status_code == 200 and 'value="Typed before searching"' in html
    assert 'name="need_q_shown" value="johnson"' in html
    assert "Typed before searching" not in [a.title for a in stored_activities(table, "E3")]
