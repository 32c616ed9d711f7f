"""Where the queue's statements run: the caller's unit of work, or a short one of kwik's own.

Enqueueing joins the transaction of the code that enqueues (the request's session, an enclosing
`kwik.db.session()` block, or a session or connection passed in), so a job exists only if that
transaction commits. Without one, a lone statement runs in autocommit mode on PostgreSQL (one
round trip, no BEGIN or COMMIT: a single statement is atomic by itself), on a pooled connection
or, for enqueueing, on a plain asyncpg connection kept for it (`LoneConnection`), and in a
`BEGIN IMMEDIATE` transaction on SQLite. Under kwik's test fixtures, which run every session on
the test's connection, kwik's own units of work are sessions too, so they stay inside the test's
transaction.

A worker keeps connections of its own (`Dedicated`) for its claims and outcomes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from kwik.db.database import Database, database, sessions_bound
from kwik.db.session import current_session
from kwik.db.session import session as unit_of_work

__all__ = [
    "Dedicated",
    "Executor",
    "LoneConnection",
    "asyncpg_connect",
    "dialect_of",
    "joined",
    "lone_connection",
    "lone_statement",
    "transaction",
]

Executor = AsyncSession | AsyncConnection
"""Anything the queue's Core statements can be executed on."""

# Options SQLAlchemy's asyncpg dialect takes for itself, which asyncpg.connect() doesn't know.
_SQLALCHEMY_ONLY = {
    "prepared_statement_cache_size",
    "prepared_statement_name_func",
    "async_fallback",
}


async def asyncpg_connect(db: Database) -> Any:
    """A plain asyncpg connection to the project's PostgreSQL database, outside the pool, made
    with the same URL and DATABASE_CONNECT_ARGS as the pool's."""
    import asyncpg

    query = {k: v for k, v in db.url.query.items() if k not in _SQLALCHEMY_ONLY}
    url = db.url.set(drivername="postgresql", query=query)
    options = {
        k: v for k, v in db.settings.DATABASE_CONNECT_ARGS.items() if k not in _SQLALCHEMY_ONLY
    }
    return await asyncpg.connect(url.render_as_string(hide_password=False), **options)


class LoneConnection:
    """An asyncpg connection kept for statements that stand alone (enqueue outside any unit of
    work), so a loop of `enqueue()` calls doesn't check a connection out of the pool and back
    for each job. One caller uses it at a time; `busy` callers go to the pool instead. The
    database closes it with its engine (`Database.attach`).
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.engine = db.engine
        self.busy = False
        self._connection: Any = None

    async def get(self) -> Any:
        if self._connection is None or self._connection.is_closed():
            self._connection = await asyncpg_connect(self.db)
        return self._connection

    def drop(self) -> None:
        """Forget a connection that failed (a lost connection is not used again)."""
        connection, self._connection = self._connection, None
        if connection is not None and connection.is_closed() is False:
            connection.terminate()

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            await connection.close()

    def terminate(self) -> None:
        self.drop()


_lone: LoneConnection | None = None


def lone_connection(db: Database) -> LoneConnection:
    """The kept connection of `db`'s engine on the running event loop."""
    global _lone
    if _lone is None or _lone.db is not db or _lone.engine is not db.engine:
        _lone = LoneConnection(db)
        db.attach(_lone)
    return _lone


def dialect_of(executor: Executor) -> str:
    """`postgresql` or `sqlite`: the database behind a session or connection."""
    if isinstance(executor, AsyncConnection):
        return executor.dialect.name
    return executor.get_bind().dialect.name


@asynccontextmanager
async def lone_statement() -> AsyncIterator[Executor]:
    """A unit of work for one statement that stands alone (it must be the only one)."""
    if sessions_bound():
        async with unit_of_work() as current:
            yield current
        return
    db = database()
    if db.backend == "postgresql":
        async with db.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection
    else:
        async with db.engine.begin() as connection:
            yield connection


@asynccontextmanager
async def transaction() -> AsyncIterator[Executor]:
    """A unit of work of several statements, committed together at the end of the block."""
    if sessions_bound():
        async with unit_of_work() as current:
            yield current
        return
    async with database().engine.begin() as connection:
        yield connection


@asynccontextmanager
async def joined(
    session: AsyncSession | None = None,
    connection: AsyncConnection | None = None,
    *,
    several: bool = False,
) -> AsyncIterator[Executor]:
    """The executor a write goes to: `connection`, `session`, the current unit of work, or
    (when there is none) one of kwik's own, committed at the end of the block."""
    given = connection if connection is not None else session
    if given is None:
        given = current_session()
    if given is not None:
        yield given
        return
    own = transaction() if several else lone_statement()
    async with own as executor:
        yield executor


class Dedicated:
    """A connection a worker keeps for its own statements, one statement at a time.

    On PostgreSQL it holds one pooled connection in autocommit mode for the worker's life (each
    of the worker's statements stands alone, so none needs BEGIN and COMMIT round trips), and
    opens a new one after an error. On SQLite every use is a `BEGIN IMMEDIATE` transaction on a
    pooled connection, since that is how writers take turns there.
    """

    def __init__(self, *, synchronous_commit: bool = True) -> None:
        self.synchronous_commit = synchronous_commit
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def use(self) -> AsyncIterator[Executor]:
        db = database()
        if db.backend != "postgresql":
            async with db.engine.begin() as connection:
                yield connection
            return
        async with self._lock:
            if self._connection is None or self._connection.closed:
                connection = await db.engine.connect()
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                if not self.synchronous_commit:
                    await connection.exec_driver_sql("SET synchronous_commit = off")
                self._connection = connection
            try:
                yield self._connection
            except BaseException:
                await self._discard()
                raise

    async def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if not self.synchronous_commit:  # the pool's next user gets the server's default
                await connection.exec_driver_sql("RESET synchronous_commit")
            await connection.close()
        except Exception:  # the connection is broken: the pool drops it and opens another
            await connection.invalidate()

    async def close(self) -> None:
        async with self._lock:
            await self._discard()
