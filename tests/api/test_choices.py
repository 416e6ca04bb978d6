"""Choices defined once (issue 22): the review forms offer, the API accepts (its OpenAPI enums) and the domain
stores the same codes; every option each form offers goes through to a submitted review, through the pages
(form → confirm → "Yes, submit") and through the JSON API; drafts an earlier version stored with codes the
forms offered (or codes nobody knows) never make a later request fail.

On the in-memory table (tests/api/memory_org.py): a cycle whose template has five competencies and a 5-point
scale, so that one form can give every point of the scale once.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from service.adapters.clock import FixedClock
from service.adapters.unit_of_work import UnitOfWork
from service.domain.changes import flatten
from service.domain.learning import ActivityType
from service.domain.learning_plan import PlanKind
from service.domain.reviews import Agreement, ItemStatus, NeedFormat, ObstacleCategory, Priority
from service.domain.training import SuggestionAnswer
from service.services import reviews as review_svc
from service.web import forms
from service.web.pages_reviews import CHOICES
from tests import factories as f
from tests.api import memory_org
from tests.conftest import AuthActions

# --- one definition: the forms' options, the OpenAPI enums and the domain's enums are the same codes ----------

ENUM_OF = {
    "priority": Priority,
    "format": NeedFormat,
    "kind": ActivityType,
    "status": ItemStatus,
    "category": ObstacleCategory,
    "suggestion": SuggestionAnswer,
    "agreement": Agreement,
}
# (OpenAPI schema, property) → the enum whose codes it must list, in the enum's order.
API_ENUMS = {
    ("TrainingNeed", "priority"): Priority,
    ("TrainingNeed", "format"): NeedFormat,
    ("Learning", "kind"): ActivityType,
    ("Obstacle", "status"): ItemStatus,
    ("Obstacle", "category"): ObstacleCategory,
    ("Acknowledge", "agreement"): Agreement,
    ("LearningPlanItemIn", "kind"): PlanKind,  # issue 27: the learning plan
}


def test_the_review_forms_offer_exactly_the_codes_of_the_domains_enums():
    assert CHOICES.keys() == ENUM_OF.keys()
    for name, options in CHOICES.items():
        assert [v for v, _ in options] == [c.value for c in ENUM_OF[name]], name
        assert all(text and text != v for v, text in options), name  # each has words, not its code


def test_the_other_forms_offer_the_codes_of_the_domains_enums():
    from service.domain.cycles import ParticipantMode
    from service.domain.goals import GoalStatus
    from service.domain.learning import InterviewFormat
    from service.web import pages_goals, pages_hr, pages_learning, pages_learning_plan

    for options, enum in (
        (pages_hr.MODES, ParticipantMode),
        (pages_goals.STATUS_CHOICES, GoalStatus),
        (pages_learning.TYPES, ActivityType),
        (pages_learning.FORMATS, InterviewFormat),
        (pages_learning_plan.KINDS, PlanKind),
    ):
        assert [v for v, _ in options] == [c.value for c in enum], enum


def test_the_openapi_document_lists_the_same_codes(app):
    schemas = app.test_client().get("/api/openapi.json").get_json()["components"]["schemas"]
    for (schema, prop), enum in API_ENUMS.items():
        assert schemas[schema]["properties"][prop]["enum"] == [c.value for c in enum], (schema, prop)
    suggestions = schemas["ManagerContent"]["properties"]["need_suggestions"]["additionalProperties"]["enum"]
    assert suggestions == [*(c.value for c in SuggestionAnswer), ""]


def test_every_format_of_the_brief_is_a_need_format():
    # Product brief: "suggested format (course, mentoring, on-the-job, conference, informational interview, …)".
    brief = {"course", "mentoring", "on_the_job", "conference", "informational_interview"}
    assert brief <= {c.value for c in NeedFormat}


# --- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    return memory_org.module_app(FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))


@pytest.fixture
def memory(app):
    """(table, cycle id): a new world behind the module's app."""
    return memory_org.fresh(app)


