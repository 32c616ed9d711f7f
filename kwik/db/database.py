"""`Database`: the project's engine and session factory, made at start-up, disposed at shutdown.

An engine's pooled connections belong to the event loop that opened them. The application makes
its engine in the lifespan and disposes it at shutdown; a script or test that runs several event
loops gets a fresh engine in each, instead of a pool full of connections from a dead loop.

Tests bind every session to one connection (`bind_sessions`) so each test runs in a transaction
that is rolled back; the binding is process-wide on purpose, so it holds whichever Database
object a test's settings produce.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from kwik.conf.models import CoreSettings
from kwik.db.engine import create_engine
from kwik.db.errors import DatabaseUnavailable, unreachable
from kwik.db.urls import masked, parse_url

__all__ = [
    "Attached",
    "Database",
    "DatabaseUnavailable",
    "bind_sessions",
    "database",
    "reset_database",
    "sessions_bound",
]

Sessions = async_sessionmaker[AsyncSession]

_bound: Sessions | None = None
_left_behind: list[AsyncEngine] = []
"""Engines of event loops that moved on; the next `dispose()` closes what it can of them."""


@asynccontextmanager
async def bind_sessions(connection: AsyncConnection) -> AsyncIterator[None]:
    """Run every session of the process on `connection` inside the block (kwik's test fixtures).

    Sessions then commit to savepoints; rolling back the connection's transaction undoes all.
    """
    global _bound
    previous = _bound
    _bound = async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    try:
        yield
    finally:
        _bound = previous


def sessions_bound() -> bool:
    """True inside `bind_sessions`: every session runs on the test's connection.

    Code that opens connections of its own for speed (the task queue does) uses a session
    instead then, so its writes stay inside the test's transaction.
    """
    return _bound is not None


class Attached(Protocol):
    """A resource that lives as long as a database's engine: a connection opened outside the
    pool, say (`Database.attach`)."""

    async def aclose(self) -> None:
        """Close it; called on the engine's event loop when the database is disposed."""

    def terminate(self) -> None:
        """Drop it without waiting; called when its event loop has moved on."""


class Database:
    """One database: a URL, its engine (per event loop) and its session factory."""

    def __init__(self, settings: CoreSettings) -> None:
        self.settings = settings
        self.url: URL = parse_url(settings.DATABASE_URL, base_dir=settings.BASE_DIR)
        self._engine: AsyncEngine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sessions: Sessions | None = None
        self._attached: list[Attached] = []

    def __repr__(self) -> str:
        return f"<Database {masked(self.url)}>"

    @property
    def backend(self) -> str:
        """`sqlite` or `postgresql` (the dialect name)."""
        return self.url.get_backend_name()

    @property
    def engine(self) -> AsyncEngine:
        """The engine for the running event loop, made on first use."""
        loop = asyncio.get_running_loop()
        if self._engine is None or self._loop is not loop:
            self._forget_engine()
            self._engine = create_engine(self.url, self.settings)
            self._loop = loop
            self._sessions = async_sessionmaker(bind=self._engine, expire_on_commit=False)
        return self._engine

    def sessionmaker(self) -> Sessions:
        """The session factory: on the engine, or on the connection tests bound.

        `expire_on_commit=False` lets a handler return objects after the commit (the response is
        serialized after the unit of work ends) without a lazy load on a closed session.
        """
        if _bound is not None:
            return _bound
        self.engine  # noqa: B018 - makes the engine (and its factory) for this loop
        assert self._sessions is not None
        return self._sessions

    async def check_connection(self) -> None:
        """Open one connection, or raise DatabaseUnavailable with a message to act on.

        Tests that bound sessions to their connection have connected already.
        """
        if _bound is not None:
            return
        try:
            async with self.engine.connect():
                pass
        except (OperationalError, DBAPIError, OSError) as exc:
            raise unreachable(self.url, exc) from exc

    def attach(self, resource: Attached) -> None:
        """Close `resource` along with the engine of the running event loop.

        For code that keeps a connection of its own next to the pool (the task queue keeps one
        for enqueueing): it is closed when the database is disposed, or dropped when its event
        loop ends and another makes a new engine.
        """
        self.engine  # noqa: B018 - the resource belongs to this loop's engine
        self._attached.append(resource)

    async def dispose(self) -> None:
        """Close the pool's connections (application shutdown, end of a script).

        While tests have bound sessions to their connection, the test owns the engine: an
        application shutting down inside a test leaves it alone.
        """
        if _bound is not None:
            return
        if self._engine is not None and self._loop is asyncio.get_running_loop():
            attached, self._attached = self._attached, []
            for resource in attached:
                await resource.aclose()
            await self._engine.dispose()
            self._engine = None
        self._forget_engine()
        while _left_behind:
            await _close_left_behind(_left_behind.pop())

    def _forget_engine(self) -> None:
        attached, self._attached = self._attached, []
        for resource in attached:
            resource.terminate()
        if self._engine is not None:
            _left_behind.append(self._engine)
        self._engine = self._loop = self._sessions = None


async def _close_left_behind(engine: AsyncEngine) -> None:
    """Close an engine made on another event loop, as far as its driver allows.

    aiosqlite connections run on threads of their own and close from any loop; asyncpg
    connections belong to their loop's transports, so their pool is only dropped (the sockets
    close when collected).
    """
    if engine.dialect.name == "sqlite":
        await engine.dispose()
    else:
        engine.sync_engine.dispose(close=False)


_database: Database | None = None


def database() -> Database:
    """The project's database, made from its settings on first use.

    A changed DATABASE_URL (a test's settings override) gets a new Database; other changes keep
    the one there is, with its engine.
    """
    global _database
    from kwik.conf import settings

    core = settings.core
    if _database is None or (_database.settings.DATABASE_URL, _database.settings.BASE_DIR) != (
        core.DATABASE_URL,
        core.BASE_DIR,
    ):
        if _database is not None:
            _database._forget_engine()
        _database = Database(core)
    return _database


def reset_database() -> None:
    """Forget the project's Database (`kwik.bootstrap.reset` calls it between projects)."""
    global _database
    if _database is not None:
        _database._forget_engine()
    _database = None
