"""Forms found answering 500 by submitting what the pages offer (a crawl of the demo as each role, submitting every
option of every form): each test sends the form as the page renders it and reads the stored state and the page."""

from __future__ import annotations

import re

from service.adapters.unit_of_work import UnitOfWork
from tests import factories as f
from tests.api.test_process_feedback_api import app, signed_in, table  # noqa: F401 - the fixtures and sign-in


def test_hr_adds_and_merges_topics_on_the_topics_page(app, table):  # noqa: F811 - the imported fixtures
    hr, auth = signed_in(app, "E2")
    for name in ("Public speaking", "Presenting"):
        added = hr.post("/reports/training/topics", data={"csrf_token": auth.csrf, "name": name, "synonyms": ""})
        assert added.status_code == 302, added.status_code
    page = hr.get(added.location).get_data(as_text=True)
    assert "“Presenting” is in the catalogue." in page
    ids = {t.name: t.topic_id for t in UnitOfWork(table).training.topics()}
    form = {"csrf_token": auth.csrf, "source_id": ids["Presenting"], "target_id": ids["Public speaking"]}
    merged = hr.post("/reports/training/topics/merge", data=form)
    assert merged.status_code == 302, merged.status_code
    assert "Merged into “Public speaking”." in hr.get(merged.location).get_data(as_text=True)
    merged_into = {t.name: t.merged_into for t in UnitOfWork(table).training.topics()}
    assert merged_into == {"Presenting": ids["Public speaking"], "Public speaking": None}


def test_a_manager_is_offered_no_one_of_their_own_people_as_acting_manager(app, table):  # noqa: F811
    """Every person the form offers can be named: Alan's reports (and himself) would be refused, so are not offered."""
    alan, _ = signed_in(app, "E3")
    page = alan.get("/delegations").get_data(as_text=True)
    form = page[page.index('name="acting_id"') :]
    offered = set(re.findall(r'<option value="(E\d+)"', form[: form.index("</select>")]))
    assert offered == {"E1", "E2", "E6"}


def test_someone_already_asked_for_a_contribution_is_not_offered_again(app, table, clock):  # noqa: F811
    """Asking the same person twice is refused, so the form offers only people not asked yet."""
    cycle = f.launched_cycle(table, clock)
    alan, auth = signed_in(app, "E3")
    url = f"/cycles/{cycle.cycle_id}/reviews/E4/contributions"

    def offered() -> set[str]:
        page = alan.get(url).get_data(as_text=True)
        form = page[page.index('name="contributor_id"') :]
        return set(re.findall(r'<option value="(E\d+)"', form[: form.index("</select>")]))

    assert "E5" in offered()
    asked = alan.post(url, data={"csrf_token": auth.csrf, "contributor_id": "E5", "question": "The migration?"})
    assert asked.status_code == 302, asked.status_code
    assert "E5" not in offered() and "E6" in offered()


def test_every_learning_page_links_hr_to_the_learning_report(app, table):  # noqa: F811
    """The learning tabs are the same on each page: HR finds the learning report from the interview planner too."""
    hr, _ = signed_in(app, "E2")
    for path in ("/learning", "/learning/plan", "/learning/interviews", "/learning/insights", "/learning/record"):
        page = hr.get(path).get_data(as_text=True)
        assert 'href="/learning/report">Learning report</a>' in page, path
