"""The authorization matrix: every route × every kind of caller × their own object and someone else's.

The organisation (ORG below): L1 leads (leadership); H1 is HR; D1 directs M1 and M2; M1 manages S1 (the
subject) and P1 (S1's peer); M2 manages O1. Everyone has a review in one launched cycle (manager assessment
submitted, so each has an action), and an individual goal. Issue 27: H1 promoted S1 (communicated) and M1
recorded an improvement plan for P1 that goes against the record (waiting for a second HR approval). Issue 23: a
second, calibrating cycle over S1, P1 and O1, with S1's and P1's manager assessments in calibration and a session
H1 opened over them (participants M1 and L1).

Caller kinds (the columns, in this order) and who plays them, with "own" and "other" objects:

    employee      S1   own: S1's          other: P1's (a peer's)
    manager       M1   own: M1's          other: S1's (their report's)
    other_mgr     M2   own: M2's          other: S1's (not their report)
    skip_level    D1   own: D1's          other: S1's (their report's report)
    peer          P1   own: P1's          other: S1's (P1 is asked for peer feedback on S1)
    hr            H1   own: H1's          other: S1's
    leadership    L1   own: L1's          other: S1's
    signed_out    -    S1's

Each row of ROUTES is one route (its Flask rule and method) and a line of 8 cells; a cell is "own/other"
(or one value for both; signed_out has one). Values: `ok` (authorization let it through: any answer but
401/403/404, so a 409 or 422 for a write the caller may make counts as ok), `404` (denied, answered exactly
like a missing object), `403` (the caller may see the object but not do this), `401` (nobody signed in),
`login` (a page sends a signed-out browser to the sign-in).

Adding a route: add a row `"METHOD /rule/<with_placeholders>": "cells..."`; placeholders are filled from
the object's owner (`employee_id`, `goal_id`, `action_id`, `name` = department, `decision_id`: S1's decision is
about S1, anyone else's is P1's, which M1 recorded) and the cycle/template; the calibration, ratings and
process-feedback routes (SECOND_CYCLE) name the calibrating cycle (S1, P1, O1) and its one session over M1's team.
Give a write a body in BODIES if the empty one does not reach the authorization check. A route without a
row fails `test_every_route_has_its_row`; `AUTHZ_DISCOVER=1 pytest ... -k discover -s` prints the
observed line of every route to start from (then check each cell against the policy before pasting it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from tests import factories as f

ORG = """employee_id,name,email,title,department,manager_id,roles
L1,Lena Lead,l1@example.com,Chief Executive,Leadership,,leadership
H1,Hana Hale,h1@example.com,People Partner,People,L1,hr
D1,Dora Dean,d1@example.com,Director,Engineering,L1,
M1,Max Moor,m1@example.com,Engineering Manager,Engineering,D1,
M2,Mia Moss,m2@example.com,Engineering Manager,Engineering,D1,
S1,Sam Stone,s1@example.com,Engineer,Engineering,M1,
P1,Pat Pike,p1@example.com,Engineer,Engineering,M1,
O1,Oli Oak,o1@example.com,Engineer,Engineering,M2,
"""
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MEETING_DAY = "2026-03-02"  # issue 28: the one-to-one meeting each pair held
_RHYTHM = {"rhythm": "weekly", "first_date": "2026-03-09", "time": "10:00", "minutes": 30}
KINDS = ("employee", "manager", "other_mgr", "skip_level", "peer", "hr", "leadership", "signed_out")
CALLERS = {
    "employee": ("S1", "P1"),
    "manager": ("M1", "S1"),
    "other_mgr": ("M2", "S1"),
    "skip_level": ("D1", "S1"),
    "peer": ("P1", "S1"),
    "hr": ("H1", "S1"),
    "leadership": ("L1", "S1"),
    "signed_out": (None, "S1"),
}
MANAGERS = {"S1": "M1", "P1": "M1", "O1": "M2", "M1": "D1", "M2": "D1", "D1": "L1", "H1": "L1"}

# employee  manager  other_mgr  skip_level  peer  hr  leadership  signed_out
# fmt: off
# ruff: noqa: E501 - one row per route reads best on one line
ROUTES: dict[str, str] = {
    "DELETE /api/cycles/<cycle_id>": "403 403 403 403 403 ok 403 401",
    # issue 28: acting managers. The seeded one: M1 names M2 for April (not yet active, so no other row changes);
    # every owner's placeholder is that one. Its manager, its acting manager and HR see it; M1 or HR revoke it.
    # Anyone with a team (or HR) names one for themselves: S1 and P1 manage nobody.
    "GET /api/delegations": "ok ok ok ok ok ok ok 401",
    "GET /delegations": "ok ok ok ok ok ok ok login",
    "POST /api/delegations": "403 ok ok ok 403 ok ok 401",
    "POST /delegations": "403 ok ok ok 403 ok ok 401",
    "GET /api/delegations/<delegation_id>": "404 ok ok 404 404 ok 404 401",
    "POST /api/delegations/<delegation_id>/revoke": "404 ok 403 404 404 ok 404 401",
    "POST /delegations/<delegation_id>/revoke": "404 ok 403 404 404 ok 404 401",
    # issue 28: contributions. M1 asked P1 about S1 (seeded): the manager asks and reads, HR sees who was asked (the
    # review's other readers above the manager are refused the asking, 403); only the contributor writes it.
    "GET /api/cycles/<cycle_id>/reviews/<employee_id>/contributions": "404 404/ok 404 404 404 404/ok 404 401",
    "GET /cycles/<cycle_id>/reviews/<employee_id>/contributions": "404 404/ok 404 404 404 404/ok 404 login",
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/contributions": "404 404/ok 404 404/403 404 404/403 404/403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/contributions": "404 404/ok 404 404/403 404 404/403 404/403 401",
    "GET /api/contributions": "ok ok ok ok ok ok ok 401",
    "GET /contributions": "ok ok ok ok ok ok ok login",
    "PUT /api/contributions/<contribution_id>": "404 404 404 404 ok 404 404 401",
    "POST /contributions/<contribution_id>": "404 404 404 404 ok 404 404 401",
    # issue 28: a former manager's draft is settled by whoever writes the manager assessment (none waits here: 409)
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/manager/former-draft": "403/404 403/ok 403/404 403 403/404 403/ok 403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/former-draft": "403/404 403/ok 403/404 403 403/404 403/ok 403 401",
    # issue 23: calibration, on the calibrating cycle (S1, P1, O1). The session is over M1's team (S1, P1): HR (H1)
    # facilitates; M1 (their manager) and L1 (leadership above) take part and see its people, but only facilitators
    # adjust, close and reopen; anyone else (D1 too: a manager above, not leadership) finds no session (404).
    "GET /api/calibration-sessions/<session_id>": "404 ok 404 404 404 ok ok 401",
    "GET /api/calibration-sessions/<session_id>/report.pdf": "404 ok 404 404 404 ok ok 401",
    "GET /api/cycles/<cycle_id>/calibration-sessions": "ok ok ok ok ok ok ok 401",  # each sees their own sessions
    "GET /calibration/<session_id>": "404 ok 404 404 404 ok ok login",
    "GET /calibration/<session_id>/report.pdf": "404 ok 404 404 404 ok ok login",
    "GET /calibration/<session_id>.csv": "404 ok 404 404 404 ok ok login",
    "GET /api/cycles/<cycle_id>/rating-report": "403 403 403 403 403 ok ok 401",
    "GET /api/cycles/<cycle_id>/rating-report.pdf": "403 403 403 403 403 ok ok 401",
    "GET /cycles/<cycle_id>/ratings": "403 403 403 403 403 ok ok login",
    "GET /cycles/<cycle_id>/ratings.pdf": "403 403 403 403 403 ok ok login",
    "GET /cycles/<cycle_id>/ratings.csv": "403 403 403 403 403 ok ok login",
    "GET /calibration/<session_id>/people/<employee_id>": "404 404/ok 404 404 404 404/ok 404/ok login",  # S1 is in it
    "GET /cycles/<cycle_id>/calibration": "ok ok ok ok ok ok ok login",
    "POST /api/calibration-sessions/<session_id>/close": "404 403 404 404 404 ok 403 401",
    "POST /api/calibration-sessions/<session_id>/reopen": "404 403 404 404 404 ok 403 401",
    "POST /api/cycles/<cycle_id>/calibration-sessions": "403 403 403 403 403 ok 403 401",
    "POST /calibration/<session_id>/close": "404 403 404 404 404 ok 403 401",
    "POST /calibration/<session_id>/people/<employee_id>": "404 404/403 404 404 404 404/ok 404/403 401",
    "POST /calibration/<session_id>/reopen": "404 403 404 404 404 ok 403 401",
    "POST /cycles/<cycle_id>/calibration": "403 403 403 403 403 ok 403 401",
    "PUT /api/calibration-sessions/<session_id>/people/<employee_id>": "404 403 404 404 404 404/ok 403 401",
    # issue 27: decisions. HR, or a manager above the person, decides (never about oneself); a decision is read by
    # HR and its recorder, and by the person concerned once communicated (S1's: ok to S1; P1's waits for approval:
    # 404 to P1); a second HR person approves (not the recorder: H1 on S1's, M1 on P1's is 403); counts for
    # leadership and HR.
    "GET /api/decisions": "ok ok ok ok ok ok ok 401",  # each sees the lists they may
    "GET /api/decisions/<decision_id>": "ok/404 ok/404 404 404 404 ok 404 401",
    "GET /api/decisions/<decision_id>/trail": "404 404 404 404 404 ok 404 401",
    "GET /api/reports/decisions": "403 403 403 403 403 ok ok 401",
    "GET /decisions": "ok ok ok ok ok ok ok login",
    "GET /decisions/<decision_id>": "ok/404 ok/404 404 404 404 ok 404 login",
    "GET /decisions/new": "403 ok ok ok 403 ok ok login",
    "GET /reports/decisions": "403 403 403 403 403 ok ok login",
    "POST /api/decisions": "403 403/ok 403 403/ok 403 403/ok 403/ok 401",
    "POST /api/decisions/weigh": "403 403/ok 403 403/ok 403 403/ok 403/ok 401",
    "POST /decisions/new": "403 403/ok 403 403/ok 403 403/ok 403/ok 401",
    "POST /api/decisions/<decision_id>/approve": "404 403/404 404 404 404 ok/403 404 401",
    "POST /decisions/<decision_id>/approve": "404 403/404 404 404 404 ok/403 404 401",
    "POST /api/decisions/<decision_id>/communicate": "404 ok/404 404 404 404 ok 404 401",
    "POST /decisions/<decision_id>/communicate": "404 ok/404 404 404 404 ok 404 401",
    # issue 27: feedback on the process, on the calibrating cycle: its participants (S1, P1) answer, nobody else
    # has a review there (404); HR reads a template's answers.
    "GET /cycles/<cycle_id>/process-feedback": "ok 404 404 404 ok 404 404 login",
    "POST /api/cycles/<cycle_id>/process-feedback": "ok 404 404 404 ok 404 404 401",
    "POST /cycles/<cycle_id>/process-feedback": "ok 404 404 404 ok 404 404 401",
    "GET /api/templates/<template_id>/process-feedback": "403 403 403 403 403 ok 403 401",
    # issue 27: the diagnosis is leadership's and HR's; everyone reads the improvement plan; leadership and HR add to
    # it; they and an item's owner move it on and read its trail (S1 owns one item, M1 another; others are given S1's)
    "GET /api/cycles/<cycle_id>/diagnosis": "403 403 403 403 403 ok ok 401",
    "GET /reports/diagnosis": "403 403 403 403 403 ok ok login",
    "GET /api/improvement-plan": "ok ok ok ok ok ok ok 401",
    "GET /improvement-plan": "ok ok ok ok ok ok ok login",
    # leadership may add, but the matrix's cycle runs: its findings reach leadership when it closes (report_release)
    "POST /api/improvement-plan": "403 403 403 403 403 ok 404 401",
    "GET /improvement-plan/new": "403 403 403 403 403 ok 404 login",
    "POST /improvement-plan/new": "403 403 403 403 403 ok 404 401",
    "GET /api/improvement-plan/<item_id>": "ok ok ok ok ok ok ok 401",
    "GET /improvement-plan/<item_id>": "ok ok ok ok ok ok ok login",
    "GET /api/improvement-plan/<item_id>/trail": "ok ok/403 403 403 403 ok ok 401",
    "POST /api/improvement-plan/<item_id>/status": "ok ok/403 403 403 403 ok ok 401",
    "POST /improvement-plan/<item_id>/status": "ok ok/403 403 403 403 ok ok 401",
    "GET /hr/templates/<template_id>/process-feedback": "403 403 403 403 403 ok 403 login",
    # issue 28: notifications: everyone chooses their own; only HR connects and tests chat channels
    "GET /api/me/notifications": "ok ok ok ok ok ok ok 401",
    "PUT /api/me/notifications": "ok ok ok ok ok ok ok 401",
    "GET /me/notifications": "ok ok ok ok ok ok ok login",
    "GET /api/me/personal-data": "ok ok ok ok ok ok ok 401",
    "GET /me/personal-data": "ok ok ok ok ok ok ok login",
    "POST /me/notifications": "ok ok ok ok ok ok ok 401",
    "GET /api/notifications/channels": "403 403 403 403 403 ok 403 401",
    "PUT /api/notifications/channels/<channel>": "403 403 403 403 403 ok 403 401",
    "POST /api/notifications/channels/<channel>/test": "403 403 403 403 403 ok 403 401",
    "GET /hr/notifications": "403 403 403 403 403 ok 403 login",
    "POST /hr/notifications/<channel>": "403 403 403 403 403 ok 403 401",
    "POST /hr/notifications/<channel>/test": "403 403 403 403 403 ok 403 401",
    "DELETE /api/learning/activities/<activity_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "GET /": "ok ok ok ok ok ok ok login",
    "GET /api/actions": "ok ok ok ok ok ok ok 401",
    "GET /api/cycles": "ok ok ok ok ok ok ok 401",
    "GET /api/cycles/<cycle_id>": "ok ok ok ok ok ok ok 401",
    "GET /api/cycles/<cycle_id>/alignment": "403 ok ok ok 403 ok ok 401",
    "GET /api/cycles/<cycle_id>/audit": "403 403 403 403 403 ok 403 401",
    "GET /api/cycles/<cycle_id>/feedback/progress": "403 403 403 403 403 ok 403 401",
    "GET /api/cycles/<cycle_id>/feedback/settings": "ok ok ok ok ok ok ok 401",
    "GET /api/cycles/<cycle_id>/progress": "403 403 403 403 403 ok ok 401",
    "GET /api/cycles/<cycle_id>/reviews": "403 403 403 403 403 ok 403 401",
    "GET /api/cycles/<cycle_id>/reviews/<employee_id>": "ok/404 ok ok/404 ok ok/404 ok ok 401",
    "GET /api/cycles/<cycle_id>/reviews/<employee_id>/audit": "404 404 404 404 404 404/ok 404 401",
    "GET /api/cycles/<cycle_id>/reviews/<employee_id>/content-hash": "403/404 403 403/404 403 403/404 403/ok 403 401",
    "GET /api/cycles/<cycle_id>/reviews/<employee_id>/feedback": "ok/403 ok ok/403 ok ok/403 ok ok 401",  # the review's readers (skip-level too)
    "GET /api/cycles/<cycle_id>/reviews/<employee_id>/nominations": "ok/403 ok ok/403 ok/403 ok/403 ok ok/403 401",
    "GET /api/cycles/<cycle_id>/reviews/<employee_id>/summary.pdf": "ok/404 ok ok/404 ok ok/404 ok ok 401",
    "GET /api/cycles/<cycle_id>/team": "ok ok ok ok ok ok ok 401",
    "GET /api/cycles/<cycle_id>/training-report": "403 ok ok ok 403 ok ok 401",
    "GET /api/departments/<path:name>/people": "ok ok ok ok ok ok ok 401",
    "GET /api/exports": "403 403 403 403 403 ok 403 401",
    "GET /api/exports/<export_id>": "403 403 403 403 403 404 403 401",
    "GET /api/exports/<export_id>/link": "403 403 403 403 403 404 403 401",
    "GET /api/feedback/<cycle_id>/<subject_id>": "403/404 403/404 403/404 403/404 403/ok 403/404 403/404 401",
    "GET /api/feedback/requests": "ok ok ok ok ok ok ok 401",
    "GET /api/goals": "ok ok ok ok ok ok ok 401",
    "GET /api/goals/<goal_id>": "ok/404 ok ok/404 ok ok/404 ok ok 401",
    "GET /api/goals/<goal_id>/children": "ok/404 ok ok/404 ok ok/404 ok ok 401",
    "GET /api/learning/activities": "ok ok ok ok ok ok ok 401",
    "GET /api/learning/activities/<activity_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "GET /api/learning/contacts": "ok ok ok ok ok ok ok 401",
    "GET /api/learning/contacts/<contact_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "GET /api/learning/evidence": "ok ok ok ok ok ok ok 401",
    "GET /api/learning/insights": "ok ok ok ok ok ok ok 401",
    "GET /api/learning/people/<employee_id>/interview-summaries": "404 404/ok 404 404 404 404 404 401",
    "GET /api/learning/plan": "ok ok ok ok ok ok ok 401",  # issue 27: the learning plan (own; manager: shared)
    "GET /api/learning/plan/<item_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "GET /api/learning/questions": "ok ok ok ok ok ok ok 401",
    "GET /api/learning/record.pdf": "ok ok ok ok ok ok ok 401",
    "GET /api/learning/report": "403 403 403 403 403 ok ok 401",
    "GET /api/me": "ok ok ok ok ok ok ok 401",
    "GET /api/openapi.json": "ok ok ok ok ok ok ok ok",
    "GET /api/org/imports": "403 403 403 403 403 ok 403 401",
    "GET /api/people/<employee_id>": "ok ok ok ok ok ok ok 401",
    "GET /api/people/<employee_id>/chain": "ok ok ok ok ok ok ok 401",
    "GET /api/people/<employee_id>/goals": "ok ok ok ok ok ok ok 401",
    "GET /api/people/<employee_id>/history": "ok/404 ok ok/404 ok/404 ok/404 ok ok/404 401",
    "GET /api/people/<employee_id>/learning-plan": "404 404/ok 404 404 404 404 404 401",
    "GET /api/people/<employee_id>/notes": "ok/403 ok ok/403 ok/403 ok/403 ok/403 ok/403 401",
    "GET /api/people/<employee_id>/reports": "ok ok ok ok ok ok ok 401",
    "GET /api/people/<employee_id>/training-needs": "ok/404 ok ok/404 ok ok/404 ok ok 401",
    "GET /api/reports/cycle": "403 ok ok ok 403 ok ok 401",  # issue 25: the cycle a report opens on
    "GET /api/reports/training.pdf": "403 ok ok ok 403 ok ok 401",
    "GET /api/templates": "ok ok ok ok ok ok ok 401",
    "GET /api/templates/<template_id>": "ok ok ok ok ok ok ok 401",
    "GET /api/templates/<template_id>/versions/<int:version>": "ok ok ok ok ok ok ok 401",
    "GET /api/training-topics": "403 403 403 403 403 ok 403 401",
    "GET /cycles/<cycle_id>/feedback": "403 403 403 403 403 ok 403 login",
    "GET /cycles/<cycle_id>/reviews/<employee_id>": "ok/404 ok ok/404 ok ok/404 ok ok login",
    "GET /cycles/<cycle_id>/reviews/<employee_id>/audit": "404 404 404 404 404 404/ok 404 login",
    "GET /cycles/<cycle_id>/reviews/<employee_id>/discussion": "403/404 403/ok 403/404 403 403/404 403/ok 403 login",
    "GET /cycles/<cycle_id>/reviews/<employee_id>/feedback": "ok/403 ok ok/403 ok ok/403 ok ok login",  # the review's readers (skip-level too)
    "GET /cycles/<cycle_id>/reviews/<employee_id>/manager": "403/404 403/ok 403/404 403 403/404 403/ok 403 login",
    "GET /cycles/<cycle_id>/reviews/<employee_id>/nominations": "ok/403 ok ok/403 ok/403 ok/403 ok ok/403 login",
    "GET /cycles/<cycle_id>/reviews/<employee_id>/self": "ok/404 ok/403 ok/404 ok/403 ok/404 ok/403 ok/403 login",
    "GET /cycles/<cycle_id>/reviews/<employee_id>/summary.pdf": "ok/404 ok ok/404 ok ok/404 ok ok login",
    "GET /cycles/<cycle_id>/team": "ok ok ok ok ok ok ok login",
    "GET /feedback": "ok ok ok ok ok ok ok login",
    "GET /feedback/<cycle_id>/<subject_id>": "403/404 403/404 403/404 403/404 403/ok 403/404 403/404 login",
    "GET /goals": "ok ok ok ok ok ok ok login",
    "GET /goals/<goal_id>": "ok/404 ok ok/404 ok ok/404 ok ok login",
    "GET /goals/<goal_id>/assign": "ok/404 ok ok/404 ok ok/404 ok ok login",
    "GET /goals/alignment": "403 ok ok ok 403 ok ok login",
    "GET /goals/organisation": "ok ok ok ok ok ok ok login",
    "GET /favicon.ico": "ok ok ok ok ok ok ok ok",
    "GET /healthz": "ok ok ok ok ok ok ok ok",
    "GET /history": "ok ok ok ok ok ok ok login",
    # issue 28: scheduled reviews, HR's rules (the API and the pages)
    "GET /api/schedules": "403 403 403 403 403 ok 403 401",
    "POST /api/schedules": "403 403 403 403 403 ok 403 401",
    "GET /api/schedules/preview": "403 403 403 403 403 ok 403 401",
    "GET /api/schedules/<rule_id>": "403 403 403 403 403 ok 403 401",
    "PUT /api/schedules/<rule_id>": "403 403 403 403 403 ok 403 401",
    "POST /api/schedules/<rule_id>/pause": "403 403 403 403 403 ok 403 401",
    "POST /api/schedules/<rule_id>/resume": "403 403 403 403 403 ok 403 401",
    "POST /api/schedules/<rule_id>/archive": "403 403 403 403 403 ok 403 401",
    "POST /api/schedules/<rule_id>/restore": "403 403 403 403 403 ok 403 401",
    "GET /hr/schedules": "403 403 403 403 403 ok 403 login",
    "GET /hr/schedules/new": "403 403 403 403 403 ok 403 login",
    "POST /hr/schedules/new": "403 403 403 403 403 ok 403 401",
    "GET /hr/schedules/<rule_id>/edit": "403 403 403 403 403 ok 403 login",
    "POST /hr/schedules/<rule_id>/edit": "403 403 403 403 403 ok 403 401",
    "POST /hr/schedules/<rule_id>/pause": "403 403 403 403 403 ok 403 401",
    "POST /hr/schedules/<rule_id>/resume": "403 403 403 403 403 ok 403 401",
    "POST /hr/schedules/<rule_id>/archive": "403 403 403 403 403 ok 403 401",
    "POST /hr/schedules/<rule_id>/restore": "403 403 403 403 403 ok 403 401",
    "GET /hr/cycles": "403 403 403 403 403 ok 403 login",
    "GET /hr/cycles/<cycle_id>": "403 403 403 403 403 ok 403 login",
    "GET /hr/cycles/<cycle_id>/close": "403 403 403 403 403 ok 403 login",
    "GET /hr/cycles/<cycle_id>/delete": "403 403 403 403 403 ok 403 login",
    "GET /hr/cycles/<cycle_id>/edit": "403 403 403 403 403 ok 403 login",
    "GET /hr/cycles/<cycle_id>/launch": "403 403 403 403 403 ok 403 login",
    "GET /hr/cycles/<cycle_id>/overdue": "403 403 403 403 403 ok 403 login",
    "GET /hr/cycles/<cycle_id>/review": "403 403 403 403 403 ok 403 login",
    "GET /hr/cycles/<cycle_id>/to-finalise": "403 403 403 403 403 ok 403 login",
    "GET /hr/cycles/new": "403 403 403 403 403 ok 403 login",
    "GET /hr/exports": "403 403 403 403 403 ok 403 login",
    "GET /hr/exports/<export_id>": "403 403 403 403 403 404 403 login",
    "GET /hr/exports/<export_id>/download": "403 403 403 403 403 404 403 login",
    "GET /hr/import": "403 403 403 403 403 ok 403 login",
    "GET /hr/templates": "403 403 403 403 403 ok 403 login",
    "GET /hr/templates/<template_id>": "403 403 403 403 403 ok 403 login",
    "GET /hr/templates/new": "403 403 403 403 403 ok 403 login",
    "GET /learning": "ok ok ok ok ok ok ok login",
    "GET /learning/activities/<activity_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 login",
    "GET /learning/insights": "ok ok ok ok ok ok ok login",
    "GET /learning/interviews": "ok ok ok ok ok ok ok login",
    "GET /learning/interviews/<contact_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 login",
    "GET /learning/interviews/questions": "ok ok ok ok ok ok ok login",
    "GET /learning/people/<employee_id>/plan": "404 404/ok 404 404 404 404 404 login",
    "GET /learning/people/<employee_id>/shared": "404 404/ok 404 404 404 404 404 login",
    "GET /learning/plan": "ok ok ok ok ok ok ok login",
    "GET /learning/plan/<item_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 login",
    "GET /learning/record": "ok ok ok ok ok ok ok login",
    "GET /learning/record.pdf": "ok ok ok ok ok ok ok login",
    "GET /learning/report": "403 403 403 403 403 ok ok login",
    "GET /people/<employee_id>/history": "ok/404 ok ok/404 ok/404 ok/404 ok ok/404 login",
    "GET /people/<employee_id>/training-needs": "ok/404 ok ok/404 ok ok/404 ok ok login",
    "GET /reports/training": "403 ok ok ok 403 ok ok login",
    "GET /reports/training.csv": "403 ok ok ok 403 ok ok login",
    "GET /reports/training.pdf": "403 ok ok ok 403 ok ok login",
    "GET /reports/training/topics": "403 403 403 403 403 ok 403 login",
    "GET /session": "ok ok ok ok ok ok ok ok",
    "GET /session/resumed": "ok ok ok ok ok ok ok login",
    "GET /signin": "ok ok ok ok ok ok ok ok",
    "GET /static/<path:filename>": "ok ok ok ok ok ok ok ok",
    "PATCH /api/actions/<action_id>": "ok/404 ok/403 ok/404 ok/404 ok/404 ok 404 401",
    "PATCH /api/goals/<goal_id>": "ok/404 ok ok/404 ok/403 ok/404 ok ok/403 401",
    "POST /api/goals/<goal_id>/archive": "ok/404 ok ok/404 ok/403 ok/404 ok ok/403 401",
    "POST /api/goals/<goal_id>/check-ins": "ok/404 ok ok/404 ok/403 ok/404 ok ok/403 401",
    "POST /api/goals/<goal_id>/restore": "ok/404 ok ok/404 ok/403 ok/404 ok ok/403 401",
    "PATCH /api/learning/activities/<activity_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "PATCH /api/learning/contacts/<contact_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "PATCH /api/learning/plan/<item_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /actions/<action_id>/status": "ok/404 ok/403 ok/404 ok/404 ok/404 ok 404 401",
    "POST /api/cycles": "403 403 403 403 403 ok 403 401",
    "POST /api/cycles/<cycle_id>/archive": "403 403 403 403 403 ok 403 401",
    "POST /api/cycles/<cycle_id>/close": "403 403 403 403 403 ok 403 401",
    "POST /api/cycles/<cycle_id>/feedback/upward": "403 403 403 403 403 ok 403 401",
    "POST /api/cycles/<cycle_id>/launch": "403 403 403 403 403 ok 403 401",
    "POST /api/cycles/<cycle_id>/reopen": "403 403 403 403 403 ok 403 401",
    "POST /api/cycles/<cycle_id>/restore": "403 403 403 403 403 ok 403 401",
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/acknowledge": "ok/404 ok/403 ok/404 ok/403 ok/404 ok/403 ok/403 401",
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/finalise": "403/404 403 403/404 403 403/404 403/ok 403 401",
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/manager/withdraw": "403/404 403/ok 403/404 403 403/404 403/ok 403 401",
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/self/withdraw": "ok/404 ok/403 ok/404 ok/403 ok/404 ok/403 ok/403 401",
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/nominations/decisions": "403 403/ok 403 403 403 403/ok 403 401",
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/return": "403/404 403 403/404 403 403/404 403/ok 403 401",
    "POST /api/exports": "403 403 403 403 403 ok 403 401",
    "POST /api/exports/<export_id>/retry": "403 403 403 403 403 404 403 401",
    "POST /api/feedback/<cycle_id>/<subject_id>/answer": "403/404 403/404 403/404 403/404 403/ok 403/404 403/404 401",
    "POST /api/feedback/<cycle_id>/<subject_id>/decline": "403/404 403/404 403/404 403/404 403/ok 403/404 403/404 401",
    "POST /api/goals": "ok/403 ok ok/403 ok/403 ok/403 ok ok/403 401",
    "POST /api/goals/<goal_id>/assign": "ok/404 ok ok/404 ok ok/404 ok ok 401",
    "POST /api/learning/activities": "ok ok ok ok ok ok ok 401",
    "POST /api/learning/contacts": "ok ok ok ok ok ok ok 401",
    "POST /api/learning/contacts/<contact_id>/actions": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /api/learning/contacts/<contact_id>/complete": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /api/learning/plan": "ok ok ok ok ok ok ok 401",
    "POST /api/learning/plan/<item_id>/actions": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /api/learning/plan/<item_id>/done": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /api/learning/reviews/<cycle_id>/<employee_id>/evidence/<activity_id>/comments": "403/404 403/ok 403/404 403 403/404 403 403 401",
    "POST /api/notes": "ok ok ok ok ok ok ok 401",
    "POST /api/notes/<note_id>/evidence": "404 404 404 404 404 404 404 401",
    "POST /api/org/imports": "403 403 403 403 403 ok 403 401",
    "POST /api/templates": "403 403 403 403 403 ok 403 401",
    "POST /api/training-needs/<need_id>/addressed": "ok/404 ok ok/404 ok ok/404 ok 404/ok 401",
    "POST /api/training-topics": "403 403 403 403 403 ok 403 401",
    "POST /api/training-topics/merge": "403 403 403 403 403 ok 403 401",
    "POST /cycles/<cycle_id>/feedback/settings": "403 403 403 403 403 ok 403 401",
    "POST /cycles/<cycle_id>/feedback/upward": "403 403 403 403 403 ok 403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/acknowledge": "ok/404 ok/403 ok/404 ok/403 ok/404 ok/403 ok/403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/discussion": "403/404 403/ok 403/404 403 403/404 403/ok 403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/finalise": "403/404 403 403/404 403 403/404 403/ok 403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/manager": "403/404 403/ok 403/404 403 403/404 403/ok 403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/nominations": "ok/403 ok/403 ok/403 ok/403 ok/403 ok ok/403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/nominations/decisions": "403 403/ok 403 403 403 403/ok 403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/return": "403/404 403 403/404 403 403/404 403/ok 403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/self": "ok/404 ok/403 ok/404 ok/403 ok/404 ok/403 ok/403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/manager/withdraw": "403/404 403/ok 403/404 403 403/404 403/ok 403 401",
    "POST /cycles/<cycle_id>/reviews/<employee_id>/self/withdraw": "ok/404 ok/403 ok/404 ok/403 ok/404 ok/403 ok/403 401",
    "POST /feedback/<cycle_id>/<subject_id>": "403/404 403/404 403/404 403/404 403/ok 403/404 403/404 401",
    "POST /feedback/<cycle_id>/<subject_id>/decline": "403/404 403/404 403/404 403/404 403/ok 403/404 403/404 401",
    "POST /goals": "ok ok ok ok ok ok ok 401",
    "POST /goals/<goal_id>": "ok/404 ok ok/404 ok/403 ok/404 ok ok/403 401",
    "POST /goals/<goal_id>/archive": "ok/404 ok ok/404 ok/403 ok/404 ok ok/403 401",
    "POST /goals/<goal_id>/check-in": "ok/404 ok ok/404 ok/403 ok/404 ok ok/403 401",
    "POST /goals/<goal_id>/restore": "ok/404 ok ok/404 ok/403 ok/404 ok ok/403 401",
    "POST /goals/<goal_id>/assign": "ok/404 ok ok/404 ok ok/404 ok ok 401",
    "POST /goals/organisation": "403 403 403 403 403 ok ok 401",
    "POST /hr/cycles/<cycle_id>/archive": "403 403 403 403 403 ok 403 401",
    "POST /hr/cycles/<cycle_id>/close": "403 403 403 403 403 ok 403 401",
    "POST /hr/cycles/<cycle_id>/delete": "403 403 403 403 403 ok 403 401",
    "POST /hr/cycles/<cycle_id>/restore": "403 403 403 403 403 ok 403 401",
    "POST /hr/cycles/<cycle_id>/edit": "403 403 403 403 403 ok 403 401",
    "POST /hr/cycles/<cycle_id>/launch": "403 403 403 403 403 ok 403 401",
    "POST /hr/cycles/<cycle_id>/remind": "403 403 403 403 403 ok 403 401",
    "POST /hr/cycles/<cycle_id>/bouncing/clear": "403 403 403 403 403 ok 403 401",
    "GET /hr/cycles/<cycle_id>/bouncing": "403 403 403 403 403 ok 403 login",
    "POST /hr/cycles/<cycle_id>/reopen": "403 403 403 403 403 ok 403 401",
    "POST /hr/cycles/new": "403 403 403 403 403 ok 403 401",
    "POST /hr/exports": "403 403 403 403 403 ok 403 401",
    "POST /hr/exports/<export_id>/retry": "403 403 403 403 403 404 403 401",
    "POST /hr/import": "403 403 403 403 403 ok 403 401",
    "POST /hr/templates/<template_id>": "403 403 403 403 403 ok 403 401",
    "POST /hr/templates/<template_id>/archive": "403 403 403 403 403 ok 403 401",
    "POST /hr/templates/<template_id>/restore": "403 403 403 403 403 ok 403 401",
    "POST /hr/templates/new": "403 403 403 403 403 ok 403 401",
    "POST /learning": "ok ok ok ok ok ok ok 401",
    "POST /learning/activities/<activity_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /learning/evidence/<cycle_id>/<employee_id>/<activity_id>/comment": "403/404 403/ok 403/404 403 403/404 403 403 401",
    "POST /learning/interviews": "ok ok ok ok ok ok ok 401",
    "POST /learning/interviews/<contact_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /learning/plan": "ok ok ok ok ok ok ok 401",
    "POST /learning/plan/<item_id>": "ok/404 ok/404 ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /learning/interviews/questions": "ok ok ok ok ok ok ok 401",
    "POST /notes": "ok ok ok ok ok ok ok 401",
    "POST /notes/<note_id>/evidence": "404 404 404 404 404 404 404 401",
    "POST /reports/training/schedule": "403 403 403 403 403 ok 403 401",
    "POST /reports/training/topics": "403 403 403 403 403 ok 403 401",
    "POST /reports/training/topics/merge": "403 403 403 403 403 ok 403 401",
    "POST /session/extend": "ok ok ok ok ok ok ok 401",
    "POST /signin": "ok ok ok ok ok ok ok 403",
    "POST /signout": "login login login login login login login login",
    "POST /training-needs/<need_id>/training": "ok/404 ok ok/404 ok ok/404 ok 404/ok 401",
    "PUT /api/cycles/<cycle_id>": "403 403 403 403 403 ok 403 401",
    "PUT /api/cycles/<cycle_id>/feedback/settings": "403 403 403 403 403 ok 403 401",
    "PUT /api/cycles/<cycle_id>/reviews/<employee_id>/discussion": "403/404 403/ok 403/404 403 403/404 403/ok 403 401",
    "PUT /api/cycles/<cycle_id>/reviews/<employee_id>/manager": "403/404 403/ok 403/404 403 403/404 403/ok 403 401",
    "PUT /api/cycles/<cycle_id>/reviews/<employee_id>/nominations": "ok/403 ok/403 ok/403 ok/403 ok/403 ok ok/403 401",
    "PUT /api/cycles/<cycle_id>/reviews/<employee_id>/self": "ok/404 ok/403 ok/404 ok/403 ok/404 ok/403 ok/403 401",
    "PUT /api/feedback/<cycle_id>/<subject_id>/draft": "403/404 403/404 403/404 403/404 403/ok 403/404 403/404 401",
    "PUT /api/learning/questions": "ok ok ok ok ok ok ok 401",
    "PUT /api/templates/<template_id>": "403 403 403 403 403 ok 403 401",
    "POST /api/templates/<template_id>/archive": "403 403 403 403 403 ok 403 401",
    "POST /api/templates/<template_id>/restore": "403 403 403 403 403 ok 403 401",
    # issue 28: one-to-ones. Only the pair (the person and their manager) reaches one: S1's own and their manager
    # M1's; everyone else 404, HR too (HR reads the counts only); L1 has no manager, so no own pair.
    "GET /api/hr/one-to-ones": "403 403 403 403 403 ok 403 401",
    "GET /api/one-to-ones": "ok ok ok ok ok ok ok 401",
    "GET /api/me/time-zone": "ok ok ok ok ok ok ok 401",
    "PUT /api/me/time-zone": "ok ok ok ok ok ok ok 401",
    "POST /me/time-zone": "ok ok ok ok ok ok ok 401",
    "GET /hr/one-to-ones": "403 403 403 403 403 ok 403 login",
    "GET /one-to-ones": "ok ok ok ok ok ok ok login",
    "GET /api/one-to-ones/<employee_id>": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "GET /one-to-ones/<employee_id>": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 login",
    "POST /api/one-to-ones/<employee_id>/actions": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /api/one-to-ones/<employee_id>/points": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /api/one-to-ones/<employee_id>/meetings/<day>/evidence": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /api/one-to-ones/<employee_id>/meetings/<day>/held": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "PUT /api/one-to-ones/<employee_id>/actions/<action_id>": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "PUT /api/one-to-ones/<employee_id>/points/<point_id>": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "PUT /api/one-to-ones/<employee_id>/meetings/<day>/notes": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "PUT /api/one-to-ones/<employee_id>/meetings/<day>/private-notes": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "PUT /api/one-to-ones/<employee_id>/rhythm": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /one-to-ones/<employee_id>/actions": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /one-to-ones/<employee_id>/actions/<action_id>": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /one-to-ones/<employee_id>/points/<point_id>": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /one-to-ones/<employee_id>/meetings/<day>/evidence": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /one-to-ones/<employee_id>/meetings/<day>/held": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /one-to-ones/<employee_id>/meetings/<day>/notes": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /one-to-ones/<employee_id>/meetings/<day>/private-notes": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /one-to-ones/<employee_id>/points": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
    "POST /one-to-ones/<employee_id>/rhythm": "ok/404 ok ok/404 ok/404 ok/404 ok/404 404 401",
}
# fmt: on

_CYCLE = {
    "name": "Next cycle",
    "period_start": "2027-01-01",
    "period_end": "2027-12-31",
    "template_id": "{template}",
    "phases": {
        "goal_setting": "2027-03-01",
        "self_assessment": "2027-03-10",
        "feedback": "2027-03-20",
        "manager_assessment": "2027-03-31",
        "discussion": "2027-04-15",
    },
    "participant_mode": "everyone",
}
_DECISION = {"kind": "promotion", "people": ["{owner}"], "summary": "Promoted in the matrix"}
# issue 27: an action from a finding the matrix's diagnosis makes ("0 of 14 training needs … were addressed")
_PLAN_ITEM = {
    "source": "diagnosis",
    "cycle_id": "{cycle}",
    "finding_key": "training:delivered",
    "title": "Matrix",
    "owner_id": "{owner}",
    "due": "2026-12-01",
}
_PROCESS = {"fair": 4, "useful": 3, "time_taken": "1_2h", "change": "Shorter forms"}
# Bodies that pass validation, so that authorization decides; "{owner}", "{cycle}", "{template}" are filled in.
BODIES: dict[str, dict] = {
    "POST /api/schedules": {"name": "Anniversary", "kind": "anniversary"},  # issue 28: the body loads, the role decides
    "PUT /api/schedules/<rule_id>": {"name": "Anniversary", "kind": "anniversary"},
    "PATCH /api/actions/<action_id>": {"status": "in_progress"},
    "POST /actions/<action_id>/status": {"status": "in_progress"},
    "POST /api/cycles": _CYCLE,
    "PUT /api/cycles/<cycle_id>": _CYCLE,
    "POST /api/cycles/<cycle_id>/reopen": {"reason": "a late correction"},
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/acknowledge": {"agreement": "agree"},
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/return": {"to_state": "self_submitted", "reason": "redo"},
    "POST /api/goals": {"level": "individual", "title": "New goal", "owner_id": "{owner}", "cycle_id": "{cycle}"},
    "PATCH /api/goals/<goal_id>": {"title": "Renamed"},
    "POST /api/learning/plan/<item_id>/actions": {"action": "start"},
    "POST /api/goals/<goal_id>/check-ins": {"confidence": "on_track", "comment": "matrix"},
    # issue 28: one-to-ones
    "POST /api/one-to-ones/<employee_id>/points": {"text": "Matrix"},
    "POST /one-to-ones/<employee_id>/points": {"text": "Matrix"},
    "POST /api/one-to-ones/<employee_id>/actions": {"text": "Matrix"},
    "POST /one-to-ones/<employee_id>/actions": {"text": "Matrix"},
    "PUT /api/one-to-ones/<employee_id>/actions/<action_id>": {"done": True},
    "POST /one-to-ones/<employee_id>/actions/<action_id>": {"done": "true"},
    "PUT /api/one-to-ones/<employee_id>/points/<point_id>": {"covered": True},
    "PUT /api/me/time-zone": {"time_zone": "Europe/Berlin"},
    "POST /me/time-zone": {"time_zone": "Europe/Berlin"},
    "POST /one-to-ones/<employee_id>/points/<point_id>": {"covered": "true"},
    "PUT /api/one-to-ones/<employee_id>/meetings/<day>/notes": {"text": "Matrix"},
    "POST /one-to-ones/<employee_id>/meetings/<day>/notes": {"text": "Matrix"},
    "PUT /api/one-to-ones/<employee_id>/meetings/<day>/private-notes": {"text": "Matrix"},
    "POST /one-to-ones/<employee_id>/meetings/<day>/private-notes": {"text": "Matrix"},
    "PUT /api/one-to-ones/<employee_id>/rhythm": _RHYTHM,
    "POST /one-to-ones/<employee_id>/rhythm": _RHYTHM,
    "POST /api/one-to-ones/<employee_id>/meetings/<day>/evidence": {"cycle_id": "{cycle}"},
    "POST /one-to-ones/<employee_id>/meetings/<day>/evidence": {"cycle_id": "{cycle}"},
    "POST /api/goals/<goal_id>/assign": {"weight": 10, "cycle_id": "{cycle}"},
    "PUT /api/cycles/<cycle_id>/reviews/<employee_id>/self": {"content": {"achievements": "matrix"}},
    "PUT /api/cycles/<cycle_id>/reviews/<employee_id>/manager": {"content": {"strengths": "matrix"}},
    "PUT /api/cycles/<cycle_id>/reviews/<employee_id>/discussion": {"content": {"notes": "matrix"}},
    "POST /api/org/imports": {"csv": ORG},
    "POST /cycles/<cycle_id>/reviews/<employee_id>/return": {"to_state": "self_submitted", "reason": "redo"},
    "POST /cycles/<cycle_id>/reviews/<employee_id>/acknowledge": {"agreement": "agree"},
    "POST /hr/cycles/<cycle_id>/reopen": {"reason": "a late correction"},
    "POST /api/templates": f.template_data(),
    "PUT /api/templates/<template_id>": f.template_data(),
    "POST /goals": {
        "level": "individual",
        "title": "New goal",
        "owner_id": "{owner}",
        "cycle_id": "{cycle}",
        "weight": "10",
    },
    "POST /goals/organisation": {"title": "Grow", "scope": "standing", "weight": "10"},
    # issues 9, 10, 11 and 14
    "POST /api/training-topics": {"name": "Matrix topic"},
    "POST /api/training-topics/merge": {"source_id": "free-public-speaking", "target_id": "free-public-speaking"},
    "POST /api/training-needs/<need_id>/addressed": {"activity_ref": "matrix"},
    "POST /training-needs/<need_id>/training": {"title": "Matrix course", "date": "2026-02-20"},
    "POST /api/exports": {"cycle_id": "{cycle}"},
    "PUT /api/cycles/<cycle_id>/feedback/settings": {"min_peers": 0, "max_peers": 3, "threshold": 3, "upward": False},
    "PUT /api/cycles/<cycle_id>/reviews/<employee_id>/nominations": {"reviewer_ids": []},
    "POST /api/notes": {"to_id": "{owner}", "kind": "praise", "text": "Thanks"},
    "POST /api/learning/activities": {"type": "course", "title": "Matrix", "date": "2026-02-10"},
    "POST /api/learning/contacts": {"name": "Matrix contact"},
    "POST /api/learning/contacts/<contact_id>/actions": {"action": "send"},
    "POST /api/learning/contacts/<contact_id>/complete": {"learnt": "Matrix"},
    "POST /api/learning/reviews/<cycle_id>/<employee_id>/evidence/<activity_id>/comments": {"text": "Matrix"},
    "POST /learning/evidence/<cycle_id>/<employee_id>/<activity_id>/comment": {"text": "Matrix"},
    "POST /learning/interviews/<contact_id>": {"action": "send"},
    "POST /api/notes/<note_id>/evidence": {"cycle_id": "{cycle}"},
    # issue 23: O1 is in no session yet, so HR's new session opens; an adjustment, a reopening with what they need
    "POST /api/cycles/<cycle_id>/calibration-sessions": {"name": "Matrix", "group": "list", "employee_ids": ["O1"]},
    "POST /cycles/<cycle_id>/calibration": {"name": "Matrix", "group": "list", "employee_ids": ["O1"]},
    "PUT /api/calibration-sessions/<session_id>/people/<employee_id>": {
        "competency_ratings": {"delivery": 2, "collaboration": 3},
        "reason": "Matrix",
    },
    "POST /calibration/<session_id>/people/<employee_id>": {
        "competency_ratings.delivery": "2",
        "competency_ratings.collaboration": "3",
        "reason": "Matrix",
    },
    "POST /api/calibration-sessions/<session_id>/reopen": {"reason": "Matrix"},
    "POST /calibration/<session_id>/reopen": {"reason": "Matrix"},
    # issue 27: a decision about the owner (the cell says whether the caller may decide about them)
    "POST /api/decisions/weigh": {"kind": "promotion", "people": ["{owner}"]},
    "POST /api/decisions": _DECISION,
    "POST /decisions/new": {**_DECISION, "step": "save"},
    "POST /api/cycles/<cycle_id>/process-feedback": _PROCESS,
    "POST /cycles/<cycle_id>/process-feedback": _PROCESS,
    "POST /api/improvement-plan": _PLAN_ITEM,
    "POST /improvement-plan/new": _PLAN_ITEM,
    "POST /api/improvement-plan/<item_id>/status": {"action": "start"},
    "POST /improvement-plan/<item_id>/status": {"action": "start"},
    "POST /api/delegations": {"acting_id": "O1", "starts": "2026-05-01", "ends": "2026-05-02"},
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/manager/former-draft": {"keep": True},
    "POST /api/cycles/<cycle_id>/reviews/<employee_id>/contributions": {"contributor_id": "O1", "question": "How?"},
    "POST /cycles/<cycle_id>/reviews/<employee_id>/contributions": {"contributor_id": "O1", "question": "How?"},
    "PUT /api/contributions/<contribution_id>": {"text": "Led the migration well."},
    "POST /contributions/<contribution_id>": {"text": "Led the migration well."},
    "POST /cycles/<cycle_id>/reviews/<employee_id>/former-draft": {"choice": "keep"},
    "POST /delegations": {"acting_id": "O1", "starts": "2026-05-01", "ends": "2026-05-02"},
}
# Query strings for GET routes whose parameters are validated before authorization.
QUERIES: dict[str, str] = {
    "/api/reports/training.pdf": "cycle={cycle}",
    "/reports/training.pdf": "cycle={cycle}",
    "/api/learning/report": "year=2026",
    "/learning/report": "year=2026",
    "/api/learning/evidence": "cycle_id={cycle}",
    "/improvement-plan/new": "source=diagnosis&cycle={cycle}&finding=training:delivered",
}


def _fill(value, world: World, owner: str):
    if isinstance(value, dict):
        return {k: _fill(v, world, owner) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world, owner) for v in value]
    if isinstance(value, str):
        return (
            value.replace("{owner}", owner).replace("{cycle}", world.cycle_id).replace("{template}", world.template_id)
        )
    return value


@dataclass
class World:
    """The seeded table and what each owner has."""

    items: list[dict]
    cycle_id: str
    template_id: str
    goals: dict[str, str]
    actions: dict[str, str]
    needs: dict[str, str] = field(default_factory=dict)  # issues 10 and 14: each owner's typed training need,
    activities: dict[str, str] = field(default_factory=dict)  # learning activity
    contacts: dict[str, str] = field(default_factory=dict)  # and interview contact
    # issue 27: S1's decision (communicated) and P1's (recorded by M1, flagged, waiting for approval)
    decisions: dict[str, str] = field(default_factory=dict)
    # issue 23: the calibrating cycle (S1, P1, O1) and its open session over M1's team (S1, P1)
    calibration_cycle_id: str = ""
    session_id: str = ""
    delegation_id: str = ""  # issue 28: M1 names M2 acting manager for April (upcoming)
    contribution_id: str = ""  # issue 28: M1 asked P1 for a contribution to S1's review
    schedule_rule_id: str = ""  # issue 28: a probation rule H1 set up
    plan_items: dict[str, str] = field(default_factory=dict)  # issue 27: the items S1 and M1 own
    learning_items: dict[str, str] = field(default_factory=dict)  # issue 27: each owner's learning-plan item


def _seed() -> World:
    from service.services import actions as action_svc
    from service.services import cycles as cycle_svc
    from service.services import goals as goal_svc
    from service.services import reviews as review_svc
    from service.services import templates as template_svc
    from service.services.directory import import_organisation

    table, clock = MemoryTable(), FixedClock(NOW)
    import_organisation(UnitOfWork(table), None, ORG, clock)
    hr = f.principal(table, "H1")
    template = template_svc.create_template(UnitOfWork(table), hr, f.template_data(), clock)
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id), clock)
    cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, f.inline_queue(table, clock))
    # P1 is S1's peer reviewer for real (issue 9): nominated by S1, approved by M1 (a minimum of one peer).
    from service.services import feedback_nominations, feedback_settings

    settings = {"min_peers": 1, "max_peers": 3, "threshold": 3, "upward": False}
    feedback_settings.save_settings(UnitOfWork(table), hr, cycle.cycle_id, settings, 0, clock)
    feedback_nominations.nominate_peers(
        UnitOfWork(table), f.principal(table, "S1"), cycle.cycle_id, "S1", ["P1"], clock
    )
    m1 = f.principal(table, "M1")
    feedback_nominations.decide_nominations(UnitOfWork(table), m1, cycle.cycle_id, "S1", ["P1"], [], [], clock, None)
    goals = {}
    for who in ("L1", "H1", "D1", "M1", "M2", "S1", "P1", "O1"):
        data = {"level": "individual", "title": f"Goal of {who}", "cycle_id": cycle.cycle_id, "weight": 100}
        goals[who] = goal_svc.create_goal(UnitOfWork(table), f.principal(table, who), data, clock).goal_id
    activities = _seed_activities(table, clock)
    for employee, manager in MANAGERS.items():
        me = f.principal(table, employee)
        view = review_svc.open_review(UnitOfWork(table), me, cycle.cycle_id, employee)
        content = f.self_content(learning_refs=[activities[employee]])  # issue 14: evidence the manager may comment
        view = review_svc.save_self_assessment(
            UnitOfWork(table), me, cycle.cycle_id, employee, content, view.version, True, clock
        )
        review_svc.save_manager_assessment(
            UnitOfWork(table),
            f.principal(table, manager),
            cycle.cycle_id,
            employee,
            f.manager_content(owner_id=employee),
            view.version,
            True,
            clock,
        )
    actions = {}
    for who in MANAGERS:
        owned = action_svc.my_actions(UnitOfWork(table), f.principal(table, who))
        actions[who] = owned[0].action_id
    needs, contacts = _seed_needs_and_contacts(table, clock)
    decisions = _seed_decisions(table, clock)
    calibration_cycle_id, session_id = _seed_calibration(table, clock)
    learning_items = _seed_learning_plan(table, clock)
    _seed_one_to_ones(table, clock)
    from datetime import date

    from service.services import delegation as delegation_svc

    april = {"acting_id": "M2", "starts": date(2026, 4, 1), "ends": date(2026, 4, 10)}
    delegation_id = delegation_svc.name_acting_manager(UnitOfWork(table), m1, april, clock).delegation_id
    from service.services import contributions as contribution_svc

    ask = {"contributor_id": "P1", "question": "How did the migration go?"}
    contribution = contribution_svc.request_contribution(UnitOfWork(table), m1, cycle.cycle_id, "S1", ask, clock)
    from service.services import schedules as schedule_svc

    rule = {"name": "Probation", "kind": "probation", "template_id": template.template_id, "days": 90}
    schedule_rule_id = schedule_svc.create_rule(UnitOfWork(table), hr, rule, clock).rule_id
    plan_items = _seed_plan(table, clock, cycle.cycle_id)
    return World(
        table.all_items(),
        cycle.cycle_id,
        template.template_id,
        goals,
        actions,
        needs,
        activities,
        contacts,
        decisions,
        calibration_cycle_id,
        session_id,
        delegation_id,
        contribution.contribution_id,
        schedule_rule_id,
        plan_items,
        learning_items=learning_items,
    )


def _seed_plan(table: MemoryTable, clock: FixedClock, cycle_id: str) -> dict[str, str]:
    """Issue 27: two actions of the improvement plan H1 made from a finding of the diagnosis, owned by S1 and M1."""
    from datetime import date

    from service.services import improvement_plan

    hr = f.principal(table, "H1")
    made = {}
    for owner in ("S1", "M1"):
        data = {**_PLAN_ITEM, "cycle_id": cycle_id, "owner_id": owner, "due": date(2026, 12, 1)}
        made[owner] = improvement_plan.create_item(UnitOfWork(table), hr, data, clock).item_id
    return made


def _seed_one_to_ones(table: MemoryTable, clock: FixedClock) -> None:
    """Issue 28: each pair's meeting of MEETING_DAY, held (a talking point by the report, then marked held)."""
    from service.services import one_to_ones

    for report, manager in MANAGERS.items():
        boss = f.principal(table, manager)
        rhythm = {"rhythm": "weekly", "first_date": NOW.date(), "time": "10:00", "minutes": 30}
        one_to_ones.set_rhythm(UnitOfWork(table), boss, report, rhythm, 0, clock)
        meeting = one_to_ones.add_point(UnitOfWork(table), f.principal(table, report), report, {"text": "x"}, clock)
        one_to_ones.hold_meeting(UnitOfWork(table), boss, report, meeting.date, meeting.version, clock)


