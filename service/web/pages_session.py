"""The session's pages: am I still signed in, stay signed in, signed in again; signing out; and the local demo's
sign-in (choose a person; registered only in local mode). The deployed sign-in is web/signin.py."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for

from service.domain.errors import ValidationFailed
from service.services import directory as svc
from service.web.auth import csrf_token, optional_principal
from service.web.page_helpers import back_to, page_principal
from service.web.untrusted import is_id, safe_next
from service.web.wiring import wiring

bp = Blueprint("pages_session", __name__)
local_bp = Blueprint("local_signin", __name__)


def _session_seconds() -> int:
    return int(current_app.permanent_session_lifetime.total_seconds())


@bp.get("/session")
def session_state():
    """For the page script: am I still signed in, this session's CSRF token, and how long it lasts."""
    principal = optional_principal()
    body = {
        "signed_in": principal is not None,
        "employee_id": principal.employee_id if principal else None,
        "expires_in": _session_seconds() if principal else 0,
    }
    if principal is not None:
        body["csrf_token"] = csrf_token()
    return jsonify(body)


@bp.post("/session/extend")
def session_extend():
    """Stay signed in: the session cookie is issued again with a fresh lifetime."""
    page_principal()
    session.modified = True
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"signed_in": True, "expires_in": _session_seconds()})
    flash("You stay signed in.", "success")
    return redirect(back_to(url_for("pages.home")))


@bp.get("/session/resumed")
def session_resumed():
    """Shown in the tab where someone signed in again: go back to the page you were working on."""
    page_principal()
    return render_template("pages/session_resumed.html")


@bp.post("/signout")
def signout():
    """Forget the session."""
    session.clear()
    if wiring().settings.auth_mode == "local":
        return redirect(url_for("local_signin.signin"))
    from service.web import signin  # the Cognito session ends too: the hosted UI's logout comes back here

    return redirect(signin.hosted_ui(wiring()).logout_url(signin.signed_out_url()))


@local_bp.get("/signin")
def signin():
    """The local demo's sign-in: choose a person (registered only in local mode)."""
    people = svc.people_for_signin(wiring().uow())
    departments = [(d, list(ps)) for d, ps in groupby(people, key=lambda p: p.department)]
    return render_template("pages/signin.html", departments=departments, next=request.args.get("next", "/"))


@local_bp.post("/signin")
def signin_post():
    """Sign in as the chosen demo person."""
    employee_id = request.form.get("employee_id", "")
    person = svc.get_person(wiring().uow(), employee_id) if is_id(employee_id) else None
    if person is None or not person.active:
        raise ValidationFailed("Choose an active person to sign in as.", {"employee_id": ["unknown person"]})
    csrf = session.get("csrf")
    session.clear()  # a new identity gets a fresh session (no fixation)
    session.permanent = True
    session["employee_id"] = person.employee_id
    if csrf:
        session["csrf"] = csrf
    target = request.form.get("next", "/")
    return redirect(safe_next(target, "/"))
