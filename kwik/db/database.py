"""`Database`: the project's engine and session factory, made once and disposed at shutdown.

An engine's pooled connections belong to the event loop that opened them. The application makes
its engine in the lifespan and disposes it at shutdown; a script or test that runs several event
loops gets a fresh engine in each, instead of a pool full of connections from a dead loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from kwik.conf.models import CoreSettings
from kwik.db.engine import create_engine
from kwik.db.errors import reason
from kwik.db.urls import masked, parse_url
from kwik.exceptions import KwikError

__all__ = ["Database", "DatabaseUnavailable", "database", "reset_database"]


class DatabaseUnavailable(KwikError):
    """The database can't be reached; the message names it, with the password masked."""


class Database:
    """One database: a URL, its engine (per event loop) and its session factory."""

    def __init__(self, settings: CoreSettings) -> None:
        self.settings = settings
        self.url: URL = parse_url(settings.DATABASE_URL, base_dir=settings.BASE_DIR)
        self._engine: AsyncEngine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bind: AsyncConnection | None = None

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
            if self._engine is not None:
                # The old loop's connections can't be closed from here; drop the pool instead.
                self._engine.sync_engine.dispose(close=False)
            self._engine = create_engine(self.url, self.settings)
            self._loop = loop
        return self._engine

    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Sessions on the engine, or on the connection a test bound with `bind_to()`.

        `expire_on_commit=False` lets a handler return objects after the commit (the response is
        serialized after the unit of work ends) without a lazy load on a closed session.
        """
        if self._bind is not None:
            return async_sessionmaker(
                bind=self._bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        return async_sessionmaker(bind=self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def bound_to(self, connection: AsyncConnection) -> AsyncIterator[None]:
        """Route every session through `connection` (tests wrap each test in one transaction).

        Sessions then commit to savepoints; rolling back the connection's transaction undoes all.
        """
        previous, self._bind = self._bind, connection
        try:
            yield
        finally:
            self._bind = previous

    async def check_connection(self) -> None:
        """Open one connection, or raise DatabaseUnavailable with a message to act on."""
        try:
            async with self.engine.connect():
                pass
        except (OperationalError, DBAPIError, OSError) as exc:
            raise DatabaseUnavailable(
                f"Cannot connect to the database at {masked(self.url)}: "
                f"{reason(exc)}. Check DATABASE_URL and that the server is running."
            ) from exc

    async def dispose(self) -> None:
        """Close the pool's connections (application shutdown, end of a script).

        While a test has bound the database to its connection, the test owns the engine: an
        application shutting down inside the test leaves it alone.
        """
        if self._bind is not None:
            return
        if self._engine is not None and self._loop is asyncio.get_running_loop():
            await self._engine.dispose()
        elif self._engine is not None:
            self._engine.sync_engine.dispose(close=False)
        self._engine = self._loop = None


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
        _database = Database(core)
    return _database


def reset_database() -> None:
    """Forget the project's Database (kwik.bootstrap.reset and settings overrides use it)."""
    global _database
    _database = None
