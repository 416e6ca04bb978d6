"""What every page module shares: the signed-in person, today, a deadline for display, the way back, and the
Jinja filters and globals every page template may use (`install`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, redirect, request, url_for

from service.domain.directory import Role
from service.domain.errors import NotAuthenticated
from service.domain.goals import NEEDS_ATTENTION
from service.views import labels
from service.web.auth import optional_principal
from service.web.untrusted import safe_next
from service.web.wiring import wiring

if TYPE_CHECKING:
    from service.domain.learning import Activity
    from service.services.auth import Principal
    from service.services.learning import EvidencePanel
    from service.services.one_to_ones import MeetingEvidence
    from service.services.reviews import ReviewView

# Who a goal page would be for; the navigation shows it only once such a page exists (no dead link).
GOALS_ENDPOINT = "pages_goals.index"


def page_principal() -> Principal:
    """The signed-in person; a page asked for without one goes to the sign-in and comes back (?next=)."""
    principal = optional_principal()
    if principal is None:
        if not form_sent():
            target = request.full_path.rstrip("?")
            local = wiring().settings.auth_mode == "local"
            abort(redirect(url_for("local_signin.signin" if local else "cognito_signin.login", next=target)))
        raise NotAuthenticated("sign in first")
    return principal


def form_sent() -> bool:
    """Whether the request sends a page's form (a POST); a GET, or a HEAD (a GET without its body), only draws the
    page and writes nothing."""
    return request.method == "POST"


def today() -> date:
    """Today on the organisation's clock (`Clock.zone`, ORG_TIME_ZONE): the day deadlines are counted against."""
    return wiring().clock.now().date()


def due_info(due: date | str | None, on: date | None = None) -> dict[str, Any] | None:
    """A deadline for display: the date, days left, overdue or not, and a phrase."""
    if due is None or due == "":
        return None
    day = date.fromisoformat(due) if isinstance(due, str) else due
    days = (day - (on or today())).days
    if days < 0:
        phrase = f"overdue by {-days} day{'s' if days != -1 else ''}"
    elif days == 0:
        phrase = "due today"
    else:
        phrase = f"due in {days} day{'s' if days != 1 else ''}"
    return {"date": day, "days": days, "overdue": days < 0, "phrase": phrase}


def back_to(default: str) -> str:
    """A same-site path from the form's `next` field, or the default."""
    return safe_next(request.form.get("next"), default)


# Each picker's search box and Search button (issue 25; pages/_picker_form.html).
PICKERS = {"people": ("people_q", "find_people"), "need": ("need_q", "find_need")}


def picker_search(form: Any, picker: str) -> bool:
    """Whether a page's form was sent to search its picker, to be drawn again as typed with the matches and nothing
    saved: by its Search button, or by Enter (the form's hidden main button, `enter`) while the search box holds
    a query other than the one whose matches are shown, since Enter in the search box searches."""
    query, button = PICKERS[picker]
    if button in form:
        return True
    typed = (form.get(query) or "").strip()
    return "enter" in form and bool(typed) and typed != (form.get(f"{query}_shown") or "").strip()


def came_from() -> str | None:
    """The same-site page the browser came from (its Referer), unless it is this page: an error page's way back to
    where the person can act."""
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host:
        return None
    path = safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), "")
    return path if path and path != request.full_path.rstrip("?") else None


def reports_menu() -> list[tuple[str, str]]:
    """The Reports menu of the signed-in person: (label, url) of each report they may see (none: no menu)."""
    principal = optional_principal()
    from service.services import policy

    if principal is None or not policy.may_see_reports(principal):
        return []
    items = [("Goal alignment", url_for("pages_goals.alignment"))]
    if has_endpoint("pages_training.report"):
        items.append(("Training needs", url_for("pages_training.report")))
    if principal.has(Role.HR):
        items.append(("Cycle progress", url_for("pages_hr.cycles")))
    if has_endpoint("pages_decisions.counts") and policy.may_see_decision_counts(principal):
        items.append(("Personnel decisions", url_for("pages_decisions.counts")))
    if has_endpoint("pages_diagnosis.diagnosis") and policy.may_see_diagnosis(principal):
        items.append(("Where problems sit", url_for("pages_diagnosis.diagnosis")))
    return items


