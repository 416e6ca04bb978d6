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
from service.web.lazy_routes import LazyBuildRule

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def create_app(
    settings: Settings | None = None,
    table: Table | None = None,
    table_factory: Callable[[], Table] | None = None,
    clock: Clock | None = None,
    lazy_blueprints: bool = False,
    record_routes: dict | None = None,
) -> Flask:
    """Build the web app; adapters default to the real ones, created lazily.

    `lazy_blueprints` (the Lambda handler): the blueprints are imported and registered when a request first needs
    one (web/blueprints.py), so a cold start answering `/healthz` does not import them. `record_routes` collects
    each blueprint's routes (blueprints.route_table).
    """
    from service.web import auth, health, page_helpers, prefetch, static, untrusted
    from service.web.blueprints import App, Blueprints
    from service.web.errors import register_error_handlers
    from service.web.precompiled import use_compiled
    from service.web.wiring import Wiring, dynamo_table_factory

    settings = settings or load_settings()
    # issue 25: dates and amounts, pages and emails (and issue 28: the time zone)
    use_organisation_formats(settings.locale, settings.currency, settings.time_zone)
    if settings.deployed and settings.auth_mode != "jwt":
        raise ConfigError("the local sign-in cannot run in a deployed stack")
    require_session_key(settings)
    app = App(__name__, template_folder=str(TEMPLATES), static_folder=str(TEMPLATES / "static"))
    app.url_rule_class = LazyBuildRule  # every route registered, each URL builder compiled when first used
    use_compiled(app, settings)  # deployed: the page templates the build compiled (web/precompiled.py)
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
    wiring = Wiring(settings, table_factory or dynamo_table_factory(settings), clock or Clock(settings.time_zone))
    app.extensions["reviews"] = wiring
    if settings.session_secret_id:
        from service.web.sessions import SecretKeySessionInterface

        app.session_interface = SecretKeySessionInterface(wiring)
    untrusted.install(app)
    prefetch.install(app)
    auth.install(app)
    page_helpers.install(app)
    register_error_handlers(app, views=False)  # the views' own errors come with the blueprints (below)
    health.install(app, wiring)
    static.install(app)
    blueprints = app.extensions["blueprints"] = Blueprints(app, lazy=lazy_blueprints)
    blueprints.recorded = record_routes
    blueprints.add("pages")
    blueprints.add("pages_history")
    blueprints.add("pages_session")
    blueprints.add("pages_reviews")
    blueprints.add("pages_hr")
    blueprints.add("pages_goals")
    blueprints.add("pages_training")
    blueprints.add("pages_learning")
    blueprints.add("pages_learning_plan")  # issue 27: the learning plan people own (pages, API, record PDF)
    blueprints.add("api_learning_plan")
    blueprints.add("learning_record_pdf")
    blueprints.add("pages_feedback")
    blueprints.add("pages_decisions")  # issue 27
    blueprints.add("pages_diagnosis")  # issue 27: where problems sit, the improvement plan
    blueprints.add("process_feedback")  # issue 27: feedback on the process
    blueprints.add("pages_calibration")  # issue 23: calibration
    blueprints.add("pages_put_away")  # issue 28: archive, restore, delete a draft
    blueprints.add("pages_checkins")  # issue 28: goal check-ins
    blueprints.add("pages_one_to_ones")  # issue 28: one-to-ones
    blueprints.add("pages_delegation")  # issue 28: acting managers, contributions
    blueprints.add("pages_schedules")  # issue 28: scheduled reviews
    blueprints.add("pages_notifications")  # issue 28: notifications where people work
    if settings.auth_mode == "local":
        blueprints.add("pages_session", "local_bp")
    else:
        blueprints.add("signin", "install")
    blueprints.add("api_directory")
    blueprints.add("api_reviews")
    blueprints.add("summaries")  # issue 11: appraisal summary PDFs
    blueprints.add("training_pdf")  # issue 10: the training-need report as PDF
    blueprints.add("calibration_pdf")  # issue 23: calibration reports as PDF
    blueprints.add("exports")  # issue 11: bulk exports of summaries
    blueprints.add("api_goals")
    blueprints.add("api_training")
    blueprints.add("api_learning")
    blueprints.add("api_feedback")
    blueprints.add("api_decisions")  # issue 27: personnel decisions
    blueprints.add("api_diagnosis")  # issue 27: where problems sit, the improvement plan
    blueprints.add("api_calibration")  # issue 23: calibration
    blueprints.add("api_one_to_ones")  # issue 28: one-to-ones
    blueprints.add("api_delegation")  # issue 28: acting managers, contributions
    blueprints.add("api_schedules")  # issue 28: scheduled reviews
    blueprints.add("api_notifications")  # issue 28: notifications where people work
    blueprints.add("personal_data")  # a person downloads their own data
    blueprints.add("openapi")
    blueprints.add("errors", "register_view_errors")  # the errors only views raise, with the views

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
