"""Flask edge: the app factory wiring adapters, blueprints, identity, headers and error mapping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask, request

from service.adapters.clock import Clock
from service.adapters.documents import use_organisation_formats
from service.adapters.store import Table
from service.config import ConfigError, Settings, load_settings, require_session_key

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def create_app(
    settings: Settings | None = None,
    table: Table | None = None,
    table_factory: Callable[[], Table] | None = None,
    clock: Clock | None = None,
) -> Flask:
    """Build the web app; adapters default to the real ones, created lazily."""
    from service.web import (
        api_directory,
        api_feedback,
        api_goals,
        api_learning,
        api_reviews,
        api_training,
        auth,
        exports,
        health,
        openapi,
        page_helpers,
        pages,
        pages_checkins,
        pages_feedback,
        pages_goals,
        pages_history,
        pages_hr,
        pages_learning,
        pages_put_away,
        pages_reviews,
        pages_session,
        pages_training,
        prefetch,
        static,
        summaries,
        training_pdf,
        untrusted,
    )
    from service.web.errors import register_error_handlers
    from service.web.wiring import Wiring, dynamo_table_factory

    settings = settings or load_settings()
    use_organisation_formats(settings.locale, settings.currency)  # issue 25: dates and amounts, pages and emails
    if settings.deployed and settings.auth_mode != "jwt":
        raise ConfigError("the local sign-in cannot run in a deployed stack")
    require_session_key(settings)
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=str(TEMPLATES / "static"))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="__Host-session" if settings.deployed else "session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.deployed,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_minutes),
        JSON_SORT_KEYS=False,
    )
    if table is not None:
        table_factory = lambda: table  # noqa: E731
    wiring = Wiring(settings, table_factory or dynamo_table_factory(settings), clock or Clock())
    app.extensions["reviews"] = wiring
    if settings.session_secret_id:
        from service.web.sessions import SecretKeySessionInterface

        app.session_interface = SecretKeySessionInterface(wiring)
    untrusted.install(app)
    prefetch.install(app)
    auth.install(app)
    page_helpers.install(app)
    register_error_handlers(app)
    health.install(app, wiring)
    static.install(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(pages_history.bp)
    app.register_blueprint(pages_session.bp)
    app.register_blueprint(pages_reviews.bp)
    app.register_blueprint(pages_hr.bp)
    app.register_blueprint(pages_goals.bp)
    app.register_blueprint(pages_training.bp)
    app.register_blueprint(pages_learning.bp)
    app.register_blueprint(pages_feedback.bp)
    app.register_blueprint(pages_put_away.bp)  # issue 28: archive, restore, delete a draft
    app.register_blueprint(pages_checkins.bp)  # issue 28: goal check-ins
    if settings.auth_mode == "local":
        app.register_blueprint(pages_session.local_bp)
    else:
        from service.web import signin

        signin.install(app)
    app.register_blueprint(api_directory.bp)
    app.register_blueprint(api_reviews.bp)
    app.register_blueprint(summaries.bp)  # issue 11: appraisal summary PDFs
    app.register_blueprint(training_pdf.bp)  # issue 10: the training-need report as PDF
    app.register_blueprint(exports.bp)  # issue 11: bulk exports of summaries
    app.register_blueprint(api_goals.bp)
    app.register_blueprint(api_training.bp)
    app.register_blueprint(api_learning.bp)
    app.register_blueprint(api_feedback.bp)
    app.register_blueprint(openapi.bp)

    @app.after_request
    def security_headers(response):
        """Headers every response carries."""
        h = response.headers
        h.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        )
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        if request.path not in ("/api/openapi.json", "/favicon.ico") and not request.path.startswith("/static/"):
            h["Cache-Control"] = "no-store"  # static files set their own (web/static.py)
        if settings.deployed:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    return app
