"""Claiming due jobs: one statement marks up to N jobs of a queue running under this worker's
lease, and returns what the worker needs to run them.

On PostgreSQL the jobs are chosen with `FOR UPDATE SKIP LOCKED`: rows another worker is claiming
at the same moment are skipped rather than waited for, so any number of workers claim from one
queue without blocking each other or taking a job twice. The statement runs on its own
(autocommit), so the row locks last only as long as the statement. On SQLite the claim runs in
a `BEGIN IMMEDIATE` transaction, which holds the database's single write lock.

Jobs come in the order of the claim index: priority (lower first), then `run_at`, then id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, text

from kwik.contrib.tasks.connections import Executor, dialect_of
from kwik.db.types import UTCDateTime, utcnow

__all__ = ["ClaimedJob", "claim"]

_CLAIM_POSTGRESQL = text(
    """
    WITH next AS (
        SELECT id FROM tasks_job
        WHERE state IN ('queued', 'retrying') AND queue = :queue AND run_at <= now()
        ORDER BY priority, run_at, id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    UPDATE tasks_job AS j
    SET state = 'running', attempts = j.attempts + 1, worker_id = :worker, started_at = now(),
        heartbeat_at = now(), lease_expires_at = now() + CAST(:lease AS INTERVAL)
    FROM next
    WHERE j.id = next.id
    RETURNING j.id, j.task, CAST(j.args AS TEXT), j.attempts, j.max_attempts
    """
)
_CLAIM_SQLITE = text(
    """
    UPDATE tasks_job
    SET state = 'running', attempts = attempts + 1, worker_id = :worker, started_at = :now,
        heartbeat_at = :now, lease_expires_at = :lease_until
    WHERE id IN (
        SELECT id FROM tasks_job
        WHERE state IN ('queued', 'retrying') AND queue = :queue AND run_at <= :now
        ORDER BY priority, run_at, id
        LIMIT :limit
    )
    RETURNING id, task, args, attempts, max_attempts
    """
).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("lease_until", type_=UTCDateTime()))


@dataclass(slots=True)
class ClaimedJob:
    """A job a worker holds: `attempt` is this run's number (1 for the first)."""

    id: int
    task: str
    args: str
    """The arguments as stored JSON text (validated into the task's types just before running)."""
    attempt: int
    max_attempts: int


async def claim(
    executor: Executor, *, queue: str, limit: int, worker: str, lease: float
) -> list[ClaimedJob]:
    """Take up to `limit` due jobs of `queue` for `worker`, leased for `lease` seconds."""
    if dialect_of(executor) == "postgresql":
        parameters = {
            "queue": queue,
            "limit": limit,
            "worker": worker,
            "lease": timedelta(seconds=lease),
        }
        rows = await executor.execute(_CLAIM_POSTGRESQL, parameters)
    else:
        now = utcnow()
        parameters = {
            "queue": queue,
            "limit": limit,
            "worker": worker,
            "now": now,
            "lease_until": now + timedelta(seconds=lease),
        }
        rows = await executor.execute(_CLAIM_SQLITE, parameters)
    return [ClaimedJob(*row) for row in rows]
