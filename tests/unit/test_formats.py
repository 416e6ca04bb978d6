"""One way to write a date, a time, an instant, a score and an amount (issue 25, points 10 and 12)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.adapters.documents import use_organisation_formats
from service.config import LOCALES, ConfigError, load_settings
from service.domain import formats
from service.views import labels


@pytest.fixture(autouse=True)
def organisation_default():
    """The organisation's default formats, and whatever a test sets for a person put back after it."""
    use_organisation_formats("en-GB", "EUR")
    restore = labels.use_formats("en-GB", "EUR")
    yield
    restore()
    use_organisation_formats("en-GB", "EUR")


def test_british_english_writes_day_month_year_and_a_24_hour_clock():
    assert labels.day("2026-12-10") == "10 Dec 2026"
    assert labels.day(date(2026, 3, 7)) == "7 Mar 2026"
    assert labels.clock("2026-12-05T19:11:03+00:00") == "19:11"
    assert labels.when("2026-12-05T19:11:03+00:00") == "5 Dec 2026, 19:11 UTC"
    assert labels.when(datetime(2026, 12, 5, 7, 5, tzinfo=UTC)) == "5 Dec 2026, 07:05 UTC"
    assert labels.local_time("2026-12-10T15:00") == "10 Dec 2026, 15:00"


def test_american_english_writes_month_day_year_and_a_12_hour_clock():
    labels.use_formats("en-US")  # put back by the fixture
    assert labels.day("2026-12-10") == "Dec 10, 2026"
    assert labels.clock("2026-12-05T19:11:03+00:00") == "7:11 PM"
    assert labels.clock("2026-12-05T00:30:00+00:00") == "12:30 AM"
    assert labels.when("2026-12-05T12:00:00+00:00") == "Dec 5, 2026, 12:00 PM UTC"


def test_the_person_gets_their_browsers_english_else_the_organisations_default():
    assert labels.choose_locale(["en-US", "en"], "en-GB") == "en-US"
    assert labels.choose_locale(["de-DE", "en-gb"], "en-US") == "en-GB"
    assert labels.choose_locale(["fr-FR"], "en-US") == "en-US"
    assert labels.choose_locale([], "xx") == "en-GB"


def test_every_locale_the_settings_accept_has_a_format():
    assert set(LOCALES) == set(formats.FORMATS)
    assert load_settings({"ORG_LOCALE": "en-US", "ORG_CURRENCY": "CHF"}).currency == "CHF"
    with pytest.raises(ConfigError, match="ORG_LOCALE"):
        load_settings({"ORG_LOCALE": "fr-FR"})
    with pytest.raises(ConfigError, match="ORG_CURRENCY"):
        load_settings({"ORG_CURRENCY": "euro"})


def test_a_score_has_one_rounding_rule_whole_points_halves_up():
    assert formats.score(70.3) == "70"
    assert formats.score(70.5) == "71"  # not Python's round-half-even (70)
    assert formats.score(72.45) == "72"
    assert formats.score(None) == "—"
    assert formats.score_of_100(70.3) == "70 of 100"
    assert labels.score_sentence({"value": 70.5, "parts": []}).startswith("71 of 100")


def test_amounts_name_the_organisations_currency():
    assert labels.money(4800.0) == "€4,800"
    assert labels.money(1250.5) == "€1,250.50"
    labels.use_formats("en-GB", "CHF")
    assert labels.money(4800) == "CHF 4,800"
    assert labels.money(None) == "—"


def test_a_score_with_every_part_counted_says_nothing_was_rescaled():
    detail = {
        "value": 70.3,
        "parts": [
            {"name": "goals", "weight": 60, "value": 60.0},
            {"name": "competencies", "weight": 40, "value": 85.75},
        ],
    }
    assert labels.score_sentence(detail) == "70 of 100: goals 60 (weight 60%), competencies 86 (40%)"


def test_the_breakdown_beside_a_score_does_not_repeat_the_number():
    detail = {"value": 70.3, "parts": [{"name": "goals", "weight": 100, "value": 70.3}]}
    assert labels.score_breakdown(detail) == "goals 70 (weight 100%)"


def test_outside_a_persons_request_the_organisations_formats_apply():
    import contextvars

    def outside_any_request() -> tuple[str, str]:
        return labels.day("2026-12-10"), labels.money(4800)

    use_organisation_formats("en-US", "USD")
    fresh = contextvars.Context()  # a thread or process that answers no person: no person's formats set
    assert fresh.run(outside_any_request) == ("Dec 10, 2026", "US$4,800")