def _seed_decisions(table: MemoryTable, clock: FixedClock) -> dict[str, str]:
    """Issue 27: a promotion of S1 recorded by H1 and communicated (S1 may read it), and an improvement plan for P1
    recorded by M1 against P1's record (flagged: it waits for a second HR person's approval)."""
    from service.domain.decisions import DecisionState
    from service.services import decisions as decision_svc

    hr, m1 = f.principal(table, "H1"), f.principal(table, "M1")
    promotion = {"kind": "promotion", "people": ["S1"], "summary": "Promoted to senior engineer"}
    told = decision_svc.record_decision(UnitOfWork(table), hr, promotion, clock)
    told = decision_svc.communicate(UnitOfWork(table), hr, told.decision_id, clock)
    plan = {
        "kind": "improvement_plan",
        "people": ["P1"],
        "summary": "A plan for the next quarter",
        "justification": "Missed deadlines since the review",
    }
    waiting = decision_svc.record_decision(UnitOfWork(table), m1, plan, clock)
    assert (told.state, waiting.state) == (DecisionState.COMMUNICATED, DecisionState.AWAITING_APPROVAL)
    return {"S1": told.decision_id, "P1": waiting.decision_id}


def _seed_calibration(table: MemoryTable, clock: FixedClock) -> tuple[str, str]:
    """Issue 23: a calibrating cycle over S1, P1 and O1 (S1's and P1's manager assessments in calibration, O1's
    not yet), and a session H1 opened over M1's team: participants M1 (their manager) and L1 (leadership above)."""
    from service.services import calibration as calibration_svc
    from service.services import cycles as cycle_svc
    from service.services import reviews as review_svc
    from service.services import templates as template_svc

    hr = f.principal(table, "H1")
    data = f.template_data(name="Calibrated review", calibration=True)
    template = template_svc.create_template(UnitOfWork(table), hr, data, clock)
    people = {"participant_mode": "list", "employee_ids": ["S1", "P1", "O1"], "name": "2026 calibrated review"}
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id, **people), clock)
    cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, f.inline_queue(table, clock))
    for who in ("S1", "P1"):
        version = UnitOfWork(table).reviews.get(cycle.cycle_id, who).version
        me, manager = f.principal(table, who), f.principal(table, "M1")
        review_svc.save_self_assessment(
            UnitOfWork(table), me, cycle.cycle_id, who, f.self_content(), version, True, clock
        )
        content = f.manager_content(owner_id=who)
        review_svc.save_manager_assessment(
            UnitOfWork(table), manager, cycle.cycle_id, who, content, version + 1, True, clock
        )
    group = {"name": "M1's team", "group": "list", "employee_ids": ["S1", "P1"]}
    session = calibration_svc.create_session(UnitOfWork(table), hr, cycle.cycle_id, group, clock)
    assert session.participants == ["L1", "M1"]
    return cycle.cycle_id, session.session_id


