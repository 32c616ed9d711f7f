"""Periodic tasks: enqueueing each scheduled run of a `cron=` task exactly once, whatever the
number of workers.

Every worker that serves a periodic task's queue keeps an eye on its schedule. When a scheduled
time comes, each of them tries the same conditional update of the task's `tasks_schedule` row,
moving `last_run_at` forward to that time; the database lets one succeed, and only that worker
enqueues the run, in the same transaction. A schedule seen for the first time starts from now:
runs scheduled before a project first deployed the task are not made up. After downtime, one
run is made up for the latest scheduled time missed, not one per missed time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from kwik.contrib.tasks.connections import Executor, dialect_of, transaction
from kwik.contrib.tasks.handles import JobHandle
from kwik.contrib.tasks.task import Task

__all__ = ["ScheduleKeeper"]


class ScheduleKeeper:
    """The periodic tasks among `tasks`, and what is due of them (a worker has one)."""

    def __init__(self, tasks: Iterable[Task[Any, Any]]) -> None:
        self.tasks = [task for task in tasks if task.options.cron is not None]

    def next_time(self, now: datetime) -> datetime | None:
        """The earliest scheduled time after `now` among the tasks, None without any."""
        times = [task.options.cron.next_after(now) for task in self.tasks]  # type: ignore[union-attr]
        return min(times, default=None)

    async def fire_due(self, now: datetime) -> list[JobHandle[Any]]:
        """Enqueue each task whose latest scheduled time at or before `now` has not run yet and
        that no other worker enqueued first; the handles of the jobs this call made."""
        made = []
        for task in self.tasks:
            handle = await self._fire(task, now)
            if handle is not None:
                made.append(handle)
        return made

    async def _fire(self, task: Task[Any, Any], now: datetime) -> JobHandle[Any] | None:
        from kwik.contrib.tasks.models import Schedule

        cron = task.options.cron
        assert cron is not None
        table = Schedule.__table__
        due = cron.latest_at_or_before(now)
        async with transaction() as executor:
            insert = postgresql.insert if dialect_of(executor) == "postgresql" else sqlite.insert
            first_seen = (
                insert(table)
                .values(
                    task=task.name,
                    cron=cron.expression,
                    last_run_at=now,
                    next_run_at=cron.next_after(now),
                )
                .on_conflict_do_nothing()
            )
            await executor.execute(first_seen)
            if due is None:
                return None
            moved = await executor.execute(
                update(table)
                .where(table.c.task == task.name, table.c.last_run_at < due)
                .values(last_run_at=due, cron=cron.expression, next_run_at=cron.next_after(now))
                .returning(table.c.task)
            )
            if moved.first() is None:
                return None  # not due yet, or another worker enqueued this run first
            return await _enqueue_in(task, executor)


async def _enqueue_in(task: Task[Any, Any], executor: Executor) -> JobHandle[Any]:
    if isinstance(executor, AsyncSession):
        return await task.enqueue(session=executor)
    return await task.enqueue(connection=executor)