@pytest.fixture
def clock(app):
    return app.extensions["reviews"].clock


@pytest.fixture
def table(memory):
    return memory[0]


@pytest.fixture
def cycle_id(memory):
    return memory[1]


def signed_in(app, who: str) -> tuple[Any, AuthActions]:
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(who)
    return client, auth


def stored(table, cycle_id: str, employee_id: str) -> review_svc.ReviewView:
    return review_svc.open_review(UnitOfWork(table), f.principal(table, "E2"), cycle_id, employee_id)


# --- every option a page offers, through form → confirm → "Yes, submit" ------------------------------------


class _Choices(HTMLParser):
    """Every choice a page's form offers: select name → option values, radio name → values (blank ones too)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name") or ""
            self.found.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            self.found[self._select].append(a.get("value") or "")
        elif tag == "input" and a.get("type") == "radio":
            self.found.setdefault(a.get("name") or "", []).append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def offered(html: str) -> dict[str, list[str]]:
    """name → the values offered for it (blank "not chosen" options left out)."""
    parser = _Choices()
    parser.feed(html)
    return {name: [v for v in values if v] for name, values in parser.found.items()}


# Text a row needs besides its choices, so that it is a row and not an empty one the form leaves out.
ROW_TEXT = {
    "training_needs": {"topic": "Topic {i}", "rationale": "Needed ({i})", "estimated_cost": "120.5"},
    "learning": {"activity": "Activity {i}", "date": "2026-02-0{d}", "note": "Took notes"},
    "goal_results": {"title": "Goal {i}", "result": "Result {i}"},
    "goal_ratings": {"title": "Goal {i}", "comment": "Comment {i}"},
    "obstacles": {"description": "Obstacle {i}", "remediation": "Remedy {i}", "due": "2026-05-01"},
    "agreed_actions": {"description": "Action {i}", "due": "2026-06-01"},
}
ROW = re.compile(r"^(\w+)\.(\d+)\.(\w+)$")


def family(name: str) -> str:
    """training_needs.3.format → training_needs.*.format; competency_ratings.c2.rating → competency_ratings.*.rating."""
    m = ROW.match(name)
    if m and m.group(1) in ROW_TEXT:
        return f"{m.group(1)}.*.{m.group(3)}"
    return re.sub(r"^(\w+)\.[^.]+", r"\1.*", name)


def every_option(page: str, base: dict[str, str]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The form as posted, using each value each choice field offers at least once, and what it offers.

    A row's choice (training_needs.0.format) gets as many rows as its longest list of options, row i taking
    option i (cycling); fields of one family outside rows (competency_ratings.<id>.rating) take one option
    each, cycling, so a template with as many competencies as points gives every point once.
    """
    choices = offered(page)
    data = {k: v for k, v in base.items() if not (ROW.match(k) and ROW.match(k).group(1) in ROW_TEXT)}
    families: dict[str, list[str]] = {}
    rows: dict[str, dict[str, list[str]]] = {}
    for name, values in choices.items():
        m = ROW.match(name)
        if m and m.group(1) in ROW_TEXT:
            rows.setdefault(m.group(1), {})[m.group(3)] = values
        else:
            families.setdefault(family(name), []).append(name)
    for group, fields in rows.items():
        for i in range(max(len(v) for v in fields.values())):
            for key, text in ROW_TEXT[group].items():
                data[f"{group}.{i}.{key}"] = text.format(i=i, d=i % 9 + 1)
            for key, values in fields.items():
                data[f"{group}.{i}.{key}"] = values[i % len(values)]
    for names in families.values():
        for j, name in enumerate(sorted(names)):
            data[name] = choices[name][j % len(choices[name])]
    wanted: dict[str, set[str]] = {}
    for name, values in choices.items():
        wanted.setdefault(family(name), set()).update(values)
    return data, wanted


def posted(data: dict[str, str]) -> dict[str, set[str]]:
    """Field family → values posted."""
    out: dict[str, set[str]] = {}
    for k, v in data.items():
        out.setdefault(family(k), set()).add(v)
    return out