def _seed_activities(table: MemoryTable, clock: FixedClock) -> dict[str, str]:
    """Issue 14: a learning activity of each reviewed person (their self assessment picks it as evidence)."""
    from service.services import learning as learning_svc

    data = {"type": "course", "title": "Matrix course", "date": "2026-02-10", "hours": 2}
    return {
        who: learning_svc.create_activity(UnitOfWork(table), f.principal(table, who), data, clock).activity_id
        for who in MANAGERS
    }


def _seed_needs_and_contacts(table: MemoryTable, clock: FixedClock) -> tuple[dict[str, str], dict[str, str]]:
    """Issues 10 and 14: each reviewed person's typed training need (from their self assessment) and an
    interview contact."""
    from service.services import interviews

    needs, contacts = {}, {}
    contact = {"name": "Mae Jemison", "role": "Scientist", "organisation": "Orbit", "found_via": "alumni"}
    for who in MANAGERS:
        needs[who] = UnitOfWork(table).training.of_person(who)[0].need_id
        contacts[who] = interviews.add_contact(UnitOfWork(table), f.principal(table, who), contact, clock).contact_id
    return needs, contacts


def _seed_learning_plan(table: MemoryTable, clock: FixedClock) -> dict[str, str]:
    """Issue 27: an item of each reviewed person's learning plan, shared with their manager."""
    from service.services import learning_plan

    item = {"kind": "course", "title": "A course", "target_date": "2026-04-01", "shared_with_manager": True}
    return {w: learning_plan.add_item(UnitOfWork(table), f.principal(table, w), item, clock).item_id for w in MANAGERS}


