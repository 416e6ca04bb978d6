"""The organisation's day: the app and the functions count deadlines on ORG_TIME_ZONE's wall (`Clock.zone`); the
deadlines themselves are tested in tests/unit/test_feedback_usecases.py and test_domain_feedback_release.py."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from service.adapters.clock import Clock, FixedClock, iso
from service.adapters.store import MemoryTable
from service.config import Settings, load_settings
from service.web import create_app

KEY = "organisation-clock-" + "k" * 24


def test_the_apps_clock_is_on_the_organisations_wall():
    from service.adapters.documents import organisation_time_zone, use_organisation_formats

    app = create_app(Settings(secret_key=KEY, time_zone="Pacific/Auckland"), table=MemoryTable())
    zone = organisation_time_zone()
    use_organisation_formats("en-GB", "EUR")  # the process's formats back to the default for the tests that follow
    clock = app.extensions["reviews"].clock
    assert clock.zone == ZoneInfo("Pacific/Auckland") and zone == "Pacific/Auckland"  # pages print instants there
    assert clock.now().date() == datetime.now(ZoneInfo("Pacific/Auckland")).date()
    assert load_settings({"ORG_TIME_ZONE": "Asia/Kolkata"}).time_zone == "Asia/Kolkata"


def test_an_instant_is_stored_in_utc_whatever_the_wall():
    evening = datetime(2026, 3, 20, 22, 30, tzinfo=ZoneInfo("America/New_York"))
    assert iso(FixedClock(evening).now()) == "2026-03-21T02:30:00.000Z"
    assert Clock().zone is UTC and Clock("Europe/Berlin").now().utcoffset() is not None


def test_an_instant_on_the_organisations_wall_is_said_in_utc_where_the_page_says_utc():
    from service.domain.formats import when

    evening = datetime(2026, 3, 20, 22, 30, tzinfo=ZoneInfo("America/New_York"))
    assert when(evening) == "21 Mar 2026, 02:30 UTC"
