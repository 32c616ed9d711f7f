"""kwik's queue, used as docs/tasks.md teaches: `@background_task`, `enqueue`, `enqueue_many`.

The project is `kwik_project/` (settings and one app with the no-op task); the worker is
`python -m kwik worker` with the default settings (TASKS_CONCURRENCY, TASKS_BATCH_SIZE).
Enqueueing outside a request runs each job's INSERT as a statement of its own, as a script or a
command does.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

__all__ = ["SETTINGS", "install", "session"]

SETTINGS = "benchmarks.tasks.contenders.kwik_project.settings"


def _setup() -> None:
    import kwik

    os.environ["KWIK_SETTINGS_MODULE"] = SETTINGS
    kwik.setup()


async def install(dsn: str) -> None:
    from kwik.cli import call_command

    _setup()
    # `migrate` runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(call_command, "migrate", skip_checks=True)


class _Enqueuer:
    def __init__(self) -> None:
        from benchmarks.tasks.contenders.kwik_project.noop.tasks import noop

        self.task = noop

    async def one(self) -> None:
        await self.task.enqueue()

    async def many(self, n: int) -> None:
        await self.task.enqueue_many({} for _ in range(n))


@asynccontextmanager
async def session(dsn: str) -> AsyncIterator[_Enqueuer]:
    from kwik.db import database

    _setup()
    try:
        yield _Enqueuer()
    finally:
        await database().dispose()
