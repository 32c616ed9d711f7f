"""The task queue's exceptions, each with a message that names the task or job and what to do."""

from __future__ import annotations

from kwik.exceptions import ImproperlyConfigured, KwikError

__all__ = [
    "InvalidTaskArguments",
    "JobCancelled",
    "JobFailed",
    "JobNotFound",
    "ResultTimeout",
    "TaskDefinitionError",
    "TaskNameClash",
    "TasksError",
    "UnknownTask",
]


class TasksError(KwikError):
    """Base class of the task queue's errors."""


class TaskDefinitionError(ImproperlyConfigured):
    """`@background_task` can't make a task of this function (raised where it is defined)."""


class TaskNameClash(ImproperlyConfigured):
    """Two installed tasks have one name, so a worker couldn't tell which a job means."""

    def __init__(self, message: str, *, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class InvalidTaskArguments(TasksError, TypeError):
    """`enqueue()` got arguments that don't match the task's signature; nothing was stored."""


class UnknownTask(TasksError, LookupError):
    """No installed app defines a task of this name (a worker fails such a job with this)."""


class JobNotFound(TasksError, LookupError):
    """No job has this id: it never existed, or it was deleted (TASKS_RESULT_TTL, purge)."""


class JobFailed(TasksError):
    """The job used up its attempts; `error` and `traceback` are its last failure's."""

    def __init__(self, job_id: int, error: str | None, traceback: str | None) -> None:
        super().__init__(f"Job {job_id} failed: {error or 'no error was recorded'}")
        self.job_id = job_id
        self.error = error
        self.traceback = traceback


class JobCancelled(TasksError):
    """The job was cancelled before it could finish; it has no result."""

    def __init__(self, job_id: int) -> None:
        super().__init__(f"Job {job_id} was cancelled")
        self.job_id = job_id


class ResultTimeout(TasksError, TimeoutError):
    """`result(timeout=...)` ran out of time before the job finished (the job carries on)."""
