"""Periodic tasks, on SQLite and PostgreSQL: each scheduled time runs once across workers, a new
schedule starts from now, and downtime is made up by one run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import kwik.db
from kwik.contrib.tasks import JobState, Worker
from kwik.contrib.tasks.schedules import ScheduleKeeper
from tests.contrib.tasks.conftest import job_count, runs

pytestmark = pytest.mark.usefixtures("queue")

START = datetime(2024, 5, 1, 10, 2, tzinfo=UTC)
"""A moment between two runs of `every_five_minutes` (10:00 and 10:05)."""


def keeper() -> ScheduleKeeper:
    from tests.contrib.tasks.jobs.tasks import every_five_minutes

    return ScheduleKeeper([every_five_minutes])


async def last_run_at() -> datetime | None:
    from kwik.contrib.tasks.models import Schedule

    async with kwik.db.session() as session:
        return await session.scalar(select(Schedule.last_run_at))


async def test_a_schedule_seen_for_the_first_time_starts_from_now():
    made = await keeper().fire_due(START)

    assert made == []
    assert await last_run_at() == START
    assert await job_count() == 0


async def test_two_workers_run_a_scheduled_time_once():
    await keeper().fire_due(START)  # the schedule exists since 10:02
    later = START + timedelta(minutes=4)  # 10:06: the 10:05 run is due

    first = Worker(clock=lambda: later)
    second = Worker(clock=lambda: later)
    await asyncio.gather(first.drain(), second.drain())

    assert await runs("cron") == ["cron"]
    assert await job_count(state=JobState.SUCCEEDED) == 1
    assert await last_run_at() == datetime(2024, 5, 1, 10, 5, tzinfo=UTC)


async def test_racing_keepers_enqueue_a_scheduled_time_once():
    await keeper().fire_due(START)
    later = START + timedelta(minutes=4)

    made = await asyncio.gather(*(keeper().fire_due(later) for _ in range(8)))

    assert sum(len(handles) for handles in made) == 1
    assert await job_count() == 1


async def test_downtime_is_made_up_by_one_run_for_the_latest_missed_time():
    await keeper().fire_due(START)
    after_downtime = START + timedelta(hours=3, minutes=1)  # 13:03: 36 runs were missed

    made = await keeper().fire_due(after_downtime)
    again = await keeper().fire_due(after_downtime + timedelta(minutes=1))

    assert len(made) == 1
    assert again == []
    assert await last_run_at() == datetime(2024, 5, 1, 13, 0, tzinfo=UTC)


async def test_the_next_time_is_the_earliest_among_the_periodic_tasks():
    assert keeper().next_time(START) == datetime(2024, 5, 1, 10, 5, tzinfo=UTC)
    assert ScheduleKeeper([]).next_time(START) is None


async def test_only_workers_serving_the_tasks_queue_schedule_it():
    await keeper().fire_due(START)
    later = START + timedelta(minutes=4)

    await Worker(queues=["other"], clock=lambda: later).drain()

    assert await job_count() == 0
