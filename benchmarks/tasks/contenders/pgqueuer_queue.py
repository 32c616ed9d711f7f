"""PgQueuer, set up as its README teaches: an asyncpg connection, `Queries`, a factory.

The worker is this module run as a script: `pgqueuer.run(create_pgqueuer)` on uvloop, which is
what `pgq run benchmarks.tasks.contenders.pgqueuer_queue:create_pgqueuer` does ("as pgq run
does, without the CLI", says its docstring; the CLI itself fails to parse its --log-level with
the typer release installed here). Default batch size (10, the value its docs and its own
benchmark use), continuous mode.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pgqueuer
import uvloop
from pgqueuer import PgQueuer
from pgqueuer.db import AsyncpgDriver
from pgqueuer.models import Job
from pgqueuer.queries import Queries

__all__ = ["BATCH_SIZE", "create_pgqueuer", "install", "session"]

ENTRYPOINT = "noop"
BATCH_SIZE = 10


@asynccontextmanager
async def create_pgqueuer() -> AsyncIterator[PgQueuer]:
    """The factory `pgq run` enters (an async context manager since PgQueuer 1.x): one
    connection, one no-op entrypoint."""
    connection = await asyncpg.connect(os.environ["BENCH_TASKS_DSN"])
    pgq = PgQueuer(AsyncpgDriver(connection))

    @pgq.entrypoint(ENTRYPOINT)
    async def noop(job: Job) -> None:
        return None

    try:
        yield pgq
    finally:
        await connection.close()


async def install(dsn: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await Queries(AsyncpgDriver(connection)).install()
    finally:
        await connection.close()


class _Enqueuer:
    def __init__(self, queries: Queries) -> None:
        self.queries = queries

    async def one(self) -> None:
        await self.queries.enqueue(ENTRYPOINT, None)

    async def many(self, n: int) -> None:
        await self.queries.enqueue([ENTRYPOINT] * n, [None] * n, [0] * n)


@asynccontextmanager
async def session(dsn: str) -> AsyncIterator[_Enqueuer]:
    connection = await asyncpg.connect(dsn)
    try:
        yield _Enqueuer(Queries(AsyncpgDriver(connection)))
    finally:
        await connection.close()


if __name__ == "__main__":
    factory = "benchmarks.tasks.contenders.pgqueuer_queue:create_pgqueuer"  # as `pgq run` loads it
    uvloop.run(pgqueuer.run(factory, batch_size=BATCH_SIZE))
    sys.exit(0)
