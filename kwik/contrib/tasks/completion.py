"""Recording what runs did: one UPDATE for a whole batch of finished runs.

A worker collects outcomes while jobs finish and writes them together, so a thousand no-op jobs
cost a few statements, not a thousand. On PostgreSQL the batch goes in as arrays that the
statement `unnest`s; on SQLite as one executemany.

Each outcome is fenced by the job's attempt number and its running state: an outcome is written
only if the job is still in the run that produced it. A job cancelled meanwhile, or rescued by
another worker after this one's lease ran out, keeps what happened to it since.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Boolean, Text, bindparam, case, text, update

from kwik.contrib.tasks.connections import Executor, dialect_of
from kwik.contrib.tasks.states import JobState
from kwik.db.types import UTCDateTime, utcnow

__all__ = ["Outcome", "record"]

_RECORD_POSTGRESQL = text(
    """
    UPDATE tasks_job AS j
    SET state = u.state,
        result = CAST(u.result AS JSON),
        result_expires_at = CASE WHEN u.state = 'succeeded'
                                 THEN now() + CAST(:ttl AS INTERVAL) END,
        error = u.error,
        traceback = u.traceback,
        run_at = CASE WHEN u.state = 'retrying'
                      THEN now() + u.delay * INTERVAL '1 second' ELSE j.run_at END,
        finished_at = CASE WHEN u.state = 'retrying' THEN NULL ELSE now() END,
        lease_expires_at = NULL
    FROM unnest(CAST(:ids AS BIGINT[]), CAST(:attempts AS INTEGER[]), CAST(:states AS TEXT[]),
                CAST(:results AS TEXT[]), CAST(:errors AS TEXT[]), CAST(:tracebacks AS TEXT[]),
                CAST(:delays AS FLOAT8[]))
         AS u(id, attempt, state, result, error, traceback, delay)
    WHERE j.id = u.id AND j.attempts = u.attempt AND j.state = 'running'
    """
)


@dataclass(slots=True)
class Outcome:
    """How one run ended: succeeded (with `result` as JSON text), retrying (after `delay`
    seconds) or failed; `error` and `traceback` describe a failure."""

    id: int
    attempt: int
    state: JobState
    result: str | None = None
    error: str | None = None
    traceback: str | None = None
    delay: float = 0.0


async def record(executor: Executor, outcomes: Sequence[Outcome], result_ttl: float | None) -> None:
    """Write `outcomes` in one statement (results of succeeded jobs expire after `result_ttl`
    seconds; None keeps them)."""
    if not outcomes:
        return
    if dialect_of(executor) == "postgresql":
        parameters = {
            "ids": [o.id for o in outcomes],
            "attempts": [o.attempt for o in outcomes],
            "states": [o.state.value for o in outcomes],
            "results": [o.result for o in outcomes],
            "errors": [o.error for o in outcomes],
            "tracebacks": [o.traceback for o in outcomes],
            "delays": [o.delay for o in outcomes],
            "ttl": None if result_ttl is None else timedelta(seconds=result_ttl),
        }
        await executor.execute(_RECORD_POSTGRESQL, parameters)
        return
    await _record_sqlite(executor, outcomes, result_ttl)


async def _record_sqlite(
    executor: Executor, outcomes: Sequence[Outcome], result_ttl: float | None
) -> None:
    from kwik.contrib.tasks.models import Job

    table = Job.__table__
    now = utcnow()
    expires = None if result_ttl is None else now + timedelta(seconds=result_ttl)
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("b_id"),
            table.c.attempts == bindparam("b_attempt"),
            table.c.state == JobState.RUNNING,
        )
        .values(
            state=bindparam("b_state"),
            result=bindparam("b_result", type_=Text()),  # JSON text already: not encoded again
            result_expires_at=bindparam("b_expires", type_=UTCDateTime()),
            error=bindparam("b_error"),
            traceback=bindparam("b_traceback"),
            run_at=case(
                (
                    bindparam("b_retrying", type_=Boolean()),
                    bindparam("b_run_at", type_=UTCDateTime()),
                ),
                else_=table.c.run_at,
            ),
            finished_at=bindparam("b_finished", type_=UTCDateTime()),
            lease_expires_at=None,
        )
    )
    rows = [
        {
            "b_id": o.id,
            "b_attempt": o.attempt,
            "b_state": o.state,
            "b_retrying": o.state is JobState.RETRYING,
            "b_result": o.result,
            "b_expires": expires if o.state is JobState.SUCCEEDED else None,
            "b_error": o.error,
            "b_traceback": o.traceback,
            "b_run_at": now + timedelta(seconds=o.delay),
            "b_finished": None if o.state is JobState.RETRYING else now,
        }
        for o in outcomes
    ]
    await executor.execute(statement, rows)
