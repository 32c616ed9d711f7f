"""`JobHandle`: one job, by id: read its state, wait for its result, cancel or retry it.

A handle is only an id (and the task, when known), so it is cheap to make and to keep: make one
for any job id with `JobHandle(42)`. Each method reads or writes the jobs table when called.
Reads join the caller's unit of work like enqueue does, so a job enqueued in the current
transaction is visible to it before the commit; `result()` always waits outside it, because no
worker can see a job before it is committed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import select

from kwik.contrib.tasks.connections import joined, lone_statement
from kwik.contrib.tasks.errors import JobCancelled, JobFailed, JobNotFound, ResultTimeout
from kwik.contrib.tasks.states import JobState

if TYPE_CHECKING:
    from kwik.contrib.tasks.connections import Executor
    from kwik.contrib.tasks.task import Task

__all__ = ["JobHandle", "JobInfo", "load_job"]

R = TypeVar("R")

FIRST_POLL = 0.02
LAST_POLL = 0.5
"""`result()` polls the job's row, first every 20 ms, then less often, up to every half second."""


@dataclasses.dataclass(frozen=True, slots=True)
class JobInfo:
    """A job's row as read at one moment (`JobHandle.info()`, `load_job()`)."""

    id: int
    task: str
    queue: str
    state: JobState
    priority: int
    args: dict[str, Any]
    attempts: int
    max_attempts: int
    run_at: datetime
    unique_key: str | None
    result: Any
    result_expires_at: datetime | None
    error: str | None
    traceback: str | None
    worker_id: str | None
    lease_expires_at: datetime | None
    heartbeat_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


async def load_job(job_id: int, executor: Executor | None = None) -> JobInfo:
    """The job `job_id` as stored now (JobNotFound when there is none), read on `executor` or
    in the caller's unit of work."""
    if executor is not None:
        return await _load(job_id, executor)
    async with joined() as runner:
        return await _load(job_id, runner)


async def _load(job_id: int, executor: Executor) -> JobInfo:
    from kwik.contrib.tasks.models import Job

    table = Job.__table__
    statement = select(*table.columns).where(table.c.id == job_id)
    row = (await executor.execute(statement)).mappings().first()
    if row is None:
        raise JobNotFound(
            f"No job {job_id}: it never existed, or was deleted (succeeded jobs are deleted "
            "after TASKS_RESULT_TTL; `kwik tasks purge` deletes others)"
        )
    values = dict(row)
    values["state"] = JobState(values["state"])
    return JobInfo(**values)


class JobHandle(Generic[R]):
    """One job. `enqueue()` returns one; `JobHandle(job_id)` makes one for any job.

    Example:
        handle = await make_thumbnail.enqueue(photo_id=7)
        await handle.status()  # JobState.QUEUED
        path = await handle.result(timeout=60)
    """

    __slots__ = ("created", "id", "task")

    def __init__(self, job_id: int, task: Task[Any, R] | None = None, *, created: bool = True):
        self.id = job_id
        self.task = task
        self.created = created
        """False when enqueue found an active job with the same unique key and returned it."""

    def __repr__(self) -> str:
        name = f" {self.task.name}" if self.task is not None else ""
        return f"<JobHandle {self.id}{name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JobHandle) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    async def info(self) -> JobInfo:
        """Everything stored about the job now."""
        return await load_job(self.id)

    async def status(self) -> JobState:
        """The job's state now."""
        from kwik.contrib.tasks.models import Job

        table = Job.__table__
        async with joined() as executor:
            state = (
                await executor.execute(select(table.c.state).where(table.c.id == self.id))
            ).scalar()
        if state is None:
            raise JobNotFound(f"No job {self.id}: it never existed, or was deleted")
        return JobState(state)

    async def result(self, timeout: float | None = None) -> R:
        """Wait until the job finishes and return its result.

        The stored JSON is validated back into the task's return annotation when the handle
        knows its task. Raises JobFailed (with the last error and traceback) when the job
        failed, JobCancelled when it was cancelled, ResultTimeout when `timeout` seconds pass
        first (the job itself carries on), and JobNotFound when the job is gone.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = FIRST_POLL
        while True:
            async with lone_statement() as executor:
                info = await load_job(self.id, executor)
            if info.state is JobState.SUCCEEDED:
                if self.task is not None:
                    return self.task.results.load(info.result)  # type: ignore[no-any-return]
                return info.result  # type: ignore[no-any-return]
            if info.state is JobState.FAILED:
                raise JobFailed(self.id, info.error, info.traceback)
            if info.state is JobState.CANCELLED:
                raise JobCancelled(self.id)
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ResultTimeout(
                        f"Job {self.id} is still {info.state.value} after {timeout:g}s"
                    )
                pause = min(pause, left)
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, LAST_POLL)

    async def cancel(self) -> bool:
        """Cancel the job unless it has finished; True if this call cancelled it.

        A queued or retrying job never runs; a running one is cancelled in its worker at the
        worker's next heartbeat (its run is interrupted with CancelledError).
        """
        from kwik.contrib.tasks.control import cancel_job

        return await cancel_job(self.id)

    async def retry(self) -> bool:
        """Queue a failed or cancelled job again, with all its attempts; True if it was."""
        from kwik.contrib.tasks.control import retry_job

        return await retry_job(self.id)