def submit_through_pages(
    app, cycle_id: str, who: str, part: str, base: dict[str, str], employee_id: str = "E4"
) -> dict[str, set[str]]:
    """Save a draft using every option, open the form again (new options may appear: suggestions), submit,
    confirm; returns what the final form offered."""
    client, auth = signed_in(app, who)
    url = f"/cycles/{cycle_id}/reviews/{employee_id}/{part}"
    page = client.get(url)
    assert page.status_code == 200
    for action in ("save", "submit"):
        version = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True)).group(1)
        data, wanted = every_option(page.get_data(as_text=True), base)
        resp = client.post(url, data=data | {"csrf_token": auth.csrf, "version": version, "action": action})
        if action == "save":
            assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
            page = client.get(url)
    confirm = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'value="confirm"' in confirm, confirm[:2000]  # "Yes, submit …"
    sent = posted(data)
    for family, values in wanted.items():
        assert values <= sent.get(family, set()), (family, values - sent.get(family, set()))
    version = re.search(r'name="version" value="(\d+)"', confirm).group(1)
    done = client.post(url, data={"csrf_token": auth.csrf, "version": version, "action": "confirm"})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert client.get(f"/cycles/{cycle_id}/reviews/{employee_id}").status_code == 200
    return wanted


def form_of(content: dict[str, Any]) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in flatten(content).items()}


def test_every_option_of_the_self_assessment_form_is_submitted_through_the_pages(app, table, cycle_id):
    wanted = submit_through_pages(app, cycle_id, "E4", "self", form_of(f.self_content(competency_ratings={})))
    assert wanted["training_needs.*.format"] == {c.value for c in NeedFormat}
    assert wanted["learning.*.kind"] == {c.value for c in ActivityType}
    view = stored(table, cycle_id, "E4")
    assert view.state == "self_submitted"
    content = view.self_assessment
    assert [n["format"] for n in content["training_needs"]] == [c.value for c in NeedFormat]
    assert {n["priority"] for n in content["training_needs"]} == {c.value for c in Priority}
    assert [r["kind"] for r in content["learning"]] == [c.value for c in ActivityType]
    assert sorted(r["rating"] for r in content["competency_ratings"].values()) == [1, 2, 3, 4, 5]
    needs = UnitOfWork(table).training.of_person("E4", cycle_id)
    assert sorted(n.format.value for n in needs) == sorted(c.value for c in NeedFormat)


def test_every_option_of_the_manager_assessment_form_is_submitted_through_the_pages(app, table, cycle_id, clock):
    content = f.self_content(competency_ratings=memory_org.ratings([3, 3, 3, 3, 3]))
    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", content, 1, True, clock
    )
    wanted = submit_through_pages(app, cycle_id, "E3", "manager", form_of(f.manager_content(competency_ratings={})))
    assert wanted["obstacles.*.category"] == {c.value for c in ObstacleCategory}
    assert wanted["obstacles.*.status"] == {c.value for c in ItemStatus}
    assert wanted["need_suggestions.*"] == {c.value for c in SuggestionAnswer}  # points 1 and 2 are low on 5
    view = stored(table, cycle_id, "E4")
    assert view.state == "manager_submitted" and view.score["value"] is not None
    m = view.manager_assessment
    assert [n["format"] for n in m["training_needs"]] == [c.value for c in NeedFormat]
    assert [o["category"] for o in m["obstacles"]] == [c.value for c in ObstacleCategory]
    assert {o["status"] for o in m["obstacles"]} == {c.value for c in ItemStatus}
    assert sorted(r["rating"] for r in m["competency_ratings"].values()) == [1, 2, 3, 4, 5]
    needs = [n for n in UnitOfWork(table).training.of_person("E4", cycle_id) if n.source.value == "manager"]
    # Every format named, plus the one low rating the manager confirmed (a course, by the suggestion's rule).
    assert sorted(n.format.value for n in needs) == sorted([*(c.value for c in NeedFormat), "course"])


