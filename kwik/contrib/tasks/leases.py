"""Leases: how a running job stays a worker's, goes back to the queue, or is rescued.

A claim leases the job for TASKS_LEASE seconds. A live worker renews the leases of all its jobs
every TASKS_HEARTBEAT seconds, so a job is never taken from a worker that is alive, however long
it runs. When a worker dies (killed, out of memory, its machine gone), its leases run out; any
worker then rescues those jobs: with attempts left they become `retrying`, due at once, and the
attempt that died counts; without, they fail with an error saying the worker stopped.

The heartbeat also tells a worker which of its jobs are no longer its own (cancelled, or rescued
after a stall longer than the lease), so it stops running them. A worker that stops gracefully
releases the jobs it could not finish: they are queued again and get their attempt back.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, literal, or_, update

from kwik.contrib.tasks.connections import Executor, dialect_of
from kwik.contrib.tasks.states import JobState
from kwik.db.types import utcnow

__all__ = ["heartbeat", "release", "rescue_expired"]


def _jobs() -> Any:
    from kwik.contrib.tasks.models import Job

    return Job.__table__


def _now(executor: Executor) -> Any:
    return func.now() if dialect_of(executor) == "postgresql" else utcnow()


async def heartbeat(
    executor: Executor, job_ids: Collection[int], *, worker: str, lease: float
) -> set[int]:
    """Renew `worker`'s leases on `job_ids`; the ids that are still its running jobs."""
    if not job_ids:
        return set()
    table = _jobs()
    now = _now(executor)
    statement = (
        update(table)
        .where(
            table.c.id.in_(list(job_ids)),
            table.c.worker_id == worker,
            table.c.state == JobState.RUNNING,
        )
        .values(heartbeat_at=now, lease_expires_at=now + timedelta(seconds=lease))
        .returning(table.c.id)
    )
    return set((await executor.execute(statement)).scalars())


async def release(executor: Executor, job_ids: Collection[int], *, worker: str) -> int:
    """Put `worker`'s unfinished jobs back in the queue, with the attempt they were on returned."""
    if not job_ids:
        return 0
    table = _jobs()
    statement = (
        update(table)
        .where(
            table.c.id.in_(list(job_ids)),
            table.c.worker_id == worker,
            table.c.state == JobState.RUNNING,
        )
        .values(
            state=JobState.QUEUED,
            attempts=table.c.attempts - 1,
            worker_id=None,
            lease_expires_at=None,
            heartbeat_at=None,
            started_at=None,
        )
    )
    result = await executor.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def rescue_expired(executor: Executor, *, worker: str) -> list[tuple[int, JobState]]:
    """Requeue (or fail, without attempts left) other workers' running jobs whose lease ran out;
    returns each rescued job's id and new state.

    A worker never rescues its own jobs: it is alive, since it is doing this, and a late
    heartbeat of its own (an event loop blocked for longer than the lease, a database lock
    waited for) doesn't make its jobs orphans.
    """
    table = _jobs()
    now = _now(executor)
    used_up = table.c.attempts >= table.c.max_attempts
    message = (
        literal("LeaseExpired: its worker (")
        + func.coalesce(table.c.worker_id, "unknown")
        + literal(") stopped renewing the lease (it died or stalled)")
    )
    statement = (
        update(table)
        .where(
            table.c.state == JobState.RUNNING,
            table.c.lease_expires_at < now,
            or_(table.c.worker_id.is_(None), table.c.worker_id != worker),
        )
        .values(
            state=case((used_up, JobState.FAILED.value), else_=JobState.RETRYING.value),
            error=message,
            traceback=None,
            run_at=now,
            finished_at=case((used_up, now), else_=None),
            lease_expires_at=None,
        )
        .returning(table.c.id, table.c.state)
    )
    rows = await executor.execute(statement)
    return [(job_id, JobState(state)) for job_id, state in rows]
