"""procrastinate, set up as its quickstart teaches: an `App` on the psycopg 3 connector.

The worker is `procrastinate --app=benchmarks.tasks.contenders.procrastinate_queue.app worker`
with its defaults (concurrency 1, LISTEN/NOTIFY on).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import procrastinate

__all__ = ["app", "install", "noop", "session"]

app = procrastinate.App(
    connector=procrastinate.PsycopgConnector(conninfo=os.environ.get("BENCH_TASKS_DSN", ""))
)


@app.task(name="noop")
async def noop() -> None:
    return None


async def install(dsn: str) -> None:
    async with app.open_async():
        await app.schema_manager.apply_schema_async()


class _Enqueuer:
    async def one(self) -> None:
        await noop.defer_async()

    async def many(self, n: int) -> None:
        await noop.batch_defer_async(*({} for _ in range(n)))


@asynccontextmanager
async def session(dsn: str) -> AsyncIterator[_Enqueuer]:
    async with app.open_async():
        yield _Enqueuer()