@pytest.fixture(scope="module")
def world() -> World:
    """The organisation, seeded once for the module."""
    return _seed()


@pytest.fixture(scope="module")
def app_and_table(world):
    from service.web import create_app

    settings = Settings(table_name="authz", secret_key="authz-matrix-key-" + "x" * 20)
    app = create_app(settings, table_factory=lambda: MemoryTable(), clock=FixedClock(NOW))
    app.config["TESTING"] = True
    return app


# Routes of the calibrating cycle (issue 23) and of feedback on its process (issue 27): its participants are S1, P1
# and O1 only, so a non-participant's cell says what they get.
SECOND_CYCLE = ("calibration", "/ratings", "rating-report", "process-feedback")


def _cycle_of(rule: str, world: World) -> str:
    return world.calibration_cycle_id if any(part in rule for part in SECOND_CYCLE) else world.cycle_id


def _path(rule: str, world: World, owner: str) -> str:
    department = {"L1": "Leadership", "H1": "People"}.get(owner, "Engineering")
    values = {
        "cycle_id": _cycle_of(rule, world),
        # S1's decision is about S1; every other owner is given P1's, the one M1 recorded (M1's own)
        "decision_id": world.decisions.get(owner, world.decisions["P1"]),
        "session_id": world.session_id,
        "delegation_id": world.delegation_id,
        "contribution_id": world.contribution_id,
        "rule_id": world.schedule_rule_id,
        "employee_id": owner,
        "goal_id": world.goals.get(owner, "none"),
        "action_id": world.actions.get(owner, "none"),
        "template_id": world.template_id,
        "version": "1",
        "path:name": department,
        "name": department,
        "path:filename": "app.css",
        "filename": "app.css",
        "int:version": "1",
        "need_id": world.needs.get(owner, "none"),
        "activity_id": world.activities.get(owner, "none"),
        "contact_id": world.contacts.get(owner, "none"),
        "subject_id": owner,
        "day": MEETING_DAY,  # issue 28: each pair's meeting of that day (_seed_one_to_ones)
        "export_id": "none",  # no export or note is seeded: a missing one, asked for by each caller
        "note_id": "none",
        "point_id": "none",  # a talking point none of the agendas has: the pair get 422, everyone else 404
        # a learning-plan item is its owner's own; an improvement-plan item S1's unless the owner has one
        "item_id": world.learning_items.get(owner, "none")
        if rule.startswith(("/api/learning/plan", "/learning/plan"))
        else world.plan_items.get(owner, world.plan_items.get("S1", "none")),
        "channel": "slack",  # issue 28: a chat channel (none is connected in the seed)
    }
    query = QUERIES.get(rule, "").replace("{cycle}", _cycle_of(rule, world))
    for key, value in values.items():
        rule = rule.replace(f"<{key}>", value)
    return rule + (f"?{query}" if query else "")


