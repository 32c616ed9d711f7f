"""The queues compared: how each is installed, driven, run as a worker, and read back.

Everything a measurement needs to know about a queue is here, as data; the code that enqueues
lives in `contenders/<name>_queue.py` and runs in child processes (`client.py`, the worker).
The SQL reads the queue's own tables, so "done" is what the database says, not what a worker
reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["CONTENDERS", "Contender"]


@dataclass(frozen=True)
class Contender:
    """One queue in the benchmark."""

    name: str
    label: str
    package: str
    """The distribution whose version the report names."""
    module: str
    """The `contenders` module with `install` and `session` (see contenders/__init__.py)."""
    worker: tuple[str, ...]
    """The worker command after `python`, run from the repository root."""
    settings: str
    """How the queue is configured, for the report."""
    jobs_sql: str
    """How many jobs the queue holds, whatever their state (after enqueueing)."""
    remaining_sql: str
    """How many jobs are not finished yet (queued or running)."""
    succeeded_sql: str
    """How many jobs have run successfully."""
    worker_env: dict[str, str] = field(default_factory=dict)
    """Extra environment for the worker and the client (besides BENCH_TASKS_DSN)."""
    phases: tuple[str, ...] = ("one_by_one", "bulk", "drain")
    """The phases measured (a variant of a queue may need only some)."""


KWIK_SETTINGS = "benchmarks.tasks.contenders.kwik_project.settings"

KWIK = Contender(
    name="kwik",
    label="Kwik",
    package="kwik",
    module="benchmarks.tasks.contenders.kwik_queue",
    worker=("-m", "kwik", "worker"),
    settings="asyncpg via SQLAlchemy; `kwik worker` with the default settings "
    "(TASKS_CONCURRENCY 20, TASKS_BATCH_SIZE 50, TASKS_SYNCHRONOUS_COMMIT off: the worker's "
    "claims and outcomes don't wait for the disk); `Task.enqueue`, then `Task.enqueue_many`",
    jobs_sql="SELECT count(*) FROM tasks_job",
    remaining_sql="SELECT count(*) FROM tasks_job WHERE state IN ('queued', 'retrying', 'running')",
    succeeded_sql="SELECT count(*) FROM tasks_job WHERE state = 'succeeded'",
    worker_env={"KWIK_SETTINGS_MODULE": KWIK_SETTINGS},
)

KWIK_DURABLE = replace(
    KWIK,
    name="kwik-durable",
    label="Kwik, sync commit",
    settings="as Kwik, with TASKS_SYNCHRONOUS_COMMIT on: every claim and outcome waits for the "
    "disk, as PgQueuer's and procrastinate's do (for comparison; not judged)",
    worker_env={"KWIK_SETTINGS_MODULE": KWIK_SETTINGS, "KWIK_TASKS_SYNCHRONOUS_COMMIT": "true"},
    phases=("drain",),  # the setting changes nothing in enqueueing
)

PGQUEUER = Contender(
    name="pgqueuer",
    label="PgQueuer",
    package="pgqueuer",
    module="benchmarks.tasks.contenders.pgqueuer_queue",
    worker=("-m", "benchmarks.tasks.contenders.pgqueuer_queue"),
    settings="asyncpg driver; worker `pgqueuer.run(factory)` on uvloop (what `pgq run` runs), "
    "batch size 10 (its default and its docs'), continuous mode; `Queries.enqueue` with one "
    "job, then with lists",
    jobs_sql="SELECT count(*) FROM pgqueuer",
    remaining_sql="SELECT count(*) FROM pgqueuer WHERE status IN ('queued', 'picked')",
    succeeded_sql="SELECT count(*) FROM pgqueuer_log WHERE status = 'successful'",
)

PROCRASTINATE = Contender(
    name="procrastinate",
    label="procrastinate",
    package="procrastinate",
    module="benchmarks.tasks.contenders.procrastinate_queue",
    worker=(
        "-m",
        "procrastinate",
        "--app=benchmarks.tasks.contenders.procrastinate_queue.app",
        "--log-level=warning",
        "worker",
    ),
    settings="psycopg 3 connector; `procrastinate worker` with its defaults (concurrency 1, "
    "LISTEN/NOTIFY); `defer_async`, then `batch_defer_async`",
    jobs_sql="SELECT count(*) FROM procrastinate_jobs",
    remaining_sql="SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')",
    succeeded_sql="SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'",
)

CONTENDERS: dict[str, Contender] = {
    c.name: c for c in (KWIK, KWIK_DURABLE, PGQUEUER, PROCRASTINATE)
}
"""In report order, kwik (the subject) first."""
