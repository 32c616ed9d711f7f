"""Storing jobs: one INSERT per job, or one per 10,000 jobs in bulk, joining the caller's
transaction.

A unique job is refused by the database, not by a read-then-write here: the INSERT says
`ON CONFLICT DO NOTHING` against the partial unique index over active jobs, so concurrent
enqueues of one key (in any number of processes, or twice in one bulk insert) make one job.

Bulk inserts on PostgreSQL send the arguments as one text array that the database `unnest`s
(`INSERT ... SELECT ... FROM unnest(...)`): one statement and a few parameters whatever the
number of jobs, where a multi-row VALUES list would need ten parameters a job; the new ids come
back as one array. SQLite gets one JSON array and reads it with `json_each`.

A job enqueued outside any unit of work on PostgreSQL is one statement on a pooled connection,
sent through asyncpg directly: no transaction to open and commit (the statement is atomic by
itself), and none of SQLAlchemy's per-statement work, which would cost as much as the insert.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, text
from sqlalchemy.util.concurrency import greenlet_spawn

from kwik.contrib.tasks.connections import Executor, dialect_of, joined, lone_connection
from kwik.contrib.tasks.errors import TaskDefinitionError
from kwik.contrib.tasks.handles import JobHandle
from kwik.contrib.tasks.registry import is_registered
from kwik.contrib.tasks.states import ACTIVE_STATES
from kwik.db.database import Database, database, sessions_bound
from kwik.db.session import current_session
from kwik.db.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

    from kwik.contrib.tasks.task import BoundTask, Task

__all__ = ["BULK_CHUNK", "enqueue_bulk", "enqueue_one"]

BULK_CHUNK = 10_000
"""Jobs per INSERT statement in bulk; several statements of one call share one transaction."""
_DUPLICATE_TRIES = 3
_COLUMNS = (
    "task, queue, priority, state, args, attempts, max_attempts, run_at, unique_key, created_at"
)

_ONE_POSTGRESQL = f"""
    INSERT INTO tasks_job ({_COLUMNS})
    VALUES (:task, :queue, :priority, 'queued', CAST(:args AS JSON), 0, :max_attempts,
            COALESCE(CAST(:run_at AS TIMESTAMPTZ), now() + CAST(:delay AS INTERVAL)),
            :unique_key, now())
    ON CONFLICT DO NOTHING
    RETURNING id
"""
_ONE_SQLITE = text(
    f"""
    INSERT INTO tasks_job ({_COLUMNS})
    VALUES (:task, :queue, :priority, 'queued', :args, 0, :max_attempts, :run_at, :unique_key,
            :now)
    ON CONFLICT DO NOTHING
    RETURNING id
    """
).bindparams(bindparam("run_at", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))
_MANY_POSTGRESQL = text(
    f"""
    WITH made AS (
        INSERT INTO tasks_job ({_COLUMNS})
        SELECT :task, :queue, :priority, 'queued', CAST(t.args AS JSON), 0, :max_attempts,
               COALESCE(CAST(:run_at AS TIMESTAMPTZ), now() + CAST(:delay AS INTERVAL)),
               t.unique_key, now()
        FROM unnest(CAST(:args AS TEXT[]), CAST(:keys AS TEXT[])) WITH ORDINALITY
             AS t(args, unique_key, n)
        ORDER BY t.n
        ON CONFLICT DO NOTHING
        RETURNING id
    )
    SELECT array_agg(id ORDER BY id) FROM made
    """
)
_MANY_SQLITE = text(
    f"""
    INSERT INTO tasks_job ({_COLUMNS})
    SELECT :task, :queue, :priority, 'queued', json_extract(t.value, '$[0]'), 0, :max_attempts,
           :run_at, json_extract(t.value, '$[1]'), :now
    FROM json_each(:rows) AS t
    WHERE true
    ORDER BY t.key
    ON CONFLICT DO NOTHING
    RETURNING id
    """
).bindparams(bindparam("run_at", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))
_ACTIVE_WITH_KEY = """
    SELECT id FROM tasks_job
    WHERE task = :task AND unique_key = :unique_key AND state IN ({states})
