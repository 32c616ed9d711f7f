"""A project with the tasks app for the monitoring tests, and jobs arranged in any state.

Jobs are written as rows (the `Job` model) in the states a test needs, so one test can hold a
failed, a running and a cancelled job without running a worker for each; the tests that need a
worker start a real `kwik worker`.
"""

from __future__ import annotations

import asyncio
import textwrap
from datetime import datetime, timedelta
from typing import Any

import kwik
from kwik.db import utcnow
from tests.support import Project

TASKS = """
from kwik.contrib.tasks import background_task


@background_task
async def send_receipt(order_id: int) -> str:
    return f"receipt {order_id}"


@background_task(queue="mail")
async def send_newsletter(issue: int) -> None:
    return None


@background_task
async def flaky(marker: str) -> str:
    # Fails on its first run (leaving the marker file), succeeds on any later one.
    from pathlib import Path

    path = Path(marker)
    if not path.exists():
        path.write_text("ran once")
        raise RuntimeError("first run fails")
    return "second run"
"""

RECEIPT = "proj.shop.tasks.send_receipt"
NEWSLETTER = "proj.shop.tasks.send_newsletter"
FLAKY = "proj.shop.tasks.flaky"


def write_project(
    project: Project,
    url: str,
    *,
    debug: bool = True,
    extra: str = "",
    apps: tuple[str, ...] = (),
) -> None:
    """proj.settings with the tasks app, `apps` and proj.shop (three tasks), on the database
    `url`; `extra` is appended to the settings."""
    project.package("proj.shop", {"tasks.py": TASKS})
    installed = [*apps, "kwik.contrib.tasks", "proj.shop"]
    base = textwrap.dedent(
        f"""
        SECRET_KEY = "tests-of-kwik-contrib-tasks-monitoring-with-a-long-random-secret-key-0123"
        INSTALLED_APPS = {installed!r}
        DATABASE_URL = {url!r}
        TASKS_POLL_INTERVAL = 0.1
        """
    )
    project.settings(base + textwrap.dedent(extra), debug=debug)
    project.pyproject("proj.settings")


async def migrate() -> None:
    from kwik.db import database
    from kwik.migrations import migrate_to_heads

    async with database().engine.connect() as connection:
        await migrate_to_heads(connection)
        await connection.commit()


def job(
    task: str = RECEIPT,
    state: str = "queued",
    *,
    queue: str | None = None,
    args: dict[str, Any] | None = None,
    age: timedelta = timedelta(0),
    run_in: timedelta = timedelta(0),
    attempts: int | None = None,
    max_attempts: int = 1,
    error: str | None = None,
    traceback: str | None = None,
    result: Any = None,
) -> dict[str, Any]:
    """The columns of one job created `age` ago; a finished one finished then too."""
    now = utcnow()
    finished = state in {"succeeded", "failed", "cancelled"}
    created: datetime = now - age
    return {
        "task": task,
        "queue": queue or ("mail" if task == NEWSLETTER else "default"),
        "state": state,
        "args": args if args is not None else {"order_id": 1},
        "attempts": attempts if attempts is not None else (0 if state == "queued" else 1),
        "max_attempts": max_attempts,
        "run_at": created + run_in,
        "created_at": created,
        "started_at": created if state != "queued" else None,
        "finished_at": created if finished else None,
        "worker_id": "test:1" if state == "running" else None,
        "lease_expires_at": now + timedelta(minutes=1) if state == "running" else None,
        "error": error,
        "traceback": traceback,
        "result": result,
    }


async def add_jobs(*rows: dict[str, Any]) -> list[int]:
    """Store `rows` (from `job()`); their ids, in order."""
    from kwik.contrib.tasks.models import Job
    from kwik.db import session

    async with session() as db:
        jobs = [Job(**row) for row in rows]
        db.add_all(jobs)
        await db.flush()
        return [j.id for j in jobs]


async def states(*ids: int) -> dict[int, dict[str, Any]]:
    """Each job's row, by id (missing when deleted)."""
    from sqlalchemy import select

    from kwik.contrib.tasks.models import Job
    from kwik.db import session

    async with session() as db:
        found = (await db.scalars(select(Job).where(Job.id.in_(ids)))).all()
        return {j.id: {c.name: getattr(j, c.name) for c in Job.__table__.columns} for j in found}


def arrange(project: Project, url: str, *rows: dict[str, Any], **settings: Any) -> list[int]:
    """Write the project, load it here, migrate its database and store `rows`; their ids."""
    write_project(project, url, **settings)
    kwik.setup("proj.settings")

    async def work() -> list[int]:
        from kwik.db import database

        try:
            await migrate()
            return await add_jobs(*rows)
        finally:
            await database().dispose()

    return asyncio.run(work())


def read(*ids: int) -> dict[int, dict[str, Any]]:
    """`states(*ids)` from a synchronous test."""

    async def work() -> dict[int, dict[str, Any]]:
        from kwik.db import database

        try:
            return await states(*ids)
        finally:
            await database().dispose()

    return asyncio.run(work())
