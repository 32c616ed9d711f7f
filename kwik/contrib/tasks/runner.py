"""Running one claimed job: find its task, load its arguments, call it within its timeout, and
turn how it ended into an `Outcome` (and a log line when it failed).

Nothing a job does can stop the worker: an unknown task name, arguments that no longer fit the
signature, an exception, a timeout or a result that isn't JSON all end that job as a failure
(retried when the task says so), and the worker carries on with the next.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from kwik.contrib.tasks.arguments import describe_errors
from kwik.contrib.tasks.claim import ClaimedJob
from kwik.contrib.tasks.completion import Outcome
from kwik.contrib.tasks.errors import UnknownTask
from kwik.contrib.tasks.registry import get_task
from kwik.contrib.tasks.retry import retry_delay, should_retry
from kwik.contrib.tasks.states import JobState
from kwik.contrib.tasks.task import Task

__all__ = ["run_job"]

logger = logging.getLogger("kwik.tasks")
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _final(job: ClaimedJob, message: str, trace: str | None = None) -> Outcome:
    logger.error("Job %s (%s) failed: %s", job.id, job.task, message)
    return Outcome(job.id, job.attempt, JobState.FAILED, error=message, traceback=trace)


async def run_job(job: ClaimedJob, tasks: Mapping[str, Task[Any, Any]]) -> Outcome:
    """Run `job` with its task from `tasks` (the registry, as the worker read it at start) and
    say how it ended. CancelledError (the worker stopping, or the job cancelled) propagates:
    the caller decides what becomes of the job then."""
    task = tasks.get(job.task)
    if task is None:
        try:
            task = get_task(job.task)  # the registry's message, naming where tasks are found
        except UnknownTask as exc:
            return _final(job, f"UnknownTask: {exc}")
    try:
        kwargs = task.arguments.load_json(job.args)
    except ValidationError as exc:
        return _final(
            job,
            "InvalidTaskArguments: the stored arguments don't fit the task's signature any more "
            f"({describe_errors(exc)})",
        )
    timeout = task.options.timeout
    try:
        if timeout is None:
            value = await task.function(**kwargs)
        else:
            async with asyncio.timeout(timeout) as limit:
                value = await task.function(**kwargs)
    except Exception as exc:
        if timeout is not None and isinstance(exc, TimeoutError) and limit.expired():
            message = f"TimeoutError: the run took longer than the task's timeout of {timeout:g}s"
        else:
            message = f"{type(exc).__qualname__}: {exc}" if str(exc) else type(exc).__qualname__
        return _failure(job, task, exc, message, traceback.format_exc())
    if value is None:
        return Outcome(job.id, job.attempt, JobState.SUCCEEDED)
    try:
        stored = _encode(task.results.dump(value))
    except Exception as exc:
        return _final(
            job,
            f"the result can't be stored as JSON ({type(exc).__name__}: {exc}); return "
            "JSON-friendly values, or annotate the return type",
        )
    return Outcome(job.id, job.attempt, JobState.SUCCEEDED, result=stored)


def _failure(
    job: ClaimedJob, task: Task[Any, Any], error: Exception, message: str, trace: str
) -> Outcome:
    if not should_retry(error, task.options, job.attempt):
        return _final(job, message, trace)
    delay = retry_delay(task.options.backoff, job.attempt)
    logger.warning(
        "Job %s (%s) failed on attempt %s of %s: %s; retrying in %.1fs",
        job.id,
        job.task,
        job.attempt,
        job.max_attempts,
        message,
        delay,
    )
    return Outcome(
        job.id,
        job.attempt,
        JobState.RETRYING,
        error=message,
        traceback=trace,
        delay=delay,
    )