def page_globals() -> dict[str, Any]:
    """What every page template may use."""
    return {
        # The expiry warning is for the cookie session of the local sign-in; deployed, Cognito's tokens decide.
        "session_seconds": int(current_app.permanent_session_lifetime.total_seconds())
        if wiring().settings.auth_mode == "local"
        else 0,
        "has_endpoint": has_endpoint,
        "goals_endpoint": GOALS_ENDPOINT,
        "Role": Role,
        "fid": field_id,
        "reports_menu": reports_menu,
        "goal_attention": NEEDS_ATTENTION,
        "came_from": came_from,
        "locale": labels.current_format().code,
        "currency": labels.currency(),
    }


def use_person_formats() -> None:
    """Dates and times in the person's locale (their browser's English, else the organisation's), amounts in the
    organisation's currency, for this request (put back when it ends)."""
    settings = wiring().settings
    locale = labels.choose_locale(request.accept_languages.values(), settings.locale)
    g.restore_formats = labels.use_formats(locale, settings.currency)


def restore_formats(_exc: BaseException | None = None) -> None:
    """The formats in use before the request: nothing of one request's locale outlives it in its thread."""
    restore = g.pop("restore_formats", None)
    if restore is not None:
        restore()


def field_id(name: str) -> str:
    """A form field's element id (web/forms.py, which imports marshmallow: loaded by the first page with a form)."""
    from service.web import forms

    return forms.field_id(name)


def humanise(message: str) -> str:
    """A form message as a sentence (web/forms.py)."""
    from service.web import forms

    return forms.humanise(message)


def has_endpoint(name: str) -> bool:
    """Does the app serve this endpoint (registered, or in the route table when it registers blueprints lazily)?"""
    return current_app.extensions["blueprints"].serves(name)


def learning_evidence(view: ReviewView) -> EvidencePanel:
    """The learning activities picked into a review, and whether the reader may comment (review pages)."""
    from service.services import learning

    return learning.evidence_panel(wiring().uow(), page_principal(), view.cycle_id, view.employee_id)


def learning_picks(view: ReviewView) -> list[Activity]:
    """My activities inside the review's period, to pick in my self assessment (review pages)."""
    from service.services import learning

    principal = page_principal()
    if principal.employee_id != view.employee_id:
        return []
    return learning.activities_for_cycle(wiring().uow(), principal, view.cycle_id)


def one_to_one_evidence(view: ReviewView) -> list[MeetingEvidence]:
    """The one-to-ones pulled into a review (shared notes and actions), for the pair only (review pages)."""
    from service.services import one_to_ones

    return one_to_ones.review_evidence(wiring().uow(), page_principal(), view.cycle_id, view.employee_id)


def sees_learning_report() -> bool:
    """Whether the reader sees the learning report (the learning pages' navigation asks it, so no page can lose it)."""
    from service.services import policy

    principal = optional_principal()
    return principal is not None and policy.may_see_learning_report(principal)


def install(app: Flask) -> None:
    """Give the app's page templates the label filters, the form messages as sentences and `page_globals`."""
    app.before_request(use_person_formats)
    app.teardown_request(restore_formats)
    for name, fn in labels.FILTERS.items():
        app.add_template_filter(fn, name)
    app.add_template_filter(humanise, "humanise")
    # globals of templates that several blueprints render: here, so none depends on another being registered
    app.add_template_global(learning_evidence, "learning_evidence")
    app.add_template_global(learning_picks, "learning_picks")
    app.add_template_global(one_to_one_evidence, "one_to_one_evidence")
    app.add_template_global(sees_learning_report, "sees_learning_report")
    app.context_processor(page_globals)
