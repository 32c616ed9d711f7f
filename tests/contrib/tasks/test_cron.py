"""Cron expressions: the five fields, steps, ranges, lists and names, both day fields, and the
errors a mistyped schedule gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kwik.contrib.tasks import CronExpression

AT = datetime(2024, 5, 1, 10, 2, 30, tzinfo=UTC)  # a Wednesday


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("* * * * *", at(2024, 5, 1, 10, 3)),
        ("*/5 * * * *", at(2024, 5, 1, 10, 5)),
        ("0 * * * *", at(2024, 5, 1, 11, 0)),
        ("30 9 * * *", at(2024, 5, 2, 9, 30)),
        ("0 0 1 * *", at(2024, 6, 1, 0, 0)),
        ("0 0 * * mon", at(2024, 5, 6, 0, 0)),
        ("0 0 * * 7", at(2024, 5, 5, 0, 0)),
        ("0 0 * * 0", at(2024, 5, 5, 0, 0)),
        ("15,45 8-9 * * *", at(2024, 5, 2, 8, 15)),
        ("0 10-18/4 * * *", at(2024, 5, 1, 14, 0)),
        ("5/20 * * * *", at(2024, 5, 1, 10, 5)),
        ("0 0 1 jan *", at(2025, 1, 1, 0, 0)),
        ("0 0 29 feb *", at(2028, 2, 29, 0, 0)),
        ("0 0 1 * fri", at(2024, 5, 3, 0, 0)),  # the 1st or a Friday, as cron reads both
        ("@hourly", at(2024, 5, 1, 11, 0)),
        ("@daily", at(2024, 5, 2, 0, 0)),
        ("@weekly", at(2024, 5, 5, 0, 0)),
        ("@monthly", at(2024, 6, 1, 0, 0)),
        ("@yearly", at(2025, 1, 1, 0, 0)),
    ],
)
def test_the_next_time_after_a_moment(expression, expected):
    assert CronExpression(expression).next_after(AT) == expected


def test_the_next_time_is_strictly_after_a_scheduled_minute():
    assert CronExpression("*/5 * * * *").next_after(at(2024, 5, 1, 10, 5)) == at(2024, 5, 1, 10, 10)


def test_the_latest_time_at_or_before_a_moment():
    every_five = CronExpression("*/5 * * * *")

    assert every_five.latest_at_or_before(AT) == at(2024, 5, 1, 10, 0)
    assert every_five.latest_at_or_before(at(2024, 5, 1, 10, 5)) == at(2024, 5, 1, 10, 5)
    assert CronExpression("0 0 1 jan *").latest_at_or_before(AT) == at(2024, 1, 1, 0, 0)


def test_times_in_other_zones_are_read_in_utc():
    two_hours_ahead = timezone(timedelta(hours=2))
    moment = datetime(2024, 5, 1, 12, 2, tzinfo=two_hours_ahead)  # 10:02 UTC

    assert CronExpression("0 * * * *").next_after(moment) == at(2024, 5, 1, 11, 0)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("* * * *", "has 4 fields; it needs 5: minute, hour, day of month, month, day of week"),
        ("60 * * * *", "minute 60 is outside 0-59"),
        ("* 24 * * *", "hour 24 is outside 0-23"),
        ("* * 0 * *", "day of month 0 is outside 1-31"),
        ("* * * 13 *", "month 13 is outside 1-12"),
        ("* * * * 8", "day of week 8 is outside 0-7"),
        ("*/0 * * * *", "step '0' in minute must be a whole number above 0"),
        ("10-5 * * * *", "range '10-5' in minute runs backwards"),
        ("x * * * *", "minute 'x' is not a number"),
        ("0 0 30 feb *", "never matches a date"),
    ],
)
def test_a_wrong_expression_names_the_problem(expression, message):
    with pytest.raises(ValueError, match=message):
        CronExpression(expression)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="naive datetime"):
        CronExpression("* * * * *").next_after(datetime(2024, 5, 1))
