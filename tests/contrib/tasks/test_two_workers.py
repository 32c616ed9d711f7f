"""Two worker processes draining 5,000 jobs run each exactly once (PostgreSQL).

Many workers on one database is PostgreSQL's shape: they claim with SKIP LOCKED and never wait
for each other. On SQLite one worker process is the supported shape (docs/tasks.md): workers of
several processes queue for its single write lock, and one that waits longer than its lease for
it can have its jobs rescued by another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

import kwik.db
from kwik.contrib.tasks import JobState
from tests.conftest import fresh_database
from tests.contrib.tasks.conftest import job_count
from tests.contrib.tasks.processes import process, terminate, wait_ready, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(scope="module")
def tasks_database(postgres_server: str | None) -> Iterator[str]:
    with fresh_database("postgresql", postgres_server, "kwik_tasks") as url:
        yield url


async def test_two_worker_processes_run_each_of_5000_jobs_once(on_disk):
    from kwik.contrib.tasks.models import Job
    from tests.contrib.tasks.jobs.models import Run
    from tests.contrib.tasks.jobs.tasks import record

    with process(on_disk, "worker") as first, process(on_disk, "worker") as second:
        await asyncio.gather(wait_ready(first), wait_ready(second))
        await record.enqueue_many({"key": f"job-{n}"} for n in range(5000))
        await wait_until(_all_succeeded, timeout=120)
        statuses = await asyncio.gather(terminate(first), terminate(second))

    async with kwik.db.session() as session:
        total = await session.scalar(select(func.count()).select_from(Run))
        distinct = await session.scalar(select(func.count(func.distinct(Run.key))))
        grouped = await session.execute(select(Job.worker_id, func.count()).group_by(Job.worker_id))
        by_worker = {worker: count for worker, count in grouped}
    assert (total, distinct) == (5000, 5000)
    assert len(by_worker) == 2  # both took part
    assert sum(by_worker.values()) == 5000
    assert [status for status, _ in statuses] == [0, 0]


async def _all_succeeded() -> bool:
    return await job_count(state=JobState.SUCCEEDED) == 5000
