"""Deleting succeeded jobs once their result has expired (TASKS_RESULT_TTL).

Workers do it now and then, a bounded batch at a time, so the jobs table holds the recent past
and the jobs still to run rather than everything that ever ran. Failed and cancelled jobs are
kept for inspection until `kwik tasks purge` removes them.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from kwik.contrib.tasks.connections import Executor, dialect_of
from kwik.contrib.tasks.states import JobState
from kwik.db.types import utcnow

__all__ = ["CLEANUP_BATCH", "delete_expired"]

CLEANUP_BATCH = 5_000
"""Jobs deleted per statement: big enough to keep up, small enough to hold few locks briefly."""


async def delete_expired(executor: Executor, *, limit: int = CLEANUP_BATCH) -> int:
    """Delete up to `limit` succeeded jobs whose result expired; how many were deleted."""
    from kwik.contrib.tasks.models import Job

    table = Job.__table__
    now = func.now() if dialect_of(executor) == "postgresql" else utcnow()
    expired = (
        select(table.c.id)
        .where(table.c.state == JobState.SUCCEEDED, table.c.result_expires_at < now)
        .limit(limit)
    )
    statement = delete(table).where(
        table.c.id.in_(expired.scalar_subquery()), table.c.state == JobState.SUCCEEDED
    )
    result = await executor.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