def test_every_option_of_the_discussion_and_the_acknowledgement_is_submitted_through_the_pages(
    app, table, clock, cycle_id
):
    # Two reviews discussed (an agreed action for every owner offered), then acknowledged with each answer offered.
    answers: set[str] = set()
    for n, employee in enumerate(("E4", "E5")):
        own = f.self_content(competency_ratings=memory_org.ratings([3, 3, 3, 3, 3]))
        review_svc.save_self_assessment(
            UnitOfWork(table), f.principal(table, employee), cycle_id, employee, own, 1, True, clock
        )
        theirs = f.manager_content(competency_ratings=memory_org.ratings([3, 3, 3, 3, 3]))
        review_svc.save_manager_assessment(
            UnitOfWork(table), f.principal(table, "E3"), cycle_id, employee, theirs, 2, True, clock
        )
        base = form_of(f.discussion_content(employee))
        wanted = submit_through_pages(app, cycle_id, "E3", "discussion", base, employee_id=employee)
        view = stored(table, cycle_id, employee)
        assert view.state == "discussed"
        owners = {a["owner_id"] for a in view.discussion["agreed_actions"]}
        assert owners == wanted["agreed_actions.*.owner_id"] and len(owners) > 2  # everyone the form offers

        client, auth = signed_in(app, employee)
        page = client.get(f"/cycles/{cycle_id}/reviews/{employee}").get_data(as_text=True)
        offered_answers = offered(page)["agreement"]
        answers |= set(offered_answers)
        agreement = offered_answers[n % len(offered_answers)]
        version = re.search(r'name="version" value="(\d+)"', page[page.index('id="acknowledge"') :]).group(1)
        data = {"csrf_token": auth.csrf, "version": version, "agreement": agreement, "response": "Read it."}
        done = client.post(f"/cycles/{cycle_id}/reviews/{employee}/acknowledge", data=data)
        assert done.status_code == 302, done.get_data(as_text=True)[:2000]
        view = stored(table, cycle_id, employee)
        assert view.state == "acknowledged" and view.acknowledgement["agreement"] == agreement
    assert answers == {c.value for c in Agreement}


# --- every code the API's enums list, through the JSON API --------------------------------------------------


def api_enum(app, schema: str, prop: str) -> list[str]:
    spec = app.test_client().get("/api/openapi.json").get_json()
    return spec["components"]["schemas"][schema]["properties"][prop]["enum"]


def api_enum_suggestions(app) -> list[str]:
    spec = app.test_client().get("/api/openapi.json").get_json()
    prop = spec["components"]["schemas"]["ManagerContent"]["properties"]["need_suggestions"]
    return [v for v in prop["additionalProperties"]["enum"] if v]


def put(client, auth, url: str, body: dict[str, Any], version: int):
    return client.put(url, json=body, headers=auth.headers() | {"If-Match": f'"{version}"'})


