"""The queue's tables: `Job` (one row per job, whatever its state) and `Schedule` (cron
bookkeeping).

The worker never loads these as ORM objects: its statements are Core and plain SQL over the same
tables (see claim.py, completion.py, leases.py), because objects cost more than the jobs they
describe on a fast queue. The classes are for reading jobs (monitoring, the admin, tests) and for
migrations.

The partial indexes are the queue's design:
- `ix_tasks_job_claim` holds only claimable jobs (queued, retrying), in the order workers take
  them, so a claim reads the first rows of one index however many finished jobs the table keeps;
- `uq_tasks_job_unique_key` makes unique jobs race-free: two enqueues of the same key (or one
  bulk insert with it twice) can't both be active, because the database refuses the second;
- `ix_tasks_job_lease` holds only running jobs, by lease expiry, for the rescue of jobs whose
  worker died;
- `ix_tasks_job_expiry` holds only succeeded jobs, by result expiry, for their deletion.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Enum,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kwik.contrib.tasks.states import ACTIVE_STATES, CLAIMABLE_STATES, JobState
from kwik.db import Model, UTCDateTime

__all__ = ["Job", "Schedule"]


def _states(states: tuple[JobState, ...]) -> str:
    return ", ".join(f"'{state.value}'" for state in states)


CLAIMABLE = text(f"state IN ({_states(CLAIMABLE_STATES)})")
ACTIVE_UNIQUE = text(f"unique_key IS NOT NULL AND state IN ({_states(ACTIVE_STATES)})")
RUNNING = text(f"state = '{JobState.RUNNING.value}'")
SUCCEEDED = text(f"state = '{JobState.SUCCEEDED.value}'")


class Job(Model):
    """One job: which task to run with which arguments, and everything that happened to it.

    `attempts` counts the runs started (a claim adds one; a job released at a graceful shutdown
    gets it back); `max_attempts` is the task's `retries + 1`. `run_at` is when the job may run
    next (a retry's backoff moves it). `worker_id` and `lease_expires_at` belong to the running
    attempt; `result` (JSON) to a success, `error` and `traceback` to the last failure.
    """

    __app_label__ = "tasks"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    task: Mapped[str] = mapped_column(String(255))
    """The task's name (`module.function` unless the decorator named it)."""
    queue: Mapped[str] = mapped_column(String(100), server_default="default")
    state: Mapped[JobState] = mapped_column(
        Enum(
            JobState,
            name="job_state",
            native_enum=False,
            create_constraint=True,
            length=10,
            values_callable=lambda states: [state.value for state in states],
            validate_strings=True,
        ),
        server_default=JobState.QUEUED.value,
    )
    priority: Mapped[int] = mapped_column(Integer, server_default="0")
    """Lower runs first among the due jobs of a queue (like Unix `nice`): -10 before 0."""
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The arguments by parameter name, as validated and dumped to JSON at enqueue."""
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, server_default="1")
    run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    unique_key: Mapped[str | None] = mapped_column(String(255))
    result: Mapped[Any | None] = mapped_column(JSON)
    result_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    """The last failure in one line: `TimeoutError: timed out after 5s`."""
    traceback: Mapped[str | None] = mapped_column(Text)
    worker_id: Mapped[str | None] = mapped_column(String(255))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the latest attempt started."""
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index(
            "ix_tasks_job_claim",
            "queue",
            "priority",
            "run_at",
            "id",
            postgresql_where=CLAIMABLE,
            sqlite_where=CLAIMABLE,
        ),
        Index(
            "uq_tasks_job_unique_key",
            "task",
            "unique_key",
            unique=True,
            postgresql_where=ACTIVE_UNIQUE,
            sqlite_where=ACTIVE_UNIQUE,
        ),
        Index(
            "ix_tasks_job_lease",
            "lease_expires_at",
            postgresql_where=RUNNING,
            sqlite_where=RUNNING,
        ),
        Index(
            "ix_tasks_job_expiry",
            "result_expires_at",
            postgresql_where=SUCCEEDED,
            sqlite_where=SUCCEEDED,
        ),
    )


class Schedule(Model):
    """One periodic task's bookkeeping: the schedule time of its latest run.

    Every worker serving the task's queue looks at its cron schedule; the one whose conditional
    update moves `last_run_at` forward to a due time enqueues that run, so a periodic task runs
    once per schedule time however many workers there are.
    """

    __app_label__ = "tasks"

    task: Mapped[str] = mapped_column(String(255), primary_key=True)
    cron: Mapped[str] = mapped_column(String(100))
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    """The schedule time of the latest run enqueued (or when the schedule was first seen)."""
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
