"""The task queue's settings, validated with the project's (`docs/tasks.md#settings`).

The worker reads them when it starts; `kwik worker --queues/--concurrency` override the first
two for one process.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, field_validator, model_validator

from kwik.conf import AppSettings

__all__ = ["TasksSettings"]


class TasksSettings(AppSettings):
    TASKS_QUEUES: list[str] = ["default"]
    """Queues a worker takes jobs from, in turn, when `--queues` doesn't say."""
    TASKS_CONCURRENCY: int = Field(default=20, ge=1)
    """Jobs one worker process runs at once (asyncio tasks)."""
    TASKS_BATCH_SIZE: int = Field(default=50, ge=1)
    """At most this many jobs claimed per query; finished jobs are recorded in batches too."""
    TASKS_POLL_INTERVAL: float = Field(default=1.0, gt=0)
    """Seconds between looks for due jobs when nothing wakes the worker (on PostgreSQL, a new
    job wakes it at once through LISTEN/NOTIFY; delayed and retried jobs are found by polling)."""
    TASKS_LEASE: float = Field(default=60.0, gt=0)
    """Seconds a claim lasts without a heartbeat; a job whose lease ran out is rescued (its
    worker is taken for dead) and queued again."""
    TASKS_HEARTBEAT: float = Field(default=10.0, gt=0)
    """Seconds between a worker's lease renewals for its running jobs; well below TASKS_LEASE."""
    TASKS_GRACE_PERIOD: float = Field(default=30.0, ge=0)
    """Seconds a stopping worker (SIGTERM, CONTROL-C) lets running jobs finish before it
    releases them back to the queue."""
    TASKS_RESULT_TTL: float | None = Field(default=24 * 3600.0, ge=0)
    """Seconds a succeeded job (and its result) is kept; workers then delete it. None keeps
    succeeded jobs until `kwik tasks purge`; failed and cancelled jobs are always kept."""
    TASKS_SYNCHRONOUS_COMMIT: bool = False
    """PostgreSQL: whether a worker's claims and outcomes wait for the disk before going on.
    Off (the default), a worker doesn't wait for each of its commits to be flushed, which makes
    it several times faster on ordinary disks; if the database server itself crashes, the
    last fraction of a second of claims and outcomes can be lost, and those jobs run again
    (a job may run more than once in any case). Enqueueing is never affected: a job exists
    once the transaction that enqueued it has committed."""
    TASKS_RUN_IN_RUNSERVER: bool = True
    """`kwik runserver` runs a worker inside the server process, so jobs run in development
    without a second terminal. Production runs `kwik worker` processes instead."""
    TASKS_STATS_DEPENDENCY: str | None = None
    """Dotted path of the dependency that decides who may read `GET /tasks/stats`. None: staff
    (kwik.contrib.auth's `require_staff`) when auth is installed, else only with DEBUG on."""

    @field_validator("TASKS_QUEUES")
    @classmethod
    def _queue_names(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one queue, e.g. ['default']")
        for name in value:
            if not name or name != name.strip() or "," in name:
                raise ValueError(f"{name!r} is not a queue name (no commas, spaces around, or '')")
        return value

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> Self:
        if self.TASKS_HEARTBEAT * 2 > self.TASKS_LEASE:
            raise ValueError(
                f"TASKS_HEARTBEAT ({self.TASKS_HEARTBEAT:g}s) must be at most half of TASKS_LEASE "
                f"({self.TASKS_LEASE:g}s), so a live worker renews its leases in time"
            )
        return self
