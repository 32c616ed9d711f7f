"""The worker, on SQLite and PostgreSQL: results, retries with backoff, retry_on, timeouts,
cancelling, unknown tasks, priorities and queues, leases (rescue of dead workers' jobs, never
while the worker lives) and graceful stops."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

import kwik.bootstrap
import kwik.db
from kwik.contrib.tasks import (
    JobCancelled,
    JobFailed,
    JobNotFound,
    JobState,
    TasksError,
    Worker,
)
from kwik.db.types import utcnow
from tests.contrib.tasks.conftest import job_count, runs

pytestmark = pytest.mark.usefixtures("queue")


async def wait_for_run(key: str, count: int = 1) -> None:
    """Until `key` has `count` recorded runs (the test's own timeout stops a hang)."""
    while len(await runs(key)) < count:
        await asyncio.sleep(0.02)


async def insert_job(**values: object) -> int:
    """A job row written by hand, as another program (or an older deploy) might have."""
    from kwik.contrib.tasks.models import Job

    row = {
        "queue": "default",
        "state": JobState.QUEUED,
        "priority": 0,
        "args": {},
        "attempts": 0,
        "max_attempts": 1,
        "run_at": utcnow(),
        "created_at": utcnow(),
        **values,
    }
    async with kwik.db.session() as session:
        return int(await session.scalar(insert(Job).values(row).returning(Job.id)))


async def test_a_worker_runs_a_job_and_stores_its_result():
    from tests.contrib.tasks.jobs.tasks import add

    handle = await add.enqueue(2, b=3)

    stats = await Worker().drain()

    assert await handle.result(timeout=5) == 5
    info = await handle.info()
    assert (info.state, info.attempts, info.error) == (JobState.SUCCEEDED, 1, None)
    assert info.finished_at is not None
    assert info.result_expires_at is not None
    assert stats.succeeded == 1


async def test_a_result_comes_back_as_the_return_annotation_says():
    from tests.contrib.tasks.jobs.tasks import Point, move

    seen = utcnow()
    handle = await move.enqueue(Point(x=1, y=2, seen=seen), by=10)
    await Worker().drain()

    assert await handle.result(timeout=5) == Point(x=11, y=12, seen=seen)


async def test_result_waits_for_a_worker_that_runs_meanwhile():
    from tests.contrib.tasks.jobs.tasks import add

    worker = Worker()
    running = asyncio.create_task(worker.run())
    try:
        await worker.ready.wait()
        handle = await add.enqueue(20, b=22)
        assert await handle.result(timeout=20) == 42
    finally:
        worker.stop()
        await running


async def test_a_failing_job_is_retried_with_backoff_then_failed_with_its_traceback():
    from tests.contrib.tasks.jobs.tasks import always_fails

    handle = await always_fails.enqueue("broken")

    stats = await Worker().drain()

    info = await handle.info()
    assert (info.state, info.attempts, info.max_attempts) == (JobState.FAILED, 3, 3)
    assert info.error == "RuntimeError: broken is broken"
    assert "in always_fails" in (info.traceback or "")
    assert (stats.retried, stats.failed) == (2, 1)
    with pytest.raises(JobFailed, match="broken is broken") as raised:
        await handle.result(timeout=5)
    assert raised.value.traceback == info.traceback


async def test_retries_wait_at_least_half_their_exponential_backoff():
    from tests.contrib.tasks.jobs.models import Run
    from tests.contrib.tasks.jobs.tasks import always_fails

    await always_fails.enqueue("spaced")
    await Worker().drain()

    async with kwik.db.session() as session:
        times = list(await session.scalars(select(Run.created_at).order_by(Run.id)))
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # backoff=0.05: retry 1 waits 25-50 ms, retry 2 waits 50-100 ms
    assert len(gaps) == 2
    assert gaps[0] >= timedelta(milliseconds=25)
    assert gaps[1] >= timedelta(milliseconds=50)


async def test_a_job_that_succeeds_on_a_retry_keeps_its_result_and_no_error():
    from tests.contrib.tasks.jobs.tasks import flaky

    handle = await flaky.enqueue("flaky", failures=2)

    await Worker().drain()

    assert await handle.result(timeout=5) == "flaky succeeded on run 3"
    info = await handle.info()
    assert (info.attempts, info.error, info.traceback) == (3, None, None)


async def test_retry_on_retries_only_the_listed_exceptions():
    from tests.contrib.tasks.jobs.tasks import picky

    transient = await picky.enqueue("transient", "connection")
    permanent = await picky.enqueue("permanent", "value")

    await Worker().drain()

    assert len(await runs("transient")) == 4
    assert len(await runs("permanent")) == 1
    assert (await permanent.info()).error == "ValueError: bad input"
    assert (await transient.info()).state is JobState.FAILED


async def test_a_run_longer_than_the_timeout_is_cancelled_and_fails():
    from tests.contrib.tasks.jobs.tasks import sleepy

    slow = await sleepy.enqueue("slow", seconds=30)
    quick = await sleepy.enqueue("quick", seconds=0)

    await Worker().drain()

    info = await slow.info()
    assert (info.state, info.attempts) == (JobState.FAILED, 2)
    assert info.error == "TimeoutError: the run took longer than the task's timeout of 0.2s"
    assert await quick.result(timeout=5) == "woke up"


async def test_a_cancelled_job_never_runs():
    from tests.contrib.tasks.jobs.tasks import record

    handle = await record.enqueue("cancelled")

    assert await handle.cancel() is True
    assert await handle.cancel() is False  # it already is
    await Worker().drain()

    assert await runs() == []
    assert await handle.status() is JobState.CANCELLED
    with pytest.raises(JobCancelled):
        await handle.result(timeout=5)


async def test_cancelling_a_running_job_interrupts_it_at_the_next_heartbeat():
    from tests.contrib.tasks.jobs.tasks import hold

    handle = await hold.enqueue("held", seconds=60)
    worker = Worker()
    running = asyncio.create_task(worker.run())
    try:
        await wait_for_run("held")
        assert await handle.cancel() is True
        while worker.stats.interrupted == 0:
            await asyncio.sleep(0.02)
    finally:
        worker.stop()
        await running

    assert await handle.status() is JobState.CANCELLED
    assert await runs("held") == ["held"]  # started, never finished


async def test_a_cancelled_job_can_be_retried():
    from tests.contrib.tasks.jobs.tasks import add

    handle = await add.enqueue(1)
    await handle.cancel()

    assert await handle.retry() is True
    await Worker().drain()

    assert await handle.result(timeout=5) == 1


async def test_a_job_of_an_unknown_task_fails_and_the_worker_goes_on():
    from tests.contrib.tasks.jobs.tasks import record

    unknown = await insert_job(task="shop.tasks.gone", args={"x": 1})
    known = await record.enqueue("after")

    stats = await Worker().drain()

    info = await kwik_job(unknown)
    assert info.state is JobState.FAILED
    assert info.error == (
        "UnknownTask: No installed task is named 'shop.tasks.gone': tasks are found in the tasks "
        "modules of INSTALLED_APPS (was it renamed, or its app removed, after the job was "
        "enqueued?)"
    )
    assert await known.status() is JobState.SUCCEEDED
    assert (stats.succeeded, stats.failed) == (1, 1)


async def kwik_job(job_id: int):
    from kwik.contrib.tasks import load_job

    return await load_job(job_id)


async def test_stored_arguments_that_no_longer_fit_fail_the_job_clearly():
    job_id = await insert_job(task="tests.contrib.tasks.jobs.tasks.add", args={"a": "many"})

    await Worker().drain()

    info = await kwik_job(job_id)
    assert info.state is JobState.FAILED
    assert info.error is not None
    assert info.error.startswith(
        "InvalidTaskArguments: the stored arguments don't fit the task's signature any more "
        "(a: Input should be a valid integer"
    )


async def test_lower_priority_numbers_run_first():
    from tests.contrib.tasks.jobs.tasks import record

    await record.enqueue("normal")
    await record.using(priority=10).enqueue("late")
    await record.using(priority=-10).enqueue("urgent")

    await Worker(concurrency=1).drain()

    assert await runs() == ["urgent", "normal", "late"]


async def test_a_worker_takes_only_jobs_of_its_queues():
    from tests.contrib.tasks.jobs.tasks import elsewhere, record

    await elsewhere.enqueue("other-queue")
    await record.enqueue("default-queue")

    await Worker().drain()
    assert await runs() == ["default-queue"]

    await Worker(queues=["other", "default"]).drain()
    assert await runs() == ["default-queue", "other-queue"]


async def test_a_job_whose_worker_died_is_rescued_and_run_again():
    job_id = await insert_job(
        task="tests.contrib.tasks.jobs.tasks.record",
        args={"key": "orphan"},
        state=JobState.RUNNING,
        attempts=1,
        max_attempts=2,
        worker_id="gone-host:1:dead",
        lease_expires_at=utcnow() - timedelta(seconds=5),
    )

    stats = await Worker().drain()

    info = await kwik_job(job_id)
    assert (info.state, info.attempts) == (JobState.SUCCEEDED, 2)
    assert stats.rescued == 1
    assert await runs() == ["orphan"]


async def test_a_dead_workers_job_without_attempts_left_fails_naming_the_worker():
    job_id = await insert_job(
        task="tests.contrib.tasks.jobs.tasks.record",
        args={"key": "orphan"},
        state=JobState.RUNNING,
        attempts=1,
        max_attempts=1,
        worker_id="gone-host:1:dead",
        lease_expires_at=utcnow() - timedelta(seconds=5),
    )

    await Worker().drain()

    info = await kwik_job(job_id)
    assert info.state is JobState.FAILED
    assert info.error == (
        "LeaseExpired: its worker (gone-host:1:dead) stopped renewing the lease (it died or "
        "stalled)"
    )
    assert await runs() == []


async def test_a_job_longer_than_the_lease_runs_once_while_its_worker_heartbeats():
    from tests.contrib.tasks.jobs.tasks import hold

    handle = await hold.enqueue("long", seconds=3)
    first = Worker(lease=2.0)  # renewed every 0.2 s
    running = asyncio.create_task(first.run())
    try:
        await wait_for_run("long")
        second = Worker(lease=2.0)  # rescues expired leases, and would take the job if it could
        watching = asyncio.create_task(second.run())
        assert await handle.result(timeout=30) == "long"
        second.stop()
        await watching
    finally:
        first.stop()
        await running

    assert await runs("long") == ["long", "long"]  # one start, one end
    assert (await handle.info()).attempts == 1
    assert second.stats.rescued == 0


async def test_stopping_lets_a_running_job_finish_within_the_grace_period():
    from tests.contrib.tasks.jobs.tasks import record_run, until_told

    handle = await until_told.enqueue("graceful")
    worker = Worker()
    running = asyncio.create_task(worker.run())
    await wait_for_run("graceful")

    worker.stop()
    await record_run("graceful-go")  # the job finishes only now, after stop()
    stats = await running

    assert await handle.status() is JobState.SUCCEEDED
    assert (stats.succeeded, stats.released) == (1, 0)


async def test_jobs_still_running_after_the_grace_period_go_back_to_the_queue():
    from tests.contrib.tasks.jobs.tasks import hold

    handle = await hold.enqueue("released", seconds=60)
    worker = Worker(grace_period=0.1)
    running = asyncio.create_task(worker.run())
    await wait_for_run("released")

    worker.stop()
    stats = await running

    info = await handle.info()
    assert (info.state, info.attempts, info.worker_id) == (JobState.QUEUED, 0, None)
    assert stats.released == 1


async def test_stop_now_releases_running_jobs_without_waiting():
    from tests.contrib.tasks.jobs.tasks import hold

    handle = await hold.enqueue("now", seconds=60)
    worker = Worker(grace_period=3600)
    running = asyncio.create_task(worker.run())
    await wait_for_run("now")

    worker.stop()
    worker.stop(now=True)
    stats = await running

    assert stats.released == 1
    assert await handle.status() is JobState.QUEUED


async def test_expired_results_are_deleted_with_their_jobs(tasks_settings):
    from kwik.contrib.tasks.cleanup import delete_expired
    from kwik.contrib.tasks.connections import lone_statement
    from tests.contrib.tasks.jobs.tasks import add

    kept = await add.enqueue(1)
    await Worker().drain()
    async with kwik.db.session() as session:
        from kwik.contrib.tasks.models import Job

        job = await session.get(Job, kept.id)
        assert job is not None
        job.result_expires_at = utcnow() - timedelta(seconds=1)

    async with lone_statement() as executor:
        assert await delete_expired(executor) == 1

    with pytest.raises(JobNotFound):
        await kept.result(timeout=5)


async def test_a_worker_needs_the_jobs_table(project):
    from tests.contrib.tasks.conftest import write_settings

    await kwik.db.database().dispose()  # the queue fixture's, before loading another project
    kwik.bootstrap.reset()
    url = f"sqlite+aiosqlite:///{project.root / 'empty.sqlite3'}"
    kwik.setup(write_settings(project, url, module="empty.settings"))
    try:
        with pytest.raises(TasksError, match=r"The jobs table doesn't exist .*run `kwik migrate`"):
            await Worker().drain()
    finally:
        await kwik.db.database().dispose()


async def test_a_worker_refuses_to_run_inside_a_test_transaction():
    from kwik.db.database import bind_sessions
    from kwik.exceptions import ImproperlyConfigured

    async with kwik.db.database().engine.connect() as connection:
        async with bind_sessions(connection):
            with pytest.raises(ImproperlyConfigured, match="rolled-back transaction"):
                await Worker().drain()
        await connection.rollback()


async def test_drain_counts_every_run(tasks_settings):
    from tests.contrib.tasks.jobs.tasks import add

    await add.enqueue_many({"a": n} for n in range(300))

    stats = await Worker(concurrency=7, batch_size=3).drain()

    assert stats.succeeded == 300
    assert await job_count(state=JobState.SUCCEEDED) == 300
