"""Real worker processes (`kwik worker`), on SQLite and PostgreSQL: a worker killed with SIGKILL
mid-job loses nothing (another finishes the job, exactly once, after the lease); SIGTERM stops a
worker gracefully; bad options are one-line errors; `kwik runserver` runs jobs in its own
process. Two workers at once are in test_two_workers.py."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess

import pytest
from sqlalchemy import select

import kwik.db
from kwik.contrib.tasks import JobState
from tests.contrib.tasks.conftest import job_count, runs
from tests.contrib.tasks.processes import (
    environment,
    exited,
    process,
    terminate,
    wait_ready,
    wait_until,
)
from tests.support import free_port, wait_for

pytestmark = pytest.mark.slow


async def test_a_job_whose_worker_was_killed_runs_to_completion_once_after_the_lease(on_disk):
    from tests.contrib.tasks.jobs.models import Run
    from tests.contrib.tasks.jobs.tasks import stall_first

    handle = await stall_first.enqueue("crash")
    with process(on_disk, "worker") as first:
        await wait_ready(first)
        await wait_until(lambda: _started("crash"))
        os.killpg(first.pid, signal.SIGKILL)  # mid-job: no shutdown, no release
        first.wait(timeout=30)
    killed = await handle.info()
    assert (killed.state, killed.attempts) == (JobState.RUNNING, 1)

    with process(on_disk, "worker") as second:
        await wait_ready(second)
        assert await handle.result(timeout=60) == "crash"
        status, output = await terminate(second)

    async with kwik.db.session() as session:
        notes = list(await session.scalars(select(Run.note).order_by(Run.id)))
    assert notes == ["start", "start", "end"]  # killed in its first run; finished once after
    finished = await handle.info()
    assert (finished.state, finished.attempts) == (JobState.SUCCEEDED, 2)
    assert finished.worker_id != killed.worker_id
    assert status == 0
    assert "1 rescued from other workers" in output


async def _started(key: str) -> bool:
    return bool(await runs(key))


async def test_sigterm_lets_the_running_job_finish_then_exits_cleanly(on_disk):
    from tests.contrib.tasks.jobs.tasks import record_run, until_told

    handle = await until_told.enqueue("term")
    with process(on_disk, "worker", "--queues", "default,other", "--concurrency", "3") as worker:
        banner = await wait_ready(worker)
        await wait_until(lambda: _started("term"))
        worker.send_signal(signal.SIGTERM)
        await record_run("term-go")  # the job finishes only now, after the signal
        status, output = await exited(worker)

    assert "queues default, other; concurrency 3" in banner
    assert status == 0
    assert "SIGTERM: stopping; running jobs get 5s to finish" in output
    assert "Stopped: 1 succeeded, 0 failed" in output
    assert await handle.status() is JobState.SUCCEEDED


async def test_bad_worker_options_are_one_line_errors(on_disk):
    from tests.support import run_kwik

    def worker(*args: str) -> subprocess.CompletedProcess[str]:
        return run_kwik("worker", *args, cwd=on_disk.root, env=environment())

    empty, zero = await asyncio.gather(
        asyncio.to_thread(worker, "--queues", "mail,,default"),
        asyncio.to_thread(worker, "--concurrency", "0"),
    )

    assert empty.returncode == 1
    assert empty.stderr.strip() == (
        "Error: --queues 'mail,,default' names an empty queue; give names separated by commas, "
        "e.g. --queues mail,default"
    )
    assert zero.returncode == 2
    assert "'--concurrency' / '-c': 0 is not in the range x>=1" in zero.stderr


async def test_runserver_runs_jobs_in_its_own_process(on_disk):
    port = free_port()
    with process(on_disk, "runserver", str(port), "--noreload", "--skip-checks") as server:
        base = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(wait_for, base + "/openapi.json", process=server)
        response = await asyncio.to_thread(_post, base + "/jobs/signup/ada")
        assert response.status_code == 201
        await wait_until(_welcome_succeeded)
        await terminate(server)

    assert await runs() == ["user-ada", "welcome-ada"]


async def _welcome_succeeded() -> bool:
    return await job_count(state=JobState.SUCCEEDED) == 1


def _post(url: str):
    import httpx2

    return httpx2.post(url, timeout=10)
