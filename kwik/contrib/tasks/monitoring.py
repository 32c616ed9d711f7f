"""What the queue holds and how it is doing: the queries behind `kwik tasks` and `GET /tasks/stats`.

Every function takes the caller's `AsyncSession` and runs plain Core statements over the jobs
table, so a command, a request handler and a test all read the same numbers. Changes (retry,
cancel, purge) guard on the job's state inside the statement itself, so what a worker did a
moment ago is never overwritten, whatever the command saw when it looked. Retry and cancel are
the bulk forms of `JobHandle.retry()` and `cancel()` (control.py), with the same effects.

Stats read the whole jobs table once (one grouped count) plus the claimable jobs through their
partial index, so they cost a scan of the table: cheap for the admin's occasional refresh, not
something to call per request. Throughput counts the finished jobs still in the table, so a
`TASKS_RESULT_TTL` shorter than the window undercounts successes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Result, Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kwik.contrib.tasks.control import cancelled, requeued
from kwik.contrib.tasks.models import Job
from kwik.contrib.tasks.states import (
    ACTIVE_STATES,
    CLAIMABLE_STATES,
    FINISHED_STATES,
    JobState,
)
from kwik.db import utcnow

__all__ = [
    "CANCELLABLE_STATES",
    "RETRYABLE_STATES",
    "JobFilter",
    "QueueStats",
    "StateCounts",
    "TaskStats",
    "TasksStats",
    "Throughput",
    "ThroughputMinute",
    "cancel_jobs",
    "count_jobs",
    "find_jobs",
    "get_job",
    "list_jobs",
    "purge_jobs",
    "retry_jobs",
    "stats",
]

RETRYABLE_STATES = (JobState.FAILED, JobState.CANCELLED)
"""A job is run again from these states only: the others will run, or are running, or succeeded."""
CANCELLABLE_STATES = ACTIVE_STATES
"""A job can be cancelled until it finishes; a running one is interrupted by its worker at the
worker's next heartbeat."""


@dataclass(frozen=True)
class JobFilter:
    """Which jobs a command or query means; every field narrows, and none means all jobs.

    `older_than` compares a job's age: since it finished, or, while it hasn't, since it was
    created, so "purge failed jobs older than 7 days" means failed more than 7 days ago.
    """

    ids: tuple[int, ...] = ()
    queue: str | None = None
    states: tuple[JobState, ...] = ()
    task: str | None = None
    older_than: timedelta | None = None

    def clauses(self, now: datetime) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.ids:
            clauses.append(Job.id.in_(self.ids))
        if self.queue is not None:
            clauses.append(Job.queue == self.queue)
        if self.states:
            clauses.append(Job.state.in_(self.states))
        if self.task is not None:
            clauses.append(Job.task == self.task)
        if self.older_than is not None:
            cutoff = now - self.older_than
            clauses.append(
                or_(
                    Job.finished_at < cutoff,
                    Job.finished_at.is_(None) & (Job.created_at < cutoff),
                )
            )
        return clauses

    def narrowed(self, states: Sequence[JobState]) -> JobFilter | None:
        """This filter, keeping only `states` (all of them when it named none); None when it
        named states and none of them is among `states`, so it can match no job."""
        kept = tuple(s for s in self.states if s in states) if self.states else tuple(states)
        if not kept:
            return None
        return JobFilter(self.ids, self.queue, kept, self.task, self.older_than)


def _select(where: JobFilter, now: datetime) -> Select[tuple[Job]]:
    return select(Job).where(*where.clauses(now))


async def list_jobs(session: AsyncSession, where: JobFilter, *, limit: int) -> list[Job]:
    """The newest `limit` jobs matching `where`, newest first."""
    statement = _select(where, utcnow()).order_by(Job.id.desc()).limit(limit)
    return list((await session.scalars(statement)).all())


async def count_jobs(session: AsyncSession, where: JobFilter) -> int:
    statement = select(func.count()).select_from(Job).where(*where.clauses(utcnow()))
    return int((await session.execute(statement)).scalar_one())


async def get_job(session: AsyncSession, job_id: int) -> Job | None:
    return await session.get(Job, job_id)


