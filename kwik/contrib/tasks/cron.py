"""Cron expressions: the five-field schedules of periodic tasks (`cron="*/5 * * * *"`).

Kwik reads the fields Vixie cron reads, in UTC: minute (0-59), hour (0-23), day of month (1-31),
month (1-12 or jan-dec), day of week (0-7 or sun-sat, 0 and 7 both Sunday). Each field is `*`, a
value, a range `a-b`, a step `*/n`, `a-b/n` or `a/n`, or a comma-separated list of those. When
both day fields are restricted a day matches either (`0 0 1 * mon` is the 1st and every Monday),
as in cron. `@hourly`, `@daily` (`@midnight`), `@weekly`, `@monthly` and `@yearly`
(`@annually`) are shorthands.

A small parser of our own rather than a dependency: the grammar is small and fixed, and the
worker needs just two questions answered, the next time after a moment and the latest time at or
before one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["CronExpression"]

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    names_start: int = 0

    def value(self, text: str, expression: str) -> int:
        lowered = text.lower()
        if lowered in self.names:
            return self.names.index(lowered) + self.names_start
        if not text.isdigit():
            raise ValueError(
                f"Cron expression {expression!r}: {self.name} {text!r} is not a number"
            )
        number = int(text)
        if not self.low <= number <= self.high:
            raise ValueError(
                f"Cron expression {expression!r}: {self.name} {number} is outside "
                f"{self.low}-{self.high}"
            )
        return number

    def parse(self, text: str, expression: str) -> frozenset[int]:
        values: set[int] = set()
        for part in text.split(","):
            span, slash, step_text = part.partition("/")
            step = 1
            if slash:
                if not step_text.isdigit() or int(step_text) == 0:
                    raise ValueError(
                        f"Cron expression {expression!r}: step {step_text!r} in {self.name} "
                        "must be a whole number above 0"
                    )
                step = int(step_text)
            if span == "*":
                start, end = self.low, self.high
            elif "-" in span:
                first, _, last = span.partition("-")
                start, end = self.value(first, expression), self.value(last, expression)
                if start > end:
                    raise ValueError(
                        f"Cron expression {expression!r}: range {span!r} in {self.name} runs "
                        "backwards"
                    )
            else:
                start = self.value(span, expression)
                end = self.high if slash else start
            values.update(range(start, end + 1, step))
        return frozenset(values)


FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, tuple(MONTHS), 1),
    _Field("day of week", 0, 7, tuple(WEEKDAYS), 0),
)
_SEARCH_LIMIT = timedelta(days=366 * 8)
"""Far enough to find a February 29th on a given weekday, the rarest schedule that exists."""


class CronExpression:
    """A parsed five-field schedule.

    Example:
        every_five = CronExpression("*/5 * * * *")
        every_five.next_after(datetime(2024, 5, 1, 10, 2, tzinfo=UTC))  # 10:05
    """

    def __init__(self, expression: str) -> None:
        self.expression = expression
        text = MACROS.get(expression.strip().lower(), expression)
        parts = text.split()
        if len(parts) != 5:
            raise ValueError(
                f"Cron expression {expression!r} has {len(parts)} fields; it needs 5: minute, "
                "hour, day of month, month, day of week (e.g. '*/5 * * * *')"
            )
        sets = [field.parse(part, expression) for field, part in zip(FIELDS, parts, strict=True)]
        self.minutes, self.hours, self.days, self.months, weekdays = sets
        self.weekdays = frozenset(day % 7 for day in weekdays)
        self._days_restricted = parts[2] != "*"
        self._weekdays_restricted = parts[4] != "*"
        if self._search(datetime(2000, 1, 1, tzinfo=UTC), forward=True) is None:
            raise ValueError(f"Cron expression {expression!r} never matches a date")

    def __repr__(self) -> str:
        return f"CronExpression({self.expression!r})"

    def matches_day(self, moment: datetime) -> bool:
        in_month = moment.day in self.days
        in_week = (moment.isoweekday() % 7) in self.weekdays
        if self._days_restricted and self._weekdays_restricted:
            return in_month or in_week
        if self._days_restricted:
            return in_month
        if self._weekdays_restricted:
            return in_week
        return True

    def next_after(self, moment: datetime) -> datetime:
        """The first scheduled minute strictly after `moment` (aware; returned in UTC)."""
        start = _utc_minute(moment) + timedelta(minutes=1)
        found = self._search(start, forward=True)
        assert found is not None  # __init__ proved that the schedule matches some date
        return found

    def latest_at_or_before(self, moment: datetime) -> datetime | None:
        """The last scheduled minute at or before `moment`, None if there is none in 8 years."""
        return self._search(_utc_minute(moment), forward=False)

    def _search(self, candidate: datetime, *, forward: bool) -> datetime | None:
        limit = candidate + (_SEARCH_LIMIT if forward else -_SEARCH_LIMIT)
        while (candidate <= limit) if forward else (candidate >= limit):
            if candidate.month not in self.months:
                candidate = _next_month(candidate) if forward else _month_start(candidate)
            elif not self.matches_day(candidate):
                candidate = _next_day(candidate) if forward else _day_start(candidate)
            elif candidate.hour not in self.hours:
                candidate = _next_hour(candidate) if forward else _hour_start(candidate)
            elif candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1 if forward else -1)
            else:
                return candidate
        return None


def _utc_minute(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: give it a time zone, e.g. datetime.now(UTC)")
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _next_month(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return moment.replace(year=year, month=month, day=1, hour=0, minute=0)


def _next_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0) + timedelta(days=1)


def _next_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0) + timedelta(hours=1)


# Going backwards, each step lands on the last minute before the unit that didn't match.
def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0) - timedelta(minutes=1)


def _day_start(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0) - timedelta(minutes=1)


def _hour_start(moment: datetime) -> datetime:
    return moment.replace(minute=0) - timedelta(minutes=1)
