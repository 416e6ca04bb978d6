"""Notification pages (issue 28, point 5): a person's own choice of channel and timing; HR's chat connections,
each with a "send a test message" button. Plain forms, answered by a redirect with a message."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for

from service.domain.notifications import MAX_SECRET, MODES, Timing
from service.services import notifications as svc
from service.views.labels import labelled_options
from service.web import forms
from service.web.api_notifications import ConnectInSchema, PreferenceInSchema, chat_secrets, chat_sender
from service.web.form_flow import OnRefusal, attempt, form_page, invalid
from service.web.page_helpers import page_principal
from service.web.versioning import form_version
from service.web.wiring import wiring

bp = Blueprint("pages_notifications", __name__)


def _mine_page(values: dict[str, Any], errors: forms.Errors, message: str, status: int):
    mine = svc.my_notifications(wiring().uow(), page_principal())
    return form_page(
        "pages/notifications.html",
        errors,
        status,
        mine=mine,
        values=values or {"channel": mine.channel.value, "timing": mine.timing.value},
        message=message,
        channels=labelled_options(mine.available),
        timings=labelled_options(Timing),
    )


@bp.get("/me/notifications")
def mine():
    """My notification choice: where my messages go and when."""
    return _mine_page({}, {}, "", 200)


@bp.post("/me/notifications")
def save_mine():
    """Save my choice, then show it."""
    raw = {k: request.form.get(k, "")[:100] for k in ("channel", "timing")}
    refusal = OnRefusal(form=lambda e, m, s: _mine_page(raw, e, m, s), back=url_for("pages_notifications.mine"))
    data, errors = forms.load(PreferenceInSchema(), raw)
    invalid(errors, "Not saved: choose a channel and a timing.", refusal)
    w = wiring()
    saved = attempt(
        lambda: svc.set_my_notifications(
            w.uow(), page_principal(), data, form_version(request.form.get("version")), w.clock
        ),
        refusal,
    )
    flash(f"Saved: your messages go by {saved.channel.label}, {saved.timing.label.lower()}.", "success")
    return redirect(url_for("pages_notifications.mine"))


def _settings_page(errors: forms.Errors, message: str, status: int, values: dict[str, Any] | None = None):
    return form_page(
        "pages/notification_settings.html",
        errors,
        status,
        channels=svc.channel_statuses(wiring().uow(), page_principal()),
        values=values or {},
        message=message,
        modes={c.value: labelled_options(MODES[c]) for c in MODES},
    )


@bp.get("/hr/notifications")
def settings():
    """HR: connect Slack or Microsoft Teams, and send a test message."""
    return _settings_page({}, "", 200)


@bp.post("/hr/notifications/<channel>")
def connect(channel: str):
    """HR: connect one chat channel (its secret to Secrets Manager), then show the settings."""
    svc.require_hr(page_principal())
    raw = {"mode": request.form.get("mode", "")[:100], "secret": request.form.get("secret", "")[: MAX_SECRET + 1]}
    shown = {"channel": channel, "mode": raw["mode"]}  # the secret is never put back on the page
    refusal = OnRefusal(form=lambda e, m, s: _settings_page(e, m, s, shown), prefix="Not connected")
    data, errors = forms.load(ConnectInSchema(), raw)
    invalid(errors, "Not connected: choose how, and paste its token or webhook address.", refusal)
    w = wiring()
    status = attempt(
        lambda: svc.connect_channel(w.uow(), page_principal(), chat_secrets(w), channel, data, w.clock), refusal
    )
    flash(f"{status.channel.label} is connected ({status.mode.label if status.mode else ''}).", "success")
    return redirect(url_for("pages_notifications.settings"))


@bp.post("/hr/notifications/<channel>/test")
def test(channel: str):
    """HR: send a test message on a connected channel and say whether it arrived."""
    w = wiring()
    refusal = OnRefusal(back=url_for("pages_notifications.settings"), prefix="Not sent")
    result = attempt(
        lambda: svc.send_test_message(w.uow(), page_principal(), chat_secrets(w), chat_sender(w), channel), refusal
    )
    flash(result.detail, "success" if result.delivered else "error")
    return redirect(url_for("pages_notifications.settings"))