async def find_jobs(session: AsyncSession, ids: Sequence[int]) -> dict[int, JobState]:
    """The state of each of `ids` that exists."""
    rows = await session.execute(select(Job.id, Job.state).where(Job.id.in_(ids)))
    return {job_id: JobState(state) for job_id, state in rows.all()}


def _now(session: AsyncSession) -> Any:
    """What a change stamps its rows with: the database's clock on PostgreSQL, as workers do."""
    return func.now() if session.get_bind().dialect.name == "postgresql" else utcnow()


async def retry_jobs(session: AsyncSession, where: JobFilter) -> int:
    """Queue the failed and cancelled jobs among `where` to run now, with all their attempts.

    Their last error stays until the next attempt replaces it. Returns how many jobs were queued
    again. A unique job whose key another active job holds makes the statement fail with
    IntegrityError (the unique index allows one), and then nothing changes.
    """
    chosen = where.narrowed(RETRYABLE_STATES)
    if chosen is None:
        return 0
    statement = (
        update(Job)
        .where(*chosen.clauses(utcnow()))
        .values(requeued(_now(session)))
        .execution_options(synchronize_session=False)
    )
    return _changed(await session.execute(statement))


async def cancel_jobs(session: AsyncSession, where: JobFilter) -> int:
    """Cancel the unfinished jobs (queued, retrying, running) among `where`; returns how many."""
    chosen = where.narrowed(CANCELLABLE_STATES)
    if chosen is None:
        return 0
    statement = (
        update(Job)
        .where(*chosen.clauses(utcnow()))
        .values(cancelled(_now(session)))
        .execution_options(synchronize_session=False)
    )
    return _changed(await session.execute(statement))


async def purge_jobs(session: AsyncSession, where: JobFilter, *, batch: int) -> int:
    """Delete up to `batch` finished jobs (succeeded, failed, cancelled) matching `where`.

    One batch per call, so a caller can commit and report progress between batches instead of
    holding one long transaction (and its row locks) over millions of rows. Returns how many
    were deleted; 0 when none is left.
    """
    chosen = where.narrowed(FINISHED_STATES)
    if chosen is None:
        return 0
    ids = select(Job.id).where(*chosen.clauses(utcnow())).order_by(Job.id).limit(batch)
    statement = (
        delete(Job)
        .where(Job.id.in_(ids.scalar_subquery()), Job.state.in_(FINISHED_STATES))
        .execution_options(synchronize_session=False)
    )
    return _changed(await session.execute(statement))


