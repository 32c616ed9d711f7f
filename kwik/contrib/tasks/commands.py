"""`kwik tasks ...` to look at and act on jobs, and `kwik worker` to run them.

    kwik tasks stats                          # depth and lag per queue, failures per task
    kwik tasks list --state failed --task shop.tasks.send_receipt --older-than 1h
    kwik tasks show 42
    kwik tasks retry 42 43                    # failed or cancelled jobs run again
    kwik tasks cancel --queue emails          # waiting jobs never run
    kwik tasks purge --state succeeded --older-than 7d --yes

Every subcommand reads the database through `monitoring`, the module the stats endpoint uses.
Bad input stops with one line and a non-zero exit: an unknown state or a malformed id or
duration is a usage error (2), a job that doesn't exist or can't change is an error (1), and
nothing changes when any named job can't.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import click
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kwik.cli import CommandError
from kwik.contrib.tasks.cli_worker import worker
from kwik.contrib.tasks.models import Job
from kwik.contrib.tasks.monitoring import (
    CANCELLABLE_STATES,
    RETRYABLE_STATES,
    JobFilter,
    TasksStats,
    cancel_jobs,
    count_jobs,
    find_jobs,
    get_job,
    list_jobs,
    purge_jobs,
    retry_jobs,
)
from kwik.contrib.tasks.monitoring import stats as read_stats
from kwik.contrib.tasks.states import FINISHED_STATES, JobState
from kwik.db import session, utcnow
from kwik.db.commands import run_database_work
from kwik.durations import DURATION, humanize

__all__ = ["commands", "tasks"]

T = TypeVar("T")
STATES = [state.value for state in JobState]
PURGE_BATCH = 5_000
FILTER_HINT = "give job ids, or filters (--queue, --state, --task, --older-than)"


def _run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return run_database_work(work, tables="the tasks tables", passing=(IntegrityError,))


def _filter_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--queue, --state (repeatable), --task and --older-than, shared by the subcommands."""
    options = [
        click.option("--queue", help="Only jobs of this queue."),
        click.option(
            "--state",
            "states",
            multiple=True,
            type=click.Choice(STATES, case_sensitive=False),
            help="Only jobs in this state (repeat for several).",
        ),
        click.option("--task", help="Only jobs of this task (its full name, as `list` shows)."),
        click.option(
            "--older-than",
            type=DURATION,
            help="Only jobs finished (or, unfinished, created) longer ago: 30m, 12h, 7d.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _job_filter(
    ids: Sequence[int] = (),
    queue: str | None = None,
    states: Sequence[str] = (),
    task: str | None = None,
    older_than: timedelta | None = None,
) -> JobFilter:
    return JobFilter(
        ids=tuple(ids),
        queue=queue,
        states=tuple(JobState(state.lower()) for state in states),
        task=task,
        older_than=older_than,
    )


def _describe(where: JobFilter) -> str:
    parts = []
    if where.states:
        parts.append("state " + "/".join(state.value for state in where.states))
    if where.queue is not None:
        parts.append(f"queue {where.queue}")
    if where.task is not None:
        parts.append(f"task {where.task}")
    if where.older_than is not None:
        parts.append(f"older than {humanize(where.older_than)}")
    return ", ".join(parts) or "any"


def _table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(c) for c in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


@click.group()
def tasks() -> None:
    """Inspect and manage background jobs: stats, list, show, retry, cancel, purge."""


@tasks.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@_filter_options
def list_(
    limit: int,
    queue: str | None,
    states: tuple[str, ...],
    task: str | None,
    older_than: timedelta | None,
) -> None:
    """List jobs, newest first, with their state, attempts and last error."""
    where = _job_filter((), queue, states, task, older_than)

    async def work() -> tuple[list[Job], int]:
        async with session() as db:
            return await list_jobs(db, where, limit=limit), await count_jobs(db, where)

    jobs, total = _run(work)
    if not jobs:
        click.echo(f"No jobs match ({_describe(where)}).")
        return
    now = utcnow()
    rows = [
        [
            str(job.id),
            job.task,
            job.queue,
            JobState(job.state).value,
            f"{job.attempts}/{job.max_attempts}",
            humanize(now - (job.finished_at or job.created_at)),
            (job.error or "")[:60],
        ]
        for job in jobs
    ]
    _table(["ID", "TASK", "QUEUE", "STATE", "ATTEMPTS", "AGE", "ERROR"], rows)
    if total > len(jobs):
        click.echo(f"{len(jobs)} of {total:,} matching jobs shown, newest first (--limit).")


@tasks.command()
@click.argument("job_id", type=int)
def show(job_id: int) -> None:
    """Everything about job JOB_ID: arguments, attempts, times, result or error and traceback."""

    async def work() -> Job | None:
        async with session() as db:
            return await get_job(db, job_id)

    job = _run(work)
    if job is None:
        raise CommandError(f"No job {job_id}: it never existed, or it was deleted (purge, TTL).")
    fields = [
        ("id", job.id),
        ("task", job.task),
        ("queue", job.queue),
        ("state", JobState(job.state).value),
        ("priority", job.priority),
        ("attempts", f"{job.attempts} of {job.max_attempts}"),
        ("arguments", json.dumps(job.args, sort_keys=True)),
        ("unique key", job.unique_key),
        ("created", job.created_at),
        ("run at", job.run_at),
        ("started", job.started_at),
        ("finished", job.finished_at),
        ("worker", job.worker_id),
        ("result", None if job.result is None else json.dumps(job.result)),
        ("error", job.error),
    ]
    for name, value in fields:
        if isinstance(value, datetime):
            value = value.isoformat(sep=" ", timespec="milliseconds")
        if value is not None:
            click.echo(f"{name + ':':<12}{value}")
    if job.traceback:
        click.echo("traceback:")
        click.echo(job.traceback.rstrip())


def _change(
    verb: str,
    past: str,
    allowed: tuple[JobState, ...],
    change: Callable[[AsyncSession, JobFilter], Coroutine[Any, Any, int]],
    ids: tuple[int, ...],
    where: JobFilter,
) -> int:
    """Check named jobs can change, then change every matching job in one transaction."""
    values = [state.value for state in allowed]
    names = ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]
    if not ids and where == _job_filter():
        raise CommandError(f"Name the jobs to {verb}: {FILTER_HINT}.")
    if where.states and where.narrowed(allowed) is None:
        raise CommandError(f"Only {names} jobs can be {past}; --state names none of them.")

    async def work() -> int:
        async with session() as db:
            if ids:
                found = await find_jobs(db, ids)
                missing = [str(i) for i in ids if i not in found]
                if missing:
                    raise CommandError(f"No job {', '.join(missing)}: nothing was {past}.")
                stuck = [f"{i} is {found[i].value}" for i in ids if found[i] not in allowed]
                if stuck:
                    raise CommandError(
                        f"Only {names} jobs can be {past}, and job {'; job '.join(stuck)}: "
                        f"nothing was {past}."
                    )
            return await change(db, where)

    return _run(work)


