"""Goal pages without a browser: add and align a goal, update progress, give a goal to the team,
organisation goals, the alignment report, and the refusals."""

from __future__ import annotations

import re

from service.adapters.unit_of_work import UnitOfWork
from service.services import goals as goal_svc
from tests import factories as f


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def test_employee_adds_a_goal_aligned_through_the_picker(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    org = goal_svc.create_goal(
        UnitOfWork(seeded), f.principal(seeded, "E1"), {"level": "organisation", "title": "Grow"}, clock
    )
    team = goal_svc.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E3"),
        {"level": "team", "title": "Ship it", "cycle_id": cycle.cycle_id, "parent_id": org.goal_id},
        clock,
    )
    auth.login("E4")
    page = client.get("/goals")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Your manager&#39;s team goals" in html
    assert "Ship it (under Grow)" in html  # the picker shows the chain up to the organisation goal
    resp = client.post(
        "/goals",
        data={
            "csrf_token": csrf(page.data),
            "cycle_id": cycle.cycle_id,
            "level": "individual",
            "title": "Faster CI",
            "weight": "100",
            "status": "on_track",
            "parent_id": team.goal_id,
            "kr.0.title": "Build minutes",
            "kr.0.start": "30",
            "kr.0.target": "10",
            "kr.0.current": "20",
        },
    )
    assert resp.status_code == 302
    mine = goal_svc.person_goals(UnitOfWork(seeded), "E4", cycle.cycle_id)
    assert [(g.title, g.progress, g.parent_id) for g in mine] == [("Faster CI", 50.0, team.goal_id)]
    listing = client.get("/goals").get_data(as_text=True)
    assert "Faster CI" in listing and "↑ Ship it" in listing and "↑ Grow" in listing
    assert "Weights add up to <strong>100</strong>" in listing