def _changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (the driver's count; -1 means unknown)."""
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


# -- stats --------------------------------------------------------------------------------------


class StateCounts(BaseModel):
    """How many jobs are in each state."""

    queued: int = 0
    running: int = 0
    retrying: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0

    def add(self, state: str, count: int) -> None:
        setattr(self, state, getattr(self, state) + count)


class QueueStats(BaseModel):
    """One queue: its jobs by state, and how far behind its workers are."""

    name: str
    counts: StateCounts
    due: int = Field(description="Jobs waiting that may run now (queued or retrying, run_at due)")
    scheduled: int = Field(description="Jobs waiting for a later run_at (delayed, or backing off)")
    oldest_due_age_s: float | None = Field(
        description="Seconds the oldest due job has waited past its run_at; null when none is due"
    )


class TaskStats(BaseModel):
    """One task: its jobs by state, and its failures in the throughput window."""

    name: str
    counts: StateCounts
    failed_in_window: int = Field(description="Jobs of this task that failed in the window")


class ThroughputMinute(BaseModel):
    start: datetime
    succeeded: int
    failed: int


class Throughput(BaseModel):
    """Jobs finished in the last `minutes` minutes (those still in the table)."""

    minutes: int
    succeeded: int
    failed: int
    jobs_per_s: float = Field(description="Finished jobs per second over the window")
    per_minute: list[ThroughputMinute] = Field(description="Oldest minute first")


class TasksStats(BaseModel):
    """The queue at a glance: what `GET /tasks/stats` answers and `kwik tasks stats` prints."""

    generated_at: datetime
    counts: StateCounts
    oldest_due_age_s: float | None = Field(
        description="Seconds the oldest due job of any queue has waited; null when none is due"
    )
    queues: list[QueueStats]
    tasks: list[TaskStats]
    throughput: Throughput


async def stats(session: AsyncSession, *, minutes: int = 5) -> TasksStats:
    """Counts by state, queue and task; queue depth and lag; throughput over `minutes`."""
    now = utcnow()
    total = StateCounts()
    by_queue: dict[str, StateCounts] = {}
    by_task: dict[str, StateCounts] = {}
    grouped = select(Job.queue, Job.task, Job.state, func.count()).group_by(
        Job.queue, Job.task, Job.state
    )
    for queue, task, state, count in (await session.execute(grouped)).all():
        value = JobState(state).value
        total.add(value, count)
        by_queue.setdefault(queue, StateCounts()).add(value, count)
        by_task.setdefault(task, StateCounts()).add(value, count)

    due = Job.run_at <= now
    waiting = (
        select(
            Job.queue,
            func.count().filter(due),
            func.count().filter(~due),
            func.min(Job.run_at).filter(due),
        )
        .where(Job.state.in_(CLAIMABLE_STATES))
        .group_by(Job.queue)
    )
    lag: dict[str, tuple[int, int, float | None]] = {}
    for queue, due_count, scheduled, oldest in (await session.execute(waiting)).all():
        age = None if oldest is None else max((now - oldest).total_seconds(), 0.0)
        lag[queue] = (due_count, scheduled, age)

    throughput, failed_by_task = await _throughput(session, now, minutes)
    queues = [
        QueueStats(
            name=name,
            counts=counts,
            due=lag.get(name, (0, 0, None))[0],
            scheduled=lag.get(name, (0, 0, None))[1],
            oldest_due_age_s=lag.get(name, (0, 0, None))[2],
        )
        for name, counts in sorted(by_queue.items())
    ]
    ages = [q.oldest_due_age_s for q in queues if q.oldest_due_age_s is not None]
    return TasksStats(
        generated_at=now,
        counts=total,
        oldest_due_age_s=max(ages) if ages else None,
        queues=queues,
        tasks=[
            TaskStats(name=name, counts=counts, failed_in_window=failed_by_task.get(name, 0))
            for name, counts in sorted(by_task.items())
        ],
        throughput=throughput,
    )


async def _throughput(
    session: AsyncSession, now: datetime, minutes: int
) -> tuple[Throughput, dict[str, int]]:
    """Finished jobs per minute over the window (one grouped query), and failures per task."""
    starts = [now - timedelta(minutes=minutes - i) for i in range(minutes)]
    ends = [*starts[1:], now]
    buckets = [
        func.count().filter(Job.finished_at >= start, Job.finished_at < end)
        for start, end in zip(starts, ends, strict=True)
    ]
    statement = (
        select(Job.task, Job.state, *buckets)
        .where(
            Job.state.in_((JobState.SUCCEEDED, JobState.FAILED)),
            Job.finished_at >= starts[0],
            Job.finished_at < now,
        )
        .group_by(Job.task, Job.state)
    )
    succeeded = [0] * minutes
    failed = [0] * minutes
    failed_by_task: dict[str, int] = {}
    for task, state, *counts in (await session.execute(statement)).all():
        target = succeeded if JobState(state) is JobState.SUCCEEDED else failed
        for i, count in enumerate(counts):
            target[i] += count
        if JobState(state) is JobState.FAILED:
            failed_by_task[task] = failed_by_task.get(task, 0) + sum(counts)
    per_minute = [
        ThroughputMinute(start=start, succeeded=s, failed=f)
        for start, s, f in zip(starts, succeeded, failed, strict=True)
    ]
    finished = sum(succeeded) + sum(failed)
    throughput = Throughput(
        minutes=minutes,
        succeeded=sum(succeeded),
        failed=sum(failed),
        jobs_per_s=round(finished / (minutes * 60), 3),
        per_minute=per_minute,
    )
    return throughput, failed_by_task
