"""Waking workers on PostgreSQL: LISTEN on a dedicated asyncpg connection.

The jobs table's trigger (migration 0001) sends a NOTIFY on channel `kwik_tasks`, with the queue
as payload, when an INSERT commits due jobs. A worker listening on that channel claims at once
instead of at its next poll. Notifications are only a shortcut: a worker polls every
TASKS_POLL_INTERVAL all the same (delayed jobs and retries become due without any notification),
so when the listening connection drops, jobs still run, a little later, and the worker connects
again at its next maintenance round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from kwik.contrib.tasks.connections import asyncpg_connect
from kwik.db.database import Database

__all__ = ["CHANNEL", "Listener"]

CHANNEL = "kwik_tasks"
logger = logging.getLogger("kwik.tasks")

# Options SQLAlchemy's asyncpg dialect takes for itself, which asyncpg.connect() doesn't know.
_SQLALCHEMY_ONLY = {
    "prepared_statement_cache_size",
    "prepared_statement_name_func",
    "async_fallback",
}


class Listener:
    """One LISTEN connection; calls `wake()` on a notification for one of `queues`."""

    def __init__(self, db: Database, queues: Collection[str], wake: Callable[[], None]) -> None:
        self.db = db
        self.queues = set(queues)
        self.wake = wake
        self._connection: Any = None
        self._warned = False

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed()

    async def connect(self) -> bool:
        """Open the connection and LISTEN, unless it is up; False (and a warning) on failure."""
        if self.connected:
            return True
        import asyncpg

        try:
            connection = await asyncpg_connect(self.db)
            await connection.add_listener(CHANNEL, self._notified)
            connection.add_termination_listener(self._terminated)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            if not self._warned:
                logger.warning("Can't LISTEN for new jobs (%s); polling instead", exc)
                self._warned = True
            return False
        self._connection = connection
        if self._warned:
            logger.info("Listening for new jobs again")
            self._warned = False
        return True

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (tests end it to cut the line)."""
        return self._connection.get_server_pid() if self.connected else None

    def _notified(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        if not payload or payload in self.queues:
            self.wake()

    def _terminated(self, connection: Any) -> None:
        if connection is self._connection:
            self._connection = None
            logger.warning("The LISTEN connection closed; polling until it is back")
            self._warned = True
            self.wake()

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            try:
                await connection.close(timeout=5)
            except Exception:  # closing anyway: the worker is stopping
                connection.terminate()