@tasks.command()
@click.argument("job_ids", nargs=-1, type=int)
@_filter_options
def retry(
    job_ids: tuple[int, ...],
    queue: str | None,
    states: tuple[str, ...],
    task: str | None,
    older_than: timedelta | None,
) -> None:
    """Run failed or cancelled jobs again, with all their attempts: by JOB_IDS or filters."""
    where = _job_filter(job_ids, queue, states, task, older_than)
    try:
        changed = _change("retry", "retried", RETRYABLE_STATES, retry_jobs, job_ids, where)
    except IntegrityError:
        raise CommandError(
            "A unique job among these has its key held by another job that is still queued, "
            "retrying or running, so it can't run again now: nothing was retried. Wait for "
            "that job, or retry the others by id."
        ) from None
    click.echo(f"Queued {changed:,} job{'s' if changed != 1 else ''} to run again.")


@tasks.command()
@click.argument("job_ids", nargs=-1, type=int)
@_filter_options
def cancel(
    job_ids: tuple[int, ...],
    queue: str | None,
    states: tuple[str, ...],
    task: str | None,
    older_than: timedelta | None,
) -> None:
    """Cancel unfinished jobs by JOB_IDS or filters: waiting ones never run, running ones stop.

    A running job is interrupted by its worker at the worker's next heartbeat.
    """
    where = _job_filter(job_ids, queue, states, task, older_than)
    changed = _change("cancel", "cancelled", CANCELLABLE_STATES, cancel_jobs, job_ids, where)
    click.echo(f"Cancelled {changed:,} job{'s' if changed != 1 else ''}.")