def test_a_bad_goal_is_redisplayed_with_messages_and_nothing_stored(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    page = client.get("/goals")
    resp = client.post(
        "/goals",
        data={
            "csrf_token": csrf(page.data),
            "cycle_id": cycle.cycle_id,
            "level": "individual",
            "title": "",
            "weight": "300",
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'class="error-summary' in html and 'href="#f-weight"' in html
    assert goal_svc.person_goals(UnitOfWork(seeded), "E4", cycle.cycle_id) == []


def test_progress_update_and_stale_edit_keep_what_was_typed(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    goal = goal_svc.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E4"),
        {
            "level": "individual",
            "title": "Docs",
            "weight": 100,
            "cycle_id": cycle.cycle_id,
            "key_results": [{"id": "k", "title": "Pages", "start": 0, "target": 10, "current": 0, "unit": ""}],
        },
        clock,
    )
    auth.login("E4")
    page = client.get(f"/goals/{goal.goal_id}")
    token = csrf(page.data)
    form = {
        "csrf_token": token,
        "version": "1",
        "title": "Docs",
        "weight": "100",
        "status": "on_track",
        "kr.0.id": "k",
        "kr.0.title": "Pages",
        "kr.0.start": "0",
        "kr.0.target": "10",
        "kr.0.current": "4",
    }
    assert client.post(f"/goals/{goal.goal_id}", data=form).status_code == 302
    assert goal_svc.get_goal(UnitOfWork(seeded), None, goal.goal_id).progress == 40
    stale = client.post(f"/goals/{goal.goal_id}", data={**form, "kr.0.current": "9"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Someone else changed this goal" in html and 'value="9"' in html
    assert goal_svc.get_goal(UnitOfWork(seeded), None, goal.goal_id).progress == 40


def test_manager_chooses_who_gets_a_team_goal_and_confirms_first(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    team = goal_svc.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E3"),
        {"level": "team", "title": "Reliability", "cycle_id": cycle.cycle_id},
        clock,
    )
    auth.login("E3")
    assert "Give to the team…" in client.get("/goals").get_data(as_text=True)
    page = client.get(f"/goals/{team.goal_id}/assign")
    html = page.get_data(as_text=True)
    assert 'name="people" value="E4" checked' in html and 'name="people" value="E5" checked' in html
    token = csrf(page.data)
    path = f"/goals/{team.goal_id}/assign"
    nobody = client.post(path, data={"csrf_token": token, "weight": "30", "step": "choose"})
    assert nobody.status_code == 422 and "Choose at least one person" in nobody.get_data(as_text=True)
    confirm = client.post(path, data={"csrf_token": token, "weight": "30", "step": "choose", "people": ["E5"]})
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Please confirm" in text and "Edsger Dijkstra" in text
    assert "Katherine Johnson" not in text[text.index("Please confirm") :]
    assert goal_svc.children(UnitOfWork(seeded), team.goal_id) == []  # nothing given before confirming
    back = client.post(path, data={"csrf_token": token, "weight": "30", "step": "edit", "people": ["E5"]})
    again = back.get_data(as_text=True)
    assert 'name="people" value="E5" checked' in again and 'value="E4" checked' not in again
    assert goal_svc.children(UnitOfWork(seeded), team.goal_id) == []
    done = client.post(path, data={"csrf_token": token, "weight": "30", "step": "confirm", "people": ["E5"]})
    assert done.status_code == 302
    kids = goal_svc.children(UnitOfWork(seeded), team.goal_id)
    assert [(k.owner_id, k.weight) for k in kids] == [("E5", 30)]
    assert "“Reliability” given to 1 person." in client.get("/goals").get_data(as_text=True)


def test_a_team_goal_goes_only_to_direct_reports(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    team = goal_svc.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E3"),
        {"level": "team", "title": "Reliability", "cycle_id": cycle.cycle_id},
        clock,
    )
    auth.login("E3")
    page = client.get(f"/goals/{team.goal_id}/assign")
    data = {"csrf_token": csrf(page.data), "weight": "30", "step": "confirm", "people": ["E6"]}
    client.post(f"/goals/{team.goal_id}/assign", data=data)
    assert goal_svc.children(UnitOfWork(seeded), team.goal_id) == []


def test_a_manager_sees_reports_goals_at_risk_against_expected_progress(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    for who, title, status in (("E4", "Faster CI", "at_risk"), ("E5", "Docs", "on_track")):
        goal_svc.create_goal(
            UnitOfWork(seeded),
            f.principal(seeded, who),
            {"level": "individual", "title": title, "weight": 100, "cycle_id": cycle.cycle_id, "status": status},
            clock,
        )
    auth.login("E3")
    html = client.get("/goals").get_data(as_text=True)
    section = html[html.index('id="reports-goals"') :]
    assert "1 goal at risk, off track or behind." in section
    assert section.index("Katherine Johnson") < section.index("Edsger Dijkstra")  # at risk first
    assert "Faster CI" in section and "Docs" in section
    # "On track" always says against what: the share of the goal's own period gone by today
    assert re.search(r"On track</span>.*?\d+% of its time gone \(\d+ \w+ 2026 – \d+ \w+ 2026\), on pace", section, re.S)


def test_a_goal_page_explains_its_progress_and_a_change_of_it(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    goal = goal_svc.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E4"),
        {
            "level": "individual",
            "title": "Faster CI",
            "weight": 100,
            "cycle_id": cycle.cycle_id,
            "key_results": [{"id": "kr1", "title": "Build minutes", "start": 30, "target": 10, "current": 20}],
        },
        clock,
    )
    auth.login("E4")
    page = client.get(f"/goals/{goal.goal_id}")
    html = page.get_data(as_text=True)
    assert "50% is the average of its 1 key result" in html
    assert "Build minutes</strong>: 20 now, target 10 or less, from 30: 50% of the way" in html
    assert html.index('id="h-about"') < html.index('id="h-update"')
    client.post(
        f"/goals/{goal.goal_id}",
        data={
            "csrf_token": csrf(page.data),
            "version": str(goal.version),
            "title": "Faster CI",
            "kr.0.id": "kr1",
            "kr.0.title": "Build minutes",
            "kr.0.start": "30",
            "kr.0.target": "10",
            "kr.0.current": "25",
        },
    )
    after = client.get(f"/goals/{goal.goal_id}").get_data(as_text=True)
    assert "Progress went from 50% to 25%: it is the average of the key results." in after
    assert "<strong>25%</strong>" in after[after.index('id="h-history"') :]


def test_an_organisation_goal_shows_its_content_before_the_edit_form(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    org = goal_svc.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E1"),
        {"level": "organisation", "title": "Grow", "description": "Double the customers"},
        clock,
    )
    auth.login("E1")
    html = client.get(f"/goals/{org.goal_id}?cycle={cycle.cycle_id}").get_data(as_text=True)
    assert html.index("Double the customers") < html.index('id="h-update"')


def test_leadership_lands_on_their_reports_and_sees_the_reports_menu(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    org = goal_svc.create_goal(
        UnitOfWork(seeded), f.principal(seeded, "E1"), {"level": "organisation", "title": "Grow"}, clock
    )
    goal_svc.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E4"),
        {
            "level": "individual",
            "title": "Mine",
            "weight": 100,
            "cycle_id": cycle.cycle_id,
            "parent_id": org.goal_id,
        },
        clock,
    )
    auth.login("E1")
    html = client.get("/").get_data(as_text=True)
    reports = html[html.index('id="h-leading"') : html.index('id="h-tasks"')]
    assert cycle.name in reports and "Grow" in reports and "1 aligned goal, 1 person" in reports
    assert "6 reviews" in reports and "0 finalised" in reports
    from service.services import policy

    assert policy.may_see_reports(f.principal(seeded, "E1")) and not policy.may_see_reports(f.principal(seeded, "E4"))


def test_the_alignment_report_names_people(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    goal_svc.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E4"),
        {"level": "individual", "title": "Loose", "weight": 100, "cycle_id": cycle.cycle_id, "status": "off_track"},
        clock,
    )
    auth.login("E1")
    html = client.get("/goals/alignment").get_data(as_text=True)
    assert "Katherine Johnson" in html and ">E4<" not in html and "· E4 ·" not in html


def test_leadership_adds_organisation_goals_and_reads_the_report(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E1")
    page = client.get("/goals/organisation")
    assert "Add an organisation goal" in page.get_data(as_text=True)
    resp = client.post(
        f"/goals/organisation?cycle={cycle.cycle_id}",
        data={
            "csrf_token": csrf(page.data),
            "title": "Be the reference",
            "scope": "across",
            "cycle_id": cycle.cycle_id,
        },
    )
    assert resp.status_code == 302
    org = goal_svc.organisation_goals(UnitOfWork(seeded), cycle.cycle_id)
    assert [g.title for g in org] == ["Be the reference"] and org[0].cycle_id is None
    goal_svc.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E4"),
        {
            "level": "individual",
            "title": "Mine",
            "weight": 100,
            "cycle_id": cycle.cycle_id,
            "parent_id": org[0].goal_id,
        },
        clock,
    )
    report = client.get("/goals/alignment").get_data(as_text=True)
    assert "Be the reference" in report and "Engineering" in report and "Share of individual goals" in report


def test_employees_cannot_add_organisation_goals_or_read_the_report(auth, client, seeded, clock):
    f.launched_cycle(seeded, clock)
    auth.login("E4")
    page = client.get("/goals/organisation")
    assert "Add an organisation goal" not in page.get_data(as_text=True)
    assert client.get("/goals/alignment").status_code == 403
    resp = client.post("/goals/organisation", data={"csrf_token": csrf(page.data), "title": "Mine"})
    assert resp.status_code == 403


def test_goal_pages_need_csrf(auth, client, seeded, clock):
    f.launched_cycle(seeded, clock)
    auth.login("E4")
    assert client.post("/goals", data={"title": "x"}).status_code == 403


def test_the_team_page_says_who_does_the_next_task(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E3")
    html = client.get(f"/cycles/{cycle.cycle_id}/team").get_data(as_text=True)
    assert "Katherine writes their self assessment" in html and "Write your self assessment" not in html
