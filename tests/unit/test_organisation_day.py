"""The organisation's date of a stored instant (`formats.day_of`): instants are stored in UTC, and near midnight
UTC the organisation's date is another one in far zones; the behaviours that read it are tested beside them
(test_schedules.py, test_goal_services.py, test_feedback_usecases.py, test_checkin_reminders.py…)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from service.domain.formats import day_of

NEW_YORK, AUCKLAND = ZoneInfo("America/New_York"), ZoneInfo("Pacific/Auckland")


def test_an_instant_is_read_on_the_organisations_wall():
    assert day_of("2026-03-01T02:30:00.000Z", NEW_YORK) == date(2026, 2, 28)
    assert day_of("2026-03-01T02:30:00+00:00", "America/New_York") == date(2026, 2, 28)
    assert day_of("2026-02-28T12:30:00.000Z", AUCKLAND) == date(2026, 3, 1)
    assert day_of(datetime(2026, 3, 1, 2, 30, tzinfo=UTC), NEW_YORK) == date(2026, 2, 28)


def test_in_utc_an_instant_is_the_date_it_starts_with():
    assert day_of("2026-03-01T02:30:00.000Z") == date(2026, 3, 1)
    assert day_of("2026-03-01T23:59:59.999Z", UTC) == date(2026, 3, 1)
    assert day_of("2026-03-01T23:59:59.999Z", None) == date(2026, 3, 1)


def test_a_date_or_a_wall_clock_time_is_the_date_it_says_in_any_zone():
    assert day_of("2026-03-01", AUCKLAND) == date(2026, 3, 1)
    assert day_of(date(2026, 3, 1), NEW_YORK) == date(2026, 3, 1)
    assert day_of("2026-03-01T23:30", AUCKLAND) == date(2026, 3, 1)  # a 'datetime-local' someone typed


def test_nothing_is_no_day_and_text_that_is_no_date_is_refused():
    assert day_of(None, NEW_YORK) is None and day_of("", NEW_YORK) is None
    with pytest.raises(ValueError):
        day_of("next week", NEW_YORK)


@pytest.mark.parametrize(
    "zone, at, day",
    [
        (NEW_YORK, "2026-03-02T02:30:00.000Z", "2026-03-01"),  # 21:30 on 1 March in New York
        (AUCKLAND, "2026-03-01T12:30:00.000Z", "2026-03-02"),  # 01:30 on 2 March in Auckland
        (UTC, "2026-03-02T02:30:00.000Z", "2026-03-02"),
    ],
)
def test_the_progress_chart_puts_a_check_in_on_the_organisations_day(zone, at, day):
    from service.views.progress_chart import progress_chart

    history = [{"at": "2026-02-20T12:00:00.000Z", "progress": 10}, {"at": at, "progress": 40}]
    chart = str(progress_chart(history, None, zone))
    assert f"latest 40% on {day}" in chart and f">{day}</text>" in chart  # the description and the axis


def test_a_page_prints_a_stored_instant_on_the_organisations_wall():
    from service.domain import formats

    late = "2026-03-02T02:30:00.000Z"  # 21:30 on 1 March in New York, 15:30 on 2 March in Auckland
    assert formats.day(late, "en-GB", NEW_YORK) == "1 Mar 2026"
    assert formats.when(late, "en-GB", NEW_YORK) == "1 Mar 2026, 21:30 EST"
    assert formats.when(late, "en-US", "America/New_York") == "Mar 1, 2026, 9:30 PM EST"
    assert formats.day("2026-03-01T12:30:00.000Z", "en-GB", AUCKLAND) == "2 Mar 2026"
    assert formats.when("2026-03-01T12:30:00.000Z", "en-GB", AUCKLAND) == "2 Mar 2026, 01:30 NZDT"
    # In UTC, as before; and a date someone typed is that date anywhere.
    assert (formats.day(late), formats.when(late)) == ("2 Mar 2026", "2 Mar 2026, 02:30 UTC")
    assert formats.day("2026-03-01", "en-GB", AUCKLAND) == "1 Mar 2026"


def test_the_filters_of_pages_pdfs_and_emails_read_the_organisations_zone():
    from service.adapters.documents import _environment, use_organisation_formats
    from service.views import labels

    email = _environment().from_string("{{ at|day }} / {{ at|when }}")
    use_organisation_formats("en-GB", "EUR", "America/New_York")
    try:
        assert labels.day("2026-03-02T02:30:00.000Z") == "1 Mar 2026"  # pages and PDFs
        assert labels.FILTERS["when"]("2026-03-02T02:30:00.000Z") == "1 Mar 2026, 21:30 EST"
        assert labels.day("2026-03-02") == "2 Mar 2026"
        assert email.render(at="2026-03-02T02:30:00.000Z") == "1 Mar 2026 / 1 Mar 2026, 21:30 EST"
    finally:
        use_organisation_formats("en-GB", "EUR")
    assert labels.when("2026-03-02T02:30:00.000Z") == "2 Mar 2026, 02:30 UTC"
