"""Settings, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

AUTH_MODES = ("local", "jwt")


class ConfigError(RuntimeError):
    """The environment describes a configuration the service refuses to run with."""


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    table_name: str = "reviews"
    region: str = "eu-west-1"
    endpoint_url: str | None = None
    auth_mode: str = "local"
    secret_key: str = "local-development-only"  # noqa: S105 - replaced when deployed (checked)
    deployed: bool = False
    employee_id_claim: str = "custom:employee_id"
    queue_url: str | None = None
    mail_from: str = "reviews@example.com"
    outbox_dir: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    session_minutes: int = 30
    session_max_hours: int = 12
    token_days: int = 30
    mail_rehearsal_to: tuple[str, ...] = ()  # issue 21: a rehearsal - every email goes to these HR addresses
    # Deployed sign-in (issue 12): the web function's secret (session key, app client id), the pool, its hosted UI.
    session_secret_id: str | None = None
    user_pool_id: str | None = None
    hosted_ui_domain: str | None = None
    signin_failures_allowed: int = 10
    goal_visibility: str = "chain"  # individual goals: "chain" (owner, their managers, HR) or "everyone"
    # Issue 21: the SES configuration set that publishes bounces and complaints (none locally).
    ses_configuration_set: str | None = None
    # Issue 25: the organisation's default locale (dates, times) and the currency its costs are in (ISO 4217).
    locale: str = "en-GB"
    currency: str = "EUR"
    # Issue 28: the organisation's time zone (IANA), for people with none of their own (ORG_TIME_ZONE).
    time_zone: str = "UTC"
    # Issue 28: the Secrets Manager secret holding the chat channels' tokens and webhooks (none: kept in memory).
    notification_secret_id: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests and the local run use it)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _rehearsal_recipients(value: str) -> tuple[str, ...]:
    """HR's addresses of a rehearsal, from a comma-separated setting (blank: the deployment is live)."""
    addresses = tuple(a.strip() for a in value.split(",") if a.strip())
    bad = [a for a in addresses if a.count("@") != 1 or a.startswith("@") or a.endswith("@")]
    if bad:
        raise ConfigError(f"MAIL_REHEARSAL_TO holds something that is not an address: {', '.join(bad)}")
    return addresses


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment; refuse combinations that would be unsafe."""
    env = os.environ if environ is None else environ
    deployed = bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
    auth_mode = env.get("AUTH_MODE", "jwt" if deployed else "local")
    if auth_mode not in AUTH_MODES:
        raise ConfigError(f"AUTH_MODE must be one of {', '.join(AUTH_MODES)}, not {auth_mode!r}")
    if deployed and auth_mode != "jwt":
        # The local sign-in lets anyone act as anyone: it must never run inside Lambda.
        raise ConfigError("AUTH_MODE=local is refused inside AWS Lambda; deployed identity is JWT only")
    # Only the web function signs sessions, and it reads its key from Secrets Manager (SESSION_SECRET_ID) at
    # cold start: the other functions need no key at all (`require_session_key` is the web app's check).
    secret = env.get("SECRET_KEY", "")
    return Settings(
        table_name=env.get("TABLE_NAME", "reviews"),
        region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "eu-west-1")),
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        auth_mode=auth_mode,
        secret_key=secret or "local-development-only",
        deployed=deployed,
        employee_id_claim=env.get("EMPLOYEE_ID_CLAIM", "custom:employee_id"),
        queue_url=env.get("QUEUE_URL") or None,
        # Deployed, nothing is assumed: a function that mails needs both from its template (`require_mail`).
        mail_from=env.get("MAIL_FROM", "" if deployed else "reviews@example.com"),
        outbox_dir=env.get("OUTBOX_DIR") or None,
        base_url=env.get("BASE_URL", "" if deployed else "http://127.0.0.1:8000"),
        session_minutes=int(env.get("SESSION_MINUTES", "30")),
        token_days=int(env.get("TOKEN_DAYS", "30")),
        mail_rehearsal_to=_rehearsal_recipients(env.get("MAIL_REHEARSAL_TO", "")),
        session_secret_id=env.get("SESSION_SECRET_ID") or None,
        user_pool_id=env.get("COGNITO_USER_POOL_ID") or None,
        hosted_ui_domain=env.get("COGNITO_DOMAIN") or None,
        goal_visibility=_goal_visibility(env.get("GOAL_VISIBILITY", "chain")),
        ses_configuration_set=env.get("SES_CONFIGURATION_SET") or None,
        locale=_choice("ORG_LOCALE", env.get("ORG_LOCALE", "en-GB"), LOCALES),
        currency=_currency(env.get("ORG_CURRENCY", "EUR")),
        time_zone=_time_zone(env.get("ORG_TIME_ZONE", "UTC")),
        notification_secret_id=env.get("NOTIFICATION_SECRET_ID") or None,
    )


LOCALES = ("en-GB", "en-US")  # the locales service/views/labels.py has a format for


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _currency(value: str) -> str:
    if len(value) != 3 or not value.isascii() or not value.isalpha() or not value.isupper():
        raise ConfigError(f"ORG_CURRENCY must be an ISO 4217 code such as EUR, not {value!r}")
    return value


def _time_zone(value: str) -> str:
    if value == "UTC":
        return value  # an organisation on UTC never loads zoneinfo (domain/time_zones.py)
    from zoneinfo import available_timezones

    if value not in available_timezones():
        raise ConfigError(f"ORG_TIME_ZONE must be an IANA time zone such as Europe/Berlin, not {value!r}")
    return value


def _goal_visibility(value: str) -> str:
    if value not in ("chain", "everyone"):
        raise ConfigError(f"GOAL_VISIBILITY must be chain or everyone, not {value!r}")
    return value


def require_session_key(settings: Settings) -> None:
    """Refuse a deployed web app that has no way to sign sessions (a secret to read, or a long key)."""
    if settings.deployed and not settings.session_secret_id and len(settings.secret_key) < 32:
        raise ConfigError("the deployed web function needs SESSION_SECRET_ID (or a SECRET_KEY of 32+ characters)")


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0")  # noqa: S104 - names, not a bind


def require_mail(settings: Settings) -> None:
    """Refuse to mail from a deployed function without a sender, or with links nobody outside could open."""
    if not settings.deployed:
        return
    if not settings.mail_from:
        raise ConfigError("this function sends email but has no MAIL_FROM (template.yaml: its Environment)")
    from urllib.parse import urlsplit

    host = urlsplit(settings.base_url).hostname or ""
    if not settings.base_url.startswith("https://") or host in LOOPBACK_HOSTS or host.startswith("127."):
        raise ConfigError(f"links in emails need an https BASE_URL people can open, not {settings.base_url!r}")
