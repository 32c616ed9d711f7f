"""Fixtures for the task queue's tests: a project with the queue and the `jobs` test app on a
database migrated once per test module and backend, emptied before each test.

The settings make workers quick to react: they poll every 50 ms, heartbeat every 0.2 s and take
a job whose lease of 1 s ran out for dead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import func, select

import kwik
import kwik.db
from tests.conftest import fresh_database
from tests.support import MigratedDatabases, Project

APPS = ["kwik.contrib.tasks", "tests.contrib.tasks.jobs"]
FAST = {
    "TASKS_POLL_INTERVAL": 0.05,
    "TASKS_HEARTBEAT": 0.2,
    "TASKS_LEASE": 1.0,
    "TASKS_GRACE_PERIOD": 5.0,
}
_databases = MigratedDatabases()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def tasks_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: str | None,
) -> Iterator[str]:
    """One database per test module and backend, dropped after the module."""
    folder = tmp_path_factory.mktemp("tasks")
    with fresh_database(request.param, postgres_server, "kwik_tasks", folder) as url:
        try:
            yield url
        finally:
            _databases.forget(url)


def write_settings(
    project: Project, url: str, *, module: str = "proj.settings", **extra: object
) -> str:
    """The test project's settings module (named `module`), with `extra` settings.

    On PostgreSQL commits don't wait for the disk (`synchronous_commit` off): the tests are
    about what runs when, not about surviving a power cut, and every job's commit waiting for
    an fsync would make them many times slower.
    """
    values: dict[str, object] = {"INSTALLED_APPS": APPS, "DATABASE_URL": url, **FAST}
    if url.startswith("postgresql"):
        values["DATABASE_CONNECT_ARGS"] = {"server_settings": {"synchronous_commit": "off"}}
    values.update(extra)
    text = "".join(f"{name} = {value!r}\n" for name, value in values.items())
    return project.settings(text, module=module)


prepare = _databases.prepare
"""Migrate the test's database the first time, then empty it (tests/support.py)."""


@pytest.fixture
def tasks_settings() -> dict[str, object]:
    """Settings a test adds (fill it in before the `queue` fixture runs)."""
    return {}


@pytest.fixture
async def queue(
    project: Project, tasks_database: str, tasks_settings: dict[str, object]
) -> AsyncIterator[str]:
    """The project loaded on an emptied, migrated database; yields the database URL."""
    from kwik.db import database

    write_settings(project, tasks_database, **tasks_settings)
    kwik.setup("proj.settings")
    await prepare(tasks_database)
    yield tasks_database
    await database().dispose()


@pytest.fixture
async def on_disk(project: Project, tasks_database: str) -> AsyncIterator[Project]:
    """The test project as `kwik` finds it from its folder, on a migrated, emptied database.

    A killed worker's job is rescued 2 s after its last heartbeat: a little longer than in the
    in-process tests, for workers that share a loaded machine with the test.
    """
    write_settings(project, tasks_database, TASKS_LEASE=2.0, TASKS_HEARTBEAT=0.5)
    project.pyproject("proj.settings")
    kwik.setup("proj.settings")
    await prepare(tasks_database)
    yield project
    await kwik.db.database().dispose()


async def runs(key: str | None = None) -> list[str]:
    """The keys of the recorded runs (of `key` only, when given), in the order they ran."""
    from tests.contrib.tasks.jobs.models import Run

    statement = select(Run.key).order_by(Run.id)
    if key is not None:
        statement = statement.where(Run.key == key)
    async with kwik.db.session() as session:
        return list((await session.scalars(statement)).all())


async def job_count(**where: object) -> int:
    from kwik.contrib.tasks.models import Job

    statement = select(func.count()).select_from(Job)
    for name, value in where.items():
        statement = statement.where(getattr(Job, name) == value)
    async with kwik.db.session() as session:
        return int(await session.scalar(statement) or 0)
