"""`@background_task`: make an async function a task, with how its jobs queue, retry and time out.

Defining a task registers nothing: workers find tasks in the `tasks` modules of installed apps
(registry.py), so a task must be defined in (or imported into) one. Every mistake in the options
is an error where the task is defined, not in a worker later.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ParamSpec, TypeVar, overload

from kwik.contrib.tasks.cron import CronExpression
from kwik.contrib.tasks.errors import TaskDefinitionError
from kwik.contrib.tasks.task import Backoff, Task, TaskOptions

__all__ = ["background_task"]

P = ParamSpec("P")
R = TypeVar("R")


@overload
def background_task(function: Callable[P, Awaitable[R]], /) -> Task[P, R]: ...


@overload
def background_task(
    *,
    name: str | None = None,
    queue: str = "default",
    priority: int = 0,
    retries: int = 0,
    backoff: Backoff = 1.0,
    timeout: float | None = None,
    unique: bool | Sequence[str] = False,
    retry_on: Sequence[type[BaseException]] = (),
    cron: str | None = None,
) -> Callable[[Callable[P, Awaitable[R]]], Task[P, R]]: ...


def background_task(
    function: Callable[..., Awaitable[Any]] | None = None,
    /,
    *,
    name: str | None = None,
    queue: str = "default",
    priority: int = 0,
    retries: int = 0,
    backoff: Backoff = 1.0,
    timeout: float | None = None,
    unique: bool | Sequence[str] = False,
    retry_on: Sequence[type[BaseException]] = (),
    cron: str | None = None,
) -> Any:
    """Make an `async def` function a background task.

    Args:
        name: what jobs call the task; `module.function` by default. Jobs already queued keep
            the name, so set it before moving a task that has jobs waiting.
        queue: the queue its jobs go to; workers take the queues they are told.
        priority: lower runs first among due jobs of the queue (0 by default; -10 before 0).
        retries: how many times a failed job runs again (0: a failure is final).
        backoff: seconds before the first retry, doubling for each later one (with jitter,
            at most an hour); or a function of the retry number giving the seconds.
        timeout: seconds a run may take; a run that takes longer is cancelled and fails with
            TimeoutError (and is retried like any failure).
        unique: True, or the names of some parameters: while a job with the same arguments
            (or the same values of those parameters) is queued, retrying or running, enqueueing
            another does nothing. The database enforces it, so it holds across processes.
        retry_on: retry only failures of these exception classes (and their subclasses);
            others fail the job at once. By default every exception is retried.
        cron: a five-field schedule (`"*/5 * * * *"`, UTC) on which workers serving the queue
            enqueue the task, once per scheduled time across all workers. The task must take no
            arguments without defaults.

    Example:
        @background_task(queue="mail", retries=5, backoff=10, timeout=30, unique=["user_id"])
        async def send_welcome_email(user_id: int) -> None: ...

        @background_task(cron="0 3 * * *")
        async def nightly_cleanup() -> int: ...
    """

    def decorate(target: Callable[..., Awaitable[Any]]) -> Task[Any, Any]:
        task_name = f"{target.__module__}.{target.__qualname__}" if name is None else name
        if not inspect.iscoroutinefunction(target):
            raise TaskDefinitionError(
                f"Task {task_name!r}: @background_task needs an `async def` function; a worker "
                "runs tasks on its event loop (run blocking code with asyncio.to_thread)"
            )
        options = TaskOptions(
            name=_name(task_name),
            queue=_queue(task_name, queue),
            priority=_integer(task_name, "priority", priority, low=-(2**31)),
            retries=_integer(task_name, "retries", retries, low=0),
            backoff=_backoff(task_name, backoff),
            timeout=_timeout(task_name, timeout),
            unique=_unique(task_name, unique),
            retry_on=_retry_on(task_name, retry_on),
            cron=_cron(task_name, cron),
        )
        task: Task[Any, Any] = Task(target, options)
        if options.cron is not None and task.arguments.required:
            raise TaskDefinitionError(
                f"Task {task_name!r}: a periodic task (cron=) is enqueued without arguments, so "
                f"its parameters need defaults; {', '.join(task.arguments.required)} has none"
            )
        return task

    if function is not None:
        return decorate(function)
    return decorate


def _name(value: str) -> str:
    if not value or len(value) > 255:
        raise TaskDefinitionError(f"Task name {value!r} must have 1 to 255 characters")
    return value


def _queue(task: str, value: str) -> str:
    if not isinstance(value, str) or not value or "," in value or value != value.strip():
        raise TaskDefinitionError(
            f"Task {task!r}: queue {value!r} is not a queue name (no commas, no spaces around)"
        )
    if len(value) > 100:
        raise TaskDefinitionError(f"Task {task!r}: queue names have at most 100 characters")
    return value


def _integer(task: str, option: str, value: int, *, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value < 2**31:
        raise TaskDefinitionError(
            f"Task {task!r}: {option} must be a whole number from {max(low, -(2**31))}, "
            f"not {value!r}"
        )
    return value


def _backoff(task: str, value: Backoff) -> Backoff:
    if callable(value):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise TaskDefinitionError(
            f"Task {task!r}: backoff must be seconds (0 or more) or a function of the retry "
            f"number, not {value!r}"
        )
    return float(value)


def _timeout(task: str, value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise TaskDefinitionError(f"Task {task!r}: timeout must be seconds above 0, not {value!r}")
    return float(value)


def _unique(task: str, value: bool | Sequence[str]) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) or not all(isinstance(item, str) for item in value) or not value:
        raise TaskDefinitionError(
            f"Task {task!r}: unique must be True or a list of parameter names, not {value!r}"
        )
    return tuple(value)


def _retry_on(task: str, value: Sequence[type[BaseException]]) -> tuple[type[BaseException], ...]:
    classes = (value,) if isinstance(value, type) else tuple(value)
    for item in classes:
        if not (isinstance(item, type) and issubclass(item, BaseException)):
            raise TaskDefinitionError(
                f"Task {task!r}: retry_on lists {item!r}, which is not an exception class"
            )
    return classes


def _cron(task: str, value: str | None) -> CronExpression | None:
    if value is None:
        return None
    try:
        return CronExpression(value)
    except ValueError as exc:
        raise TaskDefinitionError(f"Task {task!r}: {exc}") from None
