"""Creating the async engine for a URL, configured for the backend behind it.

SQLite gets what concurrent use needs: foreign keys on, a busy timeout, WAL (other processes can
read the file while it is written), and `BEGIN IMMEDIATE`, so a transaction takes the write lock
when it starts. Transactions therefore run one at a time and wait their turn for up to the busy
timeout. Without it, two transactions that both read and then write deadlock, and SQLite answers
one of them with "database is locked" at once instead of waiting.

SQL parameters never reach a log: SQLAlchemy hides them, and the `aiosqlite` driver's own
DEBUG lines (every call with its arguments) are filtered out, since parameters carry password
hashes, token digests and personal data.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from kwik.conf.models import CoreSettings
from kwik.db.urls import is_sqlite

__all__ = ["create_engine"]


class _WithoutCalls(logging.Filter):
    """Drops aiosqlite's per-call DEBUG lines, which repeat each statement's parameters."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg not in ("executing %s", "operation %s completed")


_DRIVER_LOG_FILTER = _WithoutCalls()


def _use_wal(cursor: Any, busy_timeout: float) -> None:
    """Put the file in WAL mode (it stays so), waiting for a process that holds it.

    Switching needs the file to itself, and SQLite answers "database is locked" at once rather
    than calling the busy handler, so two processes opening a new file together (two `kwik
    migrate` runs) would fail; retry until the busy timeout instead. A file already in WAL mode
    needs no switch.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode")
            if str(cursor.fetchone()[0]).lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _configure_sqlite(engine: AsyncEngine, busy_timeout: float) -> None:
    driver_log = logging.getLogger("aiosqlite")
    if _DRIVER_LOG_FILTER not in driver_log.filters:
        driver_log.addFilter(_DRIVER_LOG_FILTER)
    milliseconds = int(busy_timeout * 1000)

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # kwik emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={milliseconds}")
        _use_wal(cursor, busy_timeout)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: URL, settings: CoreSettings) -> AsyncEngine:
    """An AsyncEngine for `url` with the pool settings of `settings`."""
    # Parameters stay out of SQL logs and error messages: they carry password hashes, token
    # digests and personal data, and logs travel further than the database does.
    options: dict[str, Any] = {"echo": settings.DATABASE_ECHO, "hide_parameters": True}
    in_memory = is_sqlite(url) and url.database in (None, "", ":memory:")
    if in_memory:
        options["poolclass"] = StaticPool
    else:
        options.update(
            pool_size=settings.DATABASE_POOL_SIZE,
            max_overflow=settings.DATABASE_MAX_OVERFLOW,
            pool_timeout=settings.DATABASE_POOL_TIMEOUT,
            pool_pre_ping=settings.DATABASE_POOL_PRE_PING,
        )
        if settings.DATABASE_POOL_RECYCLE is not None:
            options["pool_recycle"] = settings.DATABASE_POOL_RECYCLE
    if settings.DATABASE_CONNECT_ARGS:
        options["connect_args"] = dict(settings.DATABASE_CONNECT_ARGS)
    engine = create_async_engine(url, **options)
    if is_sqlite(url):
        _configure_sqlite(engine, settings.SQLITE_BUSY_TIMEOUT)
    return engine