def _version(rule: str, world: World, owner: str) -> str:
    """The current version of the object a write names, so that only authorization can refuse it."""
    by_key = {(i["pk"], i["sk"]): i for i in world.items}
    if "<session_id>" in rule and "<employee_id>" not in rule:  # a person's adjustment: "0", none yet
        key = (f"CALSESSION#{world.session_id}", "SESSION")
    elif "<delegation_id>" in rule:
        key = (f"DELEGATION#{world.delegation_id}", "DELEGATION")
    elif "<contribution_id>" in rule:
        key = (f"CONTRIB#{world.contribution_id}", "CONTRIB")
    elif "<employee_id>" in rule and "<cycle_id>" in rule:
        key = (f"CYCLE#{world.cycle_id}", f"REVIEW#{owner}")
    elif "<goal_id>" in rule:
        key = (f"GOAL#{world.goals.get(owner)}", "GOAL")
    elif "<action_id>" in rule:
        key = (f"ACTION#{world.actions.get(owner)}", "ACTION")
    elif "<cycle_id>" in rule:
        key = (f"CYCLE#{_cycle_of(rule, world)}", "CYCLE")
    elif "<template_id>" in rule:
        key = (f"TEMPLATE#{world.template_id}", "CURRENT")
    else:
        return "0"
    item = by_key.get(key)
    return str(item["version"]) if item else "0"


