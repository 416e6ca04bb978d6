"""The reminders function, run daily by EventBridge Scheduler."""

from __future__ import annotations

from typing import Any

from service.adapters.clock import Clock
from service.adapters.factory import build_mailer, build_table
from service.config import load_settings
from service.services.reminders import send_reminders


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Send today's reminders and escalations."""
    settings = load_settings()
    return send_reminders(build_table(settings), build_mailer(settings), Clock(), settings.base_url)