def test_every_code_of_the_api_goes_through_a_self_and_a_manager_submission(app, table, cycle_id):
    formats, priorities = api_enum(app, "TrainingNeed", "format"), api_enum(app, "TrainingNeed", "priority")
    kinds = api_enum(app, "Learning", "kind")
    categories, statuses = api_enum(app, "Obstacle", "category"), api_enum(app, "Obstacle", "status")
    needs = [
        {"topic": f"Topic {i}", "priority": priorities[i % len(priorities)], "format": fmt}
        for i, fmt in enumerate(formats)
    ]
    learning = [{"activity": f"Activity {i}", "kind": kind} for i, kind in enumerate(kinds)]
    points = list(range(1, len(memory_org.SCALE) + 1))
    url = f"/api/cycles/{cycle_id}/reviews/E5"

    employee, e_auth = signed_in(app, "E5")
    body = {
        "content": f.self_content(
            competency_ratings=memory_org.ratings(points),
            goal_results=[{"title": f"Goal {p}", "result": "Done", "rating": p} for p in points],
            training_needs=needs,
            learning=learning,
        ),
        "submit": True,
    }
    resp = put(employee, e_auth, url + "/self", body, 1)
    assert resp.status_code == 200, resp.get_json()
    version = resp.get_json()["version"]

    manager, m_auth = signed_in(app, "E3")
    obstacles = [
        {
            "description": f"Obstacle {i}",
            "remediation": "Remedy",
            "owner_id": "E3",
            "due": "2026-05-01",
            "category": cat,
            "status": statuses[i % len(statuses)],
        }
        for i, cat in enumerate(categories)
    ]
    suggestions = api_enum_suggestions(app)
    content = f.manager_content(
        competency_ratings=memory_org.ratings(points),
        goal_ratings=[{"title": f"Goal {p}", "rating": p, "comment": ""} for p in points],
        obstacles=obstacles,
        training_needs=needs,
        need_suggestions={"c1": suggestions[0], "c2": suggestions[1]},
    )
    resp = put(manager, m_auth, url + "/manager", {"content": content, "submit": True}, version)
    assert resp.status_code == 200, resp.get_json()

    view = stored(table, cycle_id, "E5")
    assert view.state == "manager_submitted"
    assert [n["format"] for n in view.self_assessment["training_needs"]] == formats
    assert [r["kind"] for r in view.self_assessment["learning"]] == kinds
    assert [o["category"] for o in view.manager_assessment["obstacles"]] == categories
    assert {o["status"] for o in view.manager_assessment["obstacles"]} == set(statuses)
    stored_needs = UnitOfWork(table).training.of_person("E5", cycle_id)
    assert {n.format.value for n in stored_needs} == set(formats)
    assert {n.priority.value for n in stored_needs} == set(priorities)


# --- drafts an earlier version stored: still understood, or a clear 4xx; never a failure later ---------------


def store_draft(table, clock, cycle_id: str, employee_id: str, section: str, content: dict[str, Any]) -> int:
    """Write a review's draft as an earlier version did, without today's checks; returns the new version."""
    uow = UnitOfWork(table)
    review = uow.reviews.get(cycle_id, employee_id)
    action = {"self_assessment": "save_self", "manager_assessment": "save_manager"}[section]
    with uow:
        saved = uow.reviews.save(
            replace(review, **{section: content}), new=False, actor="E2", action=action, at=clock.now().isoformat()
        )
        uow.commit()
    return saved.version


def reads_all_answer(app, cycle_id: str, employee_id: str, part: str, form: bool = True) -> None:
    """The review page, its form (while a draft), the JSON read and the training report (page, CSV, JSON) all
    answer 200."""
    for who, urls in (
        (employee_id if part == "self" else "E3", [f"/cycles/{cycle_id}/reviews/{employee_id}/{part}"] * form),
        (
            "E2",
            [
                f"/cycles/{cycle_id}/reviews/{employee_id}",
                f"/api/cycles/{cycle_id}/reviews/{employee_id}",
                f"/reports/training?cycle={cycle_id}",
                f"/reports/training.csv?cycle={cycle_id}",
                f"/api/cycles/{cycle_id}/training-report",
                f"/api/people/{employee_id}/training-needs",
            ],
        ),
    ):
        client, auth = signed_in(app, who)
        for url in urls:
            resp = client.get(url, headers=auth.headers())
            assert resp.status_code == 200, (url, resp.status_code, resp.get_data(as_text=True)[:500])


def confirm(app, cycle_id: str, who: str, part: str, version: int):
    client, auth = signed_in(app, who)
    url = f"/cycles/{cycle_id}/reviews/E4/{part}"
    return client.post(url, data={"csrf_token": auth.csrf, "version": str(version), "action": "confirm"})


LEGACY_SELF = f.self_content(
    competency_ratings=memory_org.ratings([3, 3, 3, 3, 3]),
    training_needs=[
        {"topic": "Leadership", "priority": "high", "format": "coaching"},
        {"topic": "Accounting", "priority": "low", "format": "degree_programme", "estimated_cost": 900},
    ],
    learning=[{"activity": "Read a book", "kind": "self_study"}, {"activity": "Meetups", "kind": "other"}],
)


