"""`Task`: an async function made into a background task, with the options it runs under.

`@background_task` makes one (decorators.py). Calling the task runs the function at once, as
before; `enqueue()` stores a job for a worker instead, after validating the arguments against the
signature. The options are fixed where the task is defined, so every job of the task, and every
worker that runs it, agree on them; `using()` changes a few per enqueue.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from kwik.contrib.tasks.arguments import Arguments, ResultCodec
from kwik.contrib.tasks.cron import CronExpression

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

    from kwik.contrib.tasks.handles import JobHandle

__all__ = ["Backoff", "Task", "TaskOptions"]

P = ParamSpec("P")
R = TypeVar("R")

Backoff = float | Callable[[int], float]
"""Seconds before retry n (1, 2, ...): a base for exponential backoff, or a function of n."""


@dataclasses.dataclass(frozen=True, slots=True)
class TaskOptions:
    """How a task's jobs are queued and run; `Task.options`, set by `@background_task`."""

    name: str
    queue: str = "default"
    priority: int = 0
    retries: int = 0
    backoff: Backoff = 1.0
    timeout: float | None = None
    unique: bool | tuple[str, ...] = False
    retry_on: tuple[type[BaseException], ...] = ()
    cron: CronExpression | None = None

    @property
    def max_attempts(self) -> int:
        return self.retries + 1


class Task(Generic[P, R]):
    """A background task. Call it to run the function now; `enqueue()` it to run in a worker.

    Example:
        @background_task(retries=3)
        async def send_invoice(order_id: int) -> str: ...

        handle = await send_invoice.enqueue(42)  # a job, stored with the caller's transaction
        message_id = await handle.result(timeout=30)
    """

    def __init__(self, function: Callable[P, Awaitable[R]], options: TaskOptions) -> None:
        self.function = function
        self.options = options
        self.arguments = Arguments(function, options.name)
        self.results = ResultCodec(function)
        unknown = set(options.unique if isinstance(options.unique, tuple) else ()) - set(
            self.arguments.names
        )
        if unknown:
            from kwik.contrib.tasks.errors import TaskDefinitionError

            raise TaskDefinitionError(
                f"Task {options.name!r}: unique names {', '.join(sorted(unknown))}, which "
                f"{'is not a parameter' if len(unknown) == 1 else 'are not parameters'}; its "
                f"parameters are {', '.join(self.arguments.names) or 'none'}"
            )
        self.__doc__ = function.__doc__
        self.__wrapped__ = function

    @property
    def name(self) -> str:
        return self.options.name

    def __repr__(self) -> str:
        return f"<Task {self.name}>"

    async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the function here and now, without a job (in tests, or from another task)."""
        return await self.function(*args, **kwargs)

    def using(
        self,
        *,
        queue: str | None = None,
        priority: int | None = None,
        unique_key: str | None = None,
    ) -> BoundTask[P, R]:
        """This task with another queue or priority, or an explicit unique key, for the jobs
        enqueued through the result.

        Example:
            await report.using(queue="slow", priority=10).enqueue(month="2024-05")
        """
        return BoundTask(self, queue=queue, priority=priority, unique_key=unique_key)

    async def enqueue(
        self,
        *args: Any,
        run_at: datetime | None = None,
        delay: float | timedelta | None = None,
        session: AsyncSession | None = None,
        connection: AsyncConnection | None = None,
        **kwargs: Any,
    ) -> JobHandle[R]:
        """Store a job that runs the task with these arguments, and return its handle.

        The arguments are validated against the signature first (InvalidTaskArguments when
        they don't fit; nothing is stored). The job joins the caller's unit of work (the
        request's `DBSession`, or the enclosing `kwik.db.session()` block), so it exists only if
        that commits; with none running, it is stored in a transaction of its own. `session=`
        or `connection=` name the transaction to join instead. `run_at` (an aware datetime) or
        `delay` (seconds or a timedelta) hold the job back until then.

        For a unique task, a job with the same key that is still queued, retrying or running
        makes this a no-op: the handle returned is that job's, with `created` False.
        """
        return await self.using().enqueue(
            *args, run_at=run_at, delay=delay, session=session, connection=connection, **kwargs
        )

    async def enqueue_many(
        self,
        arguments: Iterable[Mapping[str, Any]],
        *,
        run_at: datetime | None = None,
        delay: float | timedelta | None = None,
        session: AsyncSession | None = None,
        connection: AsyncConnection | None = None,
    ) -> list[JobHandle[R]]:
        """Store one job per mapping of arguments (by parameter name), in one statement per
        10,000 jobs; the handles of the jobs made, in order.

        Every item is validated before anything is stored. Items of a unique task whose key is
        already active, or repeats an earlier item's, are skipped and get no handle.

        Example:
            await send_digest.enqueue_many({"user_id": uid} for uid in user_ids)
        """
        return await self.using().enqueue_many(
            arguments, run_at=run_at, delay=delay, session=session, connection=connection
        )

    def unique_key(self, dumped: Mapping[str, Any]) -> str | None:
        """The key that keeps two jobs with these (dumped) arguments from being active at once:
        a hash of the arguments `unique` names (all of them for `unique=True`)."""
        unique = self.options.unique
        if not unique:
            return None
        chosen = dumped if unique is True else {name: dumped[name] for name in unique}
        text = json.dumps(chosen, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


class BoundTask(Generic[P, R]):
    """A task with per-enqueue options (`Task.using()`); enqueueing goes through it."""

    def __init__(
        self,
        task: Task[P, R],
        *,
        queue: str | None = None,
        priority: int | None = None,
        unique_key: str | None = None,
    ) -> None:
        self.task = task
        self.queue = task.options.queue if queue is None else queue
        self.priority = task.options.priority if priority is None else priority
        self.explicit_key = unique_key
        if queue is not None and (not queue or "," in queue or len(queue) > 100):
            raise ValueError(f"{queue!r} is not a queue name (1 to 100 characters, no commas)")
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise ValueError(f"priority must be a whole number, not {self.priority!r}")
        if unique_key is not None and not 0 < len(unique_key) <= 255:
            raise ValueError("unique_key must have 1 to 255 characters")

    def key_for(self, validated: BaseModel) -> str | None:
        """The unique key of a job with these validated arguments (None for most tasks)."""
        if self.explicit_key is not None:
            return self.explicit_key
        if not self.task.options.unique:
            return None
        return self.task.unique_key(self.task.arguments.plain(validated))

    async def enqueue(
        self,
        *args: Any,
        run_at: datetime | None = None,
        delay: float | timedelta | None = None,
        session: AsyncSession | None = None,
        connection: AsyncConnection | None = None,
        **kwargs: Any,
    ) -> JobHandle[R]:
        """See `Task.enqueue`."""
        from kwik.contrib.tasks.enqueue import enqueue_one

        validated = self.task.arguments.bind(args, kwargs)
        return await enqueue_one(
            self, validated, run_at=run_at, delay=delay, session=session, connection=connection
        )

    async def enqueue_many(
        self,
        arguments: Iterable[Mapping[str, Any]],
        *,
        run_at: datetime | None = None,
        delay: float | timedelta | None = None,
        session: AsyncSession | None = None,
        connection: AsyncConnection | None = None,
    ) -> list[JobHandle[R]]:
        """See `Task.enqueue_many`."""
        from kwik.contrib.tasks.enqueue import enqueue_bulk

        return await enqueue_bulk(
            self,
            list(arguments),
            run_at=run_at,
            delay=delay,
            session=session,
            connection=connection,
        )
