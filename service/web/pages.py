"""Server-rendered pages: the local sign-in chooser, home, sign-out."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, redirect, render_template, request, session, url_for

from service.domain.errors import NotAuthenticated, ValidationFailed
from service.services import directory as svc
from service.web.auth import optional_principal
from service.web.wiring import wiring

bp = Blueprint("pages", __name__)
local_bp = Blueprint("local_signin", __name__)


@bp.get("/")
def home():
    """Home: who you are, your manager, your team."""
    principal = optional_principal()
    if principal is None:
        if wiring().settings.auth_mode == "local":
            return redirect(url_for("local_signin.signin", next=request.path))
        raise NotAuthenticated("sign in first")
    table = wiring().table
    me = svc.get_person(table, principal.employee_id)
    chain = svc.management_chain(table, principal.employee_id)
    reports = svc.direct_reports(table, principal.employee_id)
    return render_template("pages/home.html", me=me, chain=chain, reports=reports)


@bp.post("/signout")
def signout():
    """Forget the session."""
    session.clear()
    if wiring().settings.auth_mode == "local":
        return redirect(url_for("local_signin.signin"))
    return redirect(url_for("pages.home"))


@local_bp.get("/signin")
def signin():
    """The local demo's sign-in: choose a person (registered only in local mode)."""
    people = svc.people_for_signin(wiring().table)
    departments = [(d, list(ps)) for d, ps in groupby(people, key=lambda p: p.department)]
    return render_template("pages/signin.html", departments=departments, next=request.args.get("next", "/"))


@local_bp.post("/signin")
def signin_post():
    """Sign in as the chosen demo person."""
    employee_id = request.form.get("employee_id", "")
    person = svc.get_person(wiring().table, employee_id) if employee_id else None
    if person is None or not person.active:
        raise ValidationFailed("Choose an active person to sign in as.", {"employee_id": ["unknown person"]})
    csrf = session.get("csrf")
    session.clear()  # a new identity gets a fresh session (no fixation)
    session.permanent = True
    session["employee_id"] = person.employee_id
    if csrf:
        session["csrf"] = csrf
    target = request.form.get("next", "/")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