def test_a_stored_draft_with_a_format_the_forms_offered_is_submitted_and_reported(app, table, clock, cycle_id):
    version = store_draft(table, clock, cycle_id, "E4", "self_assessment", LEGACY_SELF)
    reads_all_answer(app, cycle_id, "E4", "self")
    done = confirm(app, cycle_id, "E4", "self", version)
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert stored(table, cycle_id, "E4").state == "self_submitted"
    needs = UnitOfWork(table).training.of_person("E4", cycle_id)
    assert sorted(n.format.value for n in needs) == ["coaching", "degree_programme"]
    reads_all_answer(app, cycle_id, "E4", "self", form=False)


@pytest.mark.parametrize(
    ("row", "field", "label"),
    [
        ({"format": "webinar"}, "training_needs.0.format", "Suggested format"),
        ({"priority": "urgent"}, "training_needs.0.priority", "Priority"),
        ({"estimated_cost": "about 300"}, "training_needs.0.estimated_cost", "Estimated cost"),
    ],
)
def test_a_stored_self_draft_with_an_unknown_code_is_refused_on_submit_naming_the_field(
    app, table, clock, cycle_id, row, field, label
):
    content = {**LEGACY_SELF, "training_needs": [{"topic": "Leadership", **row}]}
    version = store_draft(table, clock, cycle_id, "E4", "self_assessment", content)
    reads_all_answer(app, cycle_id, "E4", "self")
    if "estimated_cost" not in row:  # the form shows the old code as it is, not silently the first option
        client, _ = signed_in(app, "E4")
        form = client.get(f"/cycles/{cycle_id}/reviews/E4/self").get_data(as_text=True)
        assert f'<option value="{next(iter(row.values()))}" selected>' in form
    before = table.all_items()
    resp = confirm(app, cycle_id, "E4", "self", version)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f'href="#{forms.field_id(field)}"' in page and label in page
    assert table.all_items() == before


def test_a_stored_rating_off_the_scale_or_as_text_is_refused_on_submit(app, table, clock, cycle_id):
    ratings = memory_org.ratings([3, 3, 3, 3, 3])
    ratings["c1"]["rating"], ratings["c2"]["rating"] = "3", 7
    content = {**LEGACY_SELF, "competency_ratings": ratings}
    version = store_draft(table, clock, cycle_id, "E4", "self_assessment", content)
    reads_all_answer(app, cycle_id, "E4", "self")
    before = table.all_items()
    page = confirm(app, cycle_id, "E4", "self", version).get_data(as_text=True)
    for field in ("competency_ratings.c1.rating", "competency_ratings.c2.rating"):
        assert f'href="#{forms.field_id(field)}"' in page
    assert table.all_items() == before


