"""Lifespan, kwik's task queue: database-backed background tasks (docs/tasks.md).

Add `"kwik.contrib.tasks"` to INSTALLED_APPS, run `kwik migrate`, define tasks in an app's
`tasks` module and run `kwik worker`.

Example:
    # shop/tasks.py
    from kwik.contrib.tasks import background_task

    @background_task(retries=3, timeout=30)
    async def send_welcome_email(user_id: int) -> None:
        ...

    # in a handler: the job is stored in the request's transaction
    handle = await send_welcome_email.enqueue(user.id)
"""

from __future__ import annotations

from kwik.contrib.tasks.control import cancel_job, retry_job
from kwik.contrib.tasks.cron import CronExpression
from kwik.contrib.tasks.decorators import background_task
from kwik.contrib.tasks.errors import (
    InvalidTaskArguments,
    JobCancelled,
    JobFailed,
    JobNotFound,
    ResultTimeout,
    TaskDefinitionError,
    TaskNameClash,
    TasksError,
    UnknownTask,
)
from kwik.contrib.tasks.handles import JobHandle, JobInfo, load_job
from kwik.contrib.tasks.registry import get_task, registered_tasks
from kwik.contrib.tasks.states import ACTIVE_STATES, CLAIMABLE_STATES, FINISHED_STATES, JobState
from kwik.contrib.tasks.task import BoundTask, Task, TaskOptions
from kwik.contrib.tasks.worker import Worker, WorkerStats

__all__ = [
    "ACTIVE_STATES",
    "CLAIMABLE_STATES",
    "FINISHED_STATES",
    "BoundTask",
    "CronExpression",
    "InvalidTaskArguments",
    "JobCancelled",
    "JobFailed",
    "JobHandle",
    "JobInfo",
    "JobNotFound",
    "JobState",
    "ResultTimeout",
    "Task",
    "TaskDefinitionError",
    "TaskNameClash",
    "TaskOptions",
    "TasksError",
    "UnknownTask",
    "Worker",
    "WorkerStats",
    "background_task",
    "cancel_job",
    "get_task",
    "load_job",
    "registered_tasks",
    "retry_job",
]