""".format(states=", ".join(f"'{state.value}'" for state in ACTIVE_STATES))


def _numbered(sql: str, names: Sequence[str]) -> str:
    """`:name` placeholders as asyncpg's `$1`, `$2`... in the order of `names`."""
    position = {name: index for index, name in enumerate(names, start=1)}
    return re.sub(r"(?<![:\w]):(\w+)", lambda match: f"${position[match[1]]}", sql)


_ONE_NAMES = ("task", "queue", "priority", "args", "max_attempts", "run_at", "delay", "unique_key")
_ONE_ASYNCPG = _numbered(_ONE_POSTGRESQL, _ONE_NAMES)
_ACTIVE_ASYNCPG = _numbered(_ACTIVE_WITH_KEY, ("task", "unique_key"))
_ONE_POSTGRESQL_TEXT = text(_ONE_POSTGRESQL)
_ACTIVE_WITH_KEY_TEXT = text(_ACTIVE_WITH_KEY)


def _require_registered(task: Task[Any, Any]) -> None:
    if not is_registered(task):
        raise TaskDefinitionError(
            f"Task {task.name!r} is not in the tasks module of an installed app, so no worker "
            "would run its jobs: define it in an app's tasks.py (or import it there), and put "
            "the app in INSTALLED_APPS"
        )


def _delay(run_at: datetime | None, delay: float | timedelta | None) -> timedelta:
    """The wait before a job may run, checked (an aware run_at is kept as given by the caller)."""
    if run_at is not None and delay is not None:
        raise TypeError("enqueue() takes run_at or delay, not both")
    if run_at is not None and (run_at.tzinfo is None or run_at.utcoffset() is None):
        raise ValueError(
            f"run_at {run_at!r} is a naive datetime; give it a time zone, e.g. "
            "datetime.now(UTC) + timedelta(hours=1)"
        )
    if delay is None:
        return timedelta(0)
    wait = delay if isinstance(delay, timedelta) else timedelta(seconds=delay)
    if wait < timedelta(0):
        raise ValueError(f"delay must not be negative, not {delay!r}")
    return wait


async def enqueue_one(
    bound: BoundTask[Any, Any],
    validated: BaseModel,
    *,
    run_at: datetime | None,
    delay: float | timedelta | None,
    session: AsyncSession | None,
    connection: AsyncConnection | None,
) -> JobHandle[Any]:
    """Store one job (see `Task.enqueue`)."""
    task = bound.task
    _require_registered(task)
    values: dict[str, Any] = {
        "task": task.name,
        "queue": bound.queue,
        "priority": bound.priority,
        "args": task.arguments.encode(validated),
        "max_attempts": task.options.max_attempts,
        "run_at": run_at,
        "delay": _delay(run_at, delay),
        "unique_key": bound.key_for(validated),
    }
    given = connection if connection is not None else session
    if given is None:
        given = current_session()
    if given is None and not sessions_bound():
        db = database()
        if db.backend == "postgresql":
            return await _one_on_asyncpg(db, task, values)
    async with joined(session, connection) as executor:
        for _ in range(_DUPLICATE_TRIES):
            job_id = await _insert(executor, values)
            if job_id is not None:
                return JobHandle(job_id, task)
            found = await _active_with_key(executor, values)
            if found is not None:
                return JobHandle(found, task, created=False)
            # The active job finished between the two statements: its key is free again.
    raise _contended(task, values)


def _contended(task: Task[Any, Any], values: Mapping[str, Any]) -> RuntimeError:
    return RuntimeError(f"Task {task.name!r}: unique key {values['unique_key']!r} stayed contended")


async def _one_on_asyncpg(
    db: Database, task: Task[Any, Any], values: dict[str, Any]
) -> JobHandle[Any]:
    """The job in a statement of its own, straight through asyncpg.

    A loop of enqueues reuses one kept connection (`lone_connection`); concurrent ones take
    pooled connections, taken and given back without an `AsyncConnection` around them, whose
    bookkeeping would cost as much as the insert.
    """
    lone = lone_connection(db)
    if lone.busy:
        pooled = await db.engine.raw_connection()
        try:
            return await _insert_on(pooled.driver_connection, task, values)
        except BaseException:
            if pooled.driver_connection.is_closed():  # lost: the pool mustn't hand it out again
                await greenlet_spawn(pooled.invalidate)
            raise
        finally:
            await greenlet_spawn(pooled.close)
    lone.busy = True
    try:
        return await _insert_on(await lone.get(), task, values)
    except BaseException:
        lone.drop()
        raise
    finally:
        lone.busy = False