def _outcome(status: int, location: str) -> str:
    if status in (401, 403, 404):
        return str(status)
    if status == 302 and "/signin" in location:
        return "login"
    return "ok"


def _as_form(body: dict) -> dict:
    """A body as a page form sends it: text, a list as repeated fields."""
    return {k: v if isinstance(v, list) else str(v) for k, v in body.items()}


def _call(app_and_table, world: World, key: str, caller: str | None, owner: str) -> str:
    """Restore the seeded table, then make the request as `caller` on `owner`'s object: its outcome."""
    app = app_and_table
    method, rule = key.split(" ", 1)
    if method != "GET" or app.extensions["reviews"]._table is None or not getattr(app, "_seeded", False):
        table = MemoryTable()
        table.load(world.items)
        app.extensions["reviews"]._table = table  # a write's cell starts from the seeded state
        app._seeded = method == "GET"  # a GET leaves it as it was: the next GET reuses it
    client = app.test_client()
    headers: dict[str, str] = {}
    body = _fill(BODIES.get(key, {}), world, owner)
    if caller is not None:
        with client.session_transaction() as session:
            session["employee_id"] = caller
            session["csrf"] = "matrix-csrf"
        headers["X-CSRF-Token"] = "matrix-csrf"
    path = _path(rule, world, owner)
    version = _version(rule, world, owner)
    if method in ("PUT", "PATCH", "DELETE") or (method == "POST" and rule.startswith("/api/")):
        headers["If-Match"] = f'"{version}"'
        resp = client.open(path, method=method, json=body, headers=headers)
    elif method == "POST":
        form = {"csrf_token": "matrix-csrf", "version": version, **_as_form(body)}
        resp = client.open(path, method=method, data=form, headers=headers)
    else:
        resp = client.open(path, method=method, headers=headers)
    resp.close()
    return _outcome(resp.status_code, resp.headers.get("Location", ""))


