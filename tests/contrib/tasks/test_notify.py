"""Workers and their connections on PostgreSQL: a committed job wakes a listening worker at
once, a worker whose LISTEN connection drops keeps running jobs by polling, then listens again,
and one whose connections are all cut reconnects and goes on."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import text

import kwik.db
from kwik.contrib.tasks import Worker
from tests.conftest import fresh_database

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("queue")]


@pytest.fixture(scope="module")
def tasks_database(postgres_server: str | None) -> Iterator[str]:
    """PostgreSQL only: LISTEN/NOTIFY is PostgreSQL's."""
    with fresh_database("postgresql", postgres_server, "kwik_tasks") as url:
        yield url


async def test_a_committed_job_wakes_a_listening_worker_before_its_next_poll():
    from tests.contrib.tasks.jobs.tasks import add

    worker = Worker(poll_interval=3600)  # it looks once at start, then only when woken
    running = asyncio.create_task(worker.run())
    try:
        await worker.ready.wait()
        assert worker.listener is not None
        assert worker.listener.connected
        first = await add.enqueue(1, b=1)
        # Once the first job is done, the worker has found the queue empty and sleeps: only a
        # notification can make it take the second.
        assert await first.result(timeout=20) == 2
        second = await add.enqueue(2, b=2)
        assert await second.result(timeout=20) == 4
    finally:
        worker.stop()
        await running


async def test_a_job_enqueued_in_a_rolled_back_transaction_wakes_nobody():
    from tests.contrib.tasks.jobs.tasks import add

    woken: list[str] = []
    worker = Worker(poll_interval=3600)
    running = asyncio.create_task(worker.run())
    try:
        await worker.ready.wait()
        assert worker.listener is not None
        worker.listener.wake = lambda: woken.append("woken")

        async def enqueue_then_fail() -> None:
            async with kwik.db.session():
                await add.enqueue(1)
                raise ZeroDivisionError

        with pytest.raises(ZeroDivisionError):
            await enqueue_then_fail()
        await add.enqueue(2)  # committed: its notification comes after any of the first
        while not woken:
            await asyncio.sleep(0.01)
    finally:
        worker.stop()
        await running

    assert woken == ["woken"]


async def test_a_worker_whose_listen_connection_drops_polls_then_listens_again():
    from tests.contrib.tasks.jobs.tasks import add

    worker = Worker()  # polls every 50 ms (the test settings)
    running = asyncio.create_task(worker.run())
    try:
        await worker.ready.wait()
        assert worker.listener is not None
        pid = worker.listener.backend_pid
        async with kwik.db.session() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        while worker.listener.connected and worker.listener.backend_pid == pid:
            await asyncio.sleep(0.01)

        handle = await add.enqueue(3, b=4)
        assert await handle.result(timeout=20) == 7

        while not worker.listener.connected:  # the next maintenance round reconnects
            await asyncio.sleep(0.02)
        assert worker.listener.backend_pid != pid
    finally:
        worker.stop()
        await running


async def test_a_worker_whose_database_connections_are_cut_reconnects_and_goes_on():
    from tests.contrib.tasks.jobs.tasks import add

    worker = Worker()
    running = asyncio.create_task(worker.run())
    try:
        await worker.ready.wait()
        assert await (await add.enqueue(1)).result(timeout=20) == 1
        async with kwik.db.session() as session:  # as a database restart would
            await session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        await kwik.db.database().dispose()  # this test's own pool had its connections cut too

        assert await (await add.enqueue(2)).result(timeout=30) == 2
    finally:
        worker.stop()
        await running