@tasks.command()
@_filter_options
@click.option("--yes", is_flag=True, help="Delete without asking.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=PURGE_BATCH,
    show_default=True,
    help="Jobs deleted per transaction.",
)
def purge(
    queue: str | None,
    states: tuple[str, ...],
    task: str | None,
    older_than: timedelta | None,
    yes: bool,
    batch_size: int,
) -> None:
    """Delete finished (succeeded, failed, cancelled) jobs matching the filters, in batches."""
    where = _job_filter((), queue, states, task, older_than).narrowed(FINISHED_STATES)
    if where is None:
        raise CommandError("Only finished (succeeded, failed, cancelled) jobs can be purged.")

    async def counted() -> int:
        async with session() as db:
            return await count_jobs(db, where)

    total = _run(counted)
    if total == 0:
        click.echo(f"No finished jobs match ({_describe(where)}); nothing to delete.")
        return
    question = f"Delete {total:,} finished jobs ({_describe(where)})? This can't be undone."
    if not yes:
        if not sys.stdin.isatty():
            raise CommandError(f"{question} Pass --yes to confirm (no terminal to ask).")
        click.confirm(question, abort=True)

    async def delete_all(advance: Callable[[int], None]) -> int:
        deleted = 0
        while True:
            async with session() as db:
                count = await purge_jobs(db, where, batch=batch_size)
            deleted += count
            advance(count)
            if count < batch_size:
                return deleted

    if total > batch_size:
        with click.progressbar(length=total, label="Deleting", file=sys.stderr) as bar:
            deleted = _run(lambda: delete_all(bar.update))
    else:
        deleted = _run(lambda: delete_all(lambda _: None))
    click.echo(f"Deleted {deleted:,} job{'s' if deleted != 1 else ''}.")


@tasks.command()
@click.option(
    "--minutes",
    type=click.IntRange(1, 60),
    default=5,
    show_default=True,
    help="The throughput window.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the stats endpoint's JSON.")
def stats(minutes: int, as_json: bool) -> None:
    """Jobs by state, depth and lag per queue, failures per task, recent throughput."""

    async def work() -> TasksStats:
        async with session() as db:
            return await read_stats(db, minutes=minutes)

    found = _run(work)
    if as_json:
        click.echo(found.model_dump_json(indent=2))
        return
    _print_stats(found)


def _print_stats(found: TasksStats) -> None:
    counts = found.counts
    click.echo(
        f"Jobs: {counts.queued:,} queued, {counts.running:,} running, {counts.retrying:,} "
        f"retrying, {counts.succeeded:,} succeeded, {counts.failed:,} failed, "
        f"{counts.cancelled:,} cancelled"
    )
    if found.oldest_due_age_s is not None:
        waited = humanize(timedelta(seconds=found.oldest_due_age_s))
        click.echo(f"Oldest due job has waited {waited}")
    throughput = found.throughput
    click.echo(
        f"Last {throughput.minutes} min: {throughput.succeeded:,} succeeded, "
        f"{throughput.failed:,} failed ({throughput.jobs_per_s:g} jobs/s)"
    )
    if found.queues:
        click.echo("")
        _table(
            ["QUEUE", "DUE", "SCHEDULED", "RUNNING", "OLDEST WAIT", "FAILED"],
            [
                [
                    queue.name,
                    f"{queue.due:,}",
                    f"{queue.scheduled:,}",
                    f"{queue.counts.running:,}",
                    "-"
                    if queue.oldest_due_age_s is None
                    else humanize(timedelta(seconds=queue.oldest_due_age_s)),
                    f"{queue.counts.failed:,}",
                ]
                for queue in found.queues
            ],
        )
    if found.tasks:
        click.echo("")
        _table(
            ["TASK", "QUEUED", "RUNNING", "RETRYING", "SUCCEEDED", "FAILED", "FAILED (WINDOW)"],
            [
                [
                    task.name,
                    f"{task.counts.queued:,}",
                    f"{task.counts.running:,}",
                    f"{task.counts.retrying:,}",
                    f"{task.counts.succeeded:,}",
                    f"{task.counts.failed:,}",
                    f"{task.failed_in_window:,}",
                ]
                for task in found.tasks
            ],
        )


commands = [tasks, worker]
"""`kwik tasks ...` and `kwik worker` (defined in cli_worker.py)."""