def _routes(app) -> set[str]:
    keys = set()
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            keys.add(f"{method} {rule.rule}")
    return keys


def _expected(line: str) -> dict[str, tuple[str, str]]:
    cells = line.split()
    assert len(cells) == len(KINDS), line
    out = {}
    for kind, cell in zip(KINDS, cells, strict=True):
        own, _, other = cell.partition("/")
        out[kind] = (own, other or own)  # signed_out: one value (a signed-out caller has no object)
    return out


def test_every_route_has_its_row(app_and_table):
    missing = sorted(_routes(app_and_table) - set(ROUTES))
    assert not missing, "add rows to ROUTES for: " + ", ".join(missing)
    stale = sorted(set(ROUTES) - _routes(app_and_table))
    assert not stale, "rows for routes that do not exist: " + ", ".join(stale)


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_route_answers_each_caller_as_the_matrix_says(app_and_table, world, key):
    expected = _expected(ROUTES[key])
    wrong = []
    for kind in KINDS:
        caller, other = CALLERS[kind]
        cells = [("other", other)] if caller is None else [("own", caller), ("other", other)]
        for which, owner in cells:
            want = expected[kind][0 if which == "own" else 1]
            got = _call(app_and_table, world, key, caller, owner)
            if got != want:
                wrong.append(f"{kind}/{which}: expected {want}, got {got}")
    assert not wrong, wrong