def test_a_stored_manager_draft_with_unknown_codes_is_refused_on_submit_and_every_read_answers(
    app, table, clock, cycle_id
):
    own = f.self_content(competency_ratings=memory_org.ratings([3, 3, 3, 3, 3]))
    review_svc.save_self_assessment(UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", own, 1, True, clock)
    obstacle = {"description": "Old laptops", "remediation": "Replace", "owner_id": "E3"}
    content = f.manager_content(
        competency_ratings=memory_org.ratings([3, 3, 3, 3, 3]),
        obstacles=[{**obstacle, "due": "soon", "status": "blocked", "category": "culture"}],
        training_needs=[{"topic": "Budgeting", "priority": "urgent", "format": "coaching"}],
    )
    version = store_draft(table, clock, cycle_id, "E4", "manager_assessment", content)
    reads_all_answer(app, cycle_id, "E4", "manager")
    before = table.all_items()
    resp = confirm(app, cycle_id, "E3", "manager", version)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for field in ("obstacles.0.due", "obstacles.0.status", "obstacles.0.category", "training_needs.0.priority"):
        assert f'href="#{forms.field_id(field)}"' in page, field
    assert table.all_items() == before


def test_a_stored_need_with_a_format_no_longer_known_still_reads_and_reports(app, table, clock, cycle_id):
    version = store_draft(table, clock, cycle_id, "E4", "self_assessment", LEGACY_SELF)
    assert confirm(app, cycle_id, "E4", "self", version).status_code == 302
    # An earlier version's need item (and its copy in the person's contribution) with a code nobody knows now.
    items = []
    for item in table.all_items():
        if item["pk"].startswith("NEED#") and item.get("format") == "coaching":
            items.append({**item, "format": "webinar", "priority": "urgent"})
        elif item["pk"].startswith("TRAINAGG#") and item["sk"] == "PERSON#E4":
            data = item["data"]
            needs = [{**n, "format": "webinar"} if n["format"] == "coaching" else n for n in data["needs"]]
            items.append({**item, "data": {**data, "needs": needs}})
    assert len(items) == 2
    table.load(items)
    reads_all_answer(app, cycle_id, "E4", "self", form=False)
    client, auth = signed_in(app, "E2")
    needs = client.get("/api/people/E4/training-needs", headers=auth.headers()).get_json()
    assert sorted(n["format"] for n in needs["needs"]) == ["degree_programme", "other"]
    # HR returns the review and the employee submits again: the stored needs are read back and replaced.
    review_svc.return_review(
        UnitOfWork(table), f.principal(table, "E2"), cycle_id, "E4", "not_started", "Redo", version + 1, clock
    )
    again = f.self_content(competency_ratings=memory_org.ratings([3, 3, 3, 3, 3]))
    view = review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", again, version + 2, True, clock
    )
    assert view.state == "self_submitted"


def test_pdfs_of_a_review_and_a_report_holding_old_codes_and_dates_are_made(app, table, clock, cycle_id):
    version = store_draft(table, clock, cycle_id, "E4", "self_assessment", LEGACY_SELF)
    assert confirm(app, cycle_id, "E4", "self", version).status_code == 302
    own = f.manager_content(
        competency_ratings=memory_org.ratings([3, 3, 3, 3, 3]),
        obstacles=[{"description": "Old laptops", "remediation": "Replace", "owner_id": "E3", "due": "2026-05-01"}],
    )
    review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", own, version + 1, False, clock
    )
    # What an earlier version let through into a stored draft: codes and dates nobody knows.
    old = {**own, "obstacles": [{**own["obstacles"][0], "due": "soon", "category": "culture", "status": "blocked"}]}
    store_draft(table, clock, cycle_id, "E4", "manager_assessment", old)
    client, _ = signed_in(app, "E2")
    for url in (f"/cycles/{cycle_id}/reviews/E4/summary.pdf", f"/reports/training.pdf?cycle={cycle_id}"):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.data.startswith(b"%PDF"), (url, resp.status_code)


def test_the_training_report_counts_every_format_of_a_shown_topic(app, table, clock, cycle_id):
    # Five people name the same topic, each with a format only the forms knew before: the topic is shown.
    for n, person in enumerate(("E1", "E2", "E4", "E5", "E6")):
        content = f.self_content(
            competency_ratings=memory_org.ratings([3, 3, 3, 3, 3]),
            training_needs=[{"topic": "Leadership", "priority": "high", "format": "coaching"}],
        )
        review_svc.save_self_assessment(
            UnitOfWork(table), f.principal(table, person), cycle_id, person, content, 1, True, clock
        )
    client, auth = signed_in(app, "E2")
    report = client.get(f"/api/cycles/{cycle_id}/training-report", headers=auth.headers()).get_json()
    row = next(t for t in report["topics"] if t["topic"] == "Leadership")
    assert row["people"] == 5 and row["formats"] == {"coaching": 5}
    assert "Coaching 5" in client.get(f"/reports/training.csv?cycle={cycle_id}").get_data(as_text=True)
