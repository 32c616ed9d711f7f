"""One module per queue: its no-op task, its worker's entry point, and the calls the client times.

Each module defines the same two things, used by `benchmarks/tasks/client.py` in a child process
of its own (so one queue's imports and event-loop policy never touch another's):

- `async install(dsn)`: create the queue's schema in an empty database;
- `session(dsn)`: an async context manager yielding an `Enqueuer` connected to the database, so
  the client can time the enqueue calls alone, with connections already open.

`dsn` is a plain `postgresql://` URL.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["Enqueuer"]


class Enqueuer(Protocol):
    """Enqueue no-op jobs the way the queue's docs teach."""

    async def one(self) -> None:
        """Enqueue one job: one awaited call of the queue's single-job API."""

    async def many(self, n: int) -> None:
        """Enqueue `n` jobs with one call of the queue's bulk API."""