@pytest.mark.skipif(not os.environ.get("AUTHZ_DISCOVER"), reason="prints the observed matrix (AUTHZ_DISCOVER=1)")
def test_discover(app_and_table, world):
    for key in sorted(_routes(app_and_table)):
        cells = []
        for kind in KINDS:
            caller, other = CALLERS[kind]
            if caller is None:
                cells.append(_call(app_and_table, world, key, None, other))
                continue
            own = _call(app_and_table, world, key, caller, caller)
            theirs = _call(app_and_table, world, key, caller, other)
            cells.append(own if own == theirs else f"{own}/{theirs}")
        print(f'    "{key}": "{" ".join(cells)}",')


# --- the two settings the matrix depends on ---------------------------------------------------------


def _as(app, who: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["employee_id"] = who
    return client


def test_skip_level_managers_lose_reading_when_the_cycle_says_so(app_and_table, world):
    items = [
        {**i, "skip_level_read": False} if (i["pk"], i["sk"]) == (f"CYCLE#{world.cycle_id}", "CYCLE") else i
        for i in world.items
    ]
    table = MemoryTable()
    table.load(items)
    app_and_table.extensions["reviews"]._table = table
    path = f"/api/cycles/{world.cycle_id}/reviews/S1"
    assert _as(app_and_table, "D1").get(path).status_code == 404
    assert _as(app_and_table, "M1").get(path).status_code == 200
    app_and_table._seeded = False  # the next cell loads the seeded state again


def test_individual_goals_are_for_everyone_when_the_organisation_says_so(world):
    from service.web import create_app

    table = MemoryTable()
    table.load(world.items)
    settings = Settings(table_name="authz", secret_key="authz-matrix-key-" + "x" * 20, goal_visibility="everyone")
    app = create_app(settings, table=table, clock=FixedClock(NOW))
    goal = f"/api/goals/{world.goals['S1']}"
    assert _as(app, "O1").get(goal).status_code == 200
    listed = _as(app, "O1").get(f"/api/people/S1/goals?cycle_id={world.cycle_id}").get_json()["goals"]
    assert [g["goal_id"] for g in listed] == [world.goals["S1"]]


def test_a_persons_goal_list_leaves_out_what_the_caller_may_not_see(app_and_table, world):
    app_and_table._seeded = False
    path = f"/api/people/S1/goals?cycle_id={world.cycle_id}"
    table = MemoryTable()
    table.load(world.items)
    app_and_table.extensions["reviews"]._table = table
    assert _as(app_and_table, "O1").get(path).get_json()["goals"] == []
    assert [g["goal_id"] for g in _as(app_and_table, "D1").get(path).get_json()["goals"]] == [world.goals["S1"]]
    app_and_table._seeded = False
