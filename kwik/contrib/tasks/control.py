"""Cancelling and retrying one job (what `JobHandle.cancel()` and `retry()` do).

Cancelling a running job only changes its row: its worker sees, at its next heartbeat, that the
job is no longer its to run, and interrupts it; whatever the run returns after that is not
recorded, because a worker records outcomes only for rows still running under its claim.
Retrying refuses (returns False) when another job with the same unique key is active, since
the unique index allows one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError

from kwik.contrib.tasks.connections import dialect_of, joined, lone_statement
from kwik.contrib.tasks.states import ACTIVE_STATES, JobState
from kwik.db.types import utcnow

__all__ = ["cancel_job", "cancelled", "requeued", "retry_job"]


def cancelled(now: Any) -> dict[str, Any]:
    """The columns a cancelled job gets (one job here, many in `kwik tasks cancel`)."""
    return {"state": JobState.CANCELLED, "finished_at": now, "lease_expires_at": None}


def requeued(now: Any) -> dict[str, Any]:
    """The columns a retried job gets: queued to run at `now`, with all its attempts again and
    no trace of its last claim (its last error stays until the next attempt replaces it)."""
    return {
        "state": JobState.QUEUED,
        "attempts": 0,
        "run_at": now,
        "worker_id": None,
        "lease_expires_at": None,
        "heartbeat_at": None,
        "started_at": None,
        "finished_at": None,
    }


async def cancel_job(job_id: int) -> bool:
    """Cancel the job unless it has finished; True when this call cancelled it."""
    from kwik.contrib.tasks.models import Job

    table = Job.__table__
    async with joined() as executor:
        now = func.now() if dialect_of(executor) == "postgresql" else utcnow()
        statement = (
            update(table)
            .where(table.c.id == job_id, table.c.state.in_(ACTIVE_STATES))
            .values(cancelled(now))
        )
        result = await executor.execute(statement)
    return bool(getattr(result, "rowcount", 0) == 1)


async def retry_job(job_id: int) -> bool:
    """Queue a failed or cancelled job again to run now, with all its attempts."""
    from kwik.contrib.tasks.models import Job

    table = Job.__table__
    try:  # in a unit of work of its own: a refused update mustn't spoil the caller's
        async with lone_statement() as executor:
            now = func.now() if dialect_of(executor) == "postgresql" else utcnow()
            statement = (
                update(table)
                .where(
                    table.c.id == job_id,
                    table.c.state.in_((JobState.FAILED, JobState.CANCELLED)),
                )
                .values(requeued(now))
            )
            result = await executor.execute(statement)
    except IntegrityError:
        return False  # another job with its unique key is active
    return bool(getattr(result, "rowcount", 0) == 1)