async def _insert_on(raw: Any, task: Task[Any, Any], values: dict[str, Any]) -> JobHandle[Any]:
    arguments = [values[name] for name in _ONE_NAMES]
    for _ in range(_DUPLICATE_TRIES):
        job_id = await raw.fetchval(_ONE_ASYNCPG, *arguments)
        if job_id is not None:
            return JobHandle(job_id, task)
        found = await raw.fetchval(_ACTIVE_ASYNCPG, values["task"], values["unique_key"])
        if found is not None:
            return JobHandle(found, task, created=False)
    raise _contended(task, values)


async def _insert(executor: Executor, values: dict[str, Any]) -> int | None:
    if dialect_of(executor) == "postgresql":
        result = await executor.execute(_ONE_POSTGRESQL_TEXT, values)
    else:
        now = utcnow()
        parameters = {**values, "now": now, "run_at": values["run_at"] or now + values["delay"]}
        del parameters["delay"]
        result = await executor.execute(_ONE_SQLITE, parameters)
    return result.scalar()


async def _active_with_key(executor: Executor, values: Mapping[str, Any]) -> int | None:
    if values["unique_key"] is None:
        return None
    parameters = {"task": values["task"], "unique_key": values["unique_key"]}
    return (await executor.execute(_ACTIVE_WITH_KEY_TEXT, parameters)).scalar()


def _encoded(bound: BoundTask[Any, Any], items: Sequence[Any]) -> tuple[list[str], list[Any]]:
    """Every item validated, as stored JSON text, and its unique key (None for most tasks)."""
    arguments = bound.task.arguments
    if not arguments.names and all(isinstance(item, Mapping) and not item for item in items):
        encoded = ["{}"] * len(items)  # a task without parameters: nothing to validate
        validated: list[BaseModel] = []
    else:
        validated = [arguments.check(item) for item in items]
        encoded = [arguments.encode(model) for model in validated]
    keyed = bound.explicit_key is not None or bound.task.options.unique
    if not keyed:
        return encoded, [None] * len(items)
    if not validated:
        validated = [arguments.check(item) for item in items]
    return encoded, [bound.key_for(model) for model in validated]


async def enqueue_bulk(
    bound: BoundTask[Any, Any],
    items: Sequence[Any],
    *,
    run_at: datetime | None,
    delay: float | timedelta | None,
    session: AsyncSession | None,
    connection: AsyncConnection | None,
) -> list[JobHandle[Any]]:
    """Store many jobs (see `Task.enqueue_many`)."""
    task = bound.task
    _require_registered(task)
    wait = _delay(run_at, delay)
    if not items:
        return []
    encoded, keys = _encoded(bound, items)
    common = {
        "task": task.name,
        "queue": bound.queue,
        "priority": bound.priority,
        "max_attempts": task.options.max_attempts,
    }
    unique = any(key is not None for key in keys)
    ids: list[int] = []
    async with joined(session, connection, several=True) as executor:
        postgres = dialect_of(executor) == "postgresql"
        for start in range(0, len(encoded), BULK_CHUNK):
            end = start + BULK_CHUNK
            if postgres:
                parameters = {
                    **common,
                    "args": encoded[start:end],
                    "keys": keys[start:end] if unique else None,
                    "run_at": run_at,
                    "delay": wait,
                }
                made = (await executor.execute(_MANY_POSTGRESQL, parameters)).scalar()
                ids.extend(made or ())
            else:
                now = utcnow()
                rows = (
                    "["
                    + ",".join(
                        f"[{args},{_json_text(key)}]"
                        for args, key in zip(encoded[start:end], keys[start:end], strict=True)
                    )
                    + "]"
                )
                parameters = {**common, "rows": rows, "run_at": run_at or now + wait, "now": now}
                result = await executor.execute(_MANY_SQLITE, parameters)
                ids.extend(sorted(result.scalars()))
    return [JobHandle(job_id, task) for job_id in ids]


def _json_text(key: str | None) -> str:
    """A unique key as a JSON value: keys are hex digests or caller-given text."""
    return "null" if key is None else json.dumps(key)
