"""Kwik's pytest plugin (registered by entry point): fixtures for testing a kwik project.

When pytest starts inside a project (KWIK_SETTINGS_MODULE or [tool.kwik] in pyproject.toml), the
plugin loads it at once, so test modules may import models. It then gives:

- `kwik_database`: a test database made once per session (a SQLite file, or a new database on the
  PostgreSQL server of KWIK_TEST_DATABASE_URL, else in a testcontainers PostgreSQL), migrated to
  the project's heads, and dropped at the end;
- `db_connection` / `db`: each test runs inside one transaction that is rolled back afterwards;
  every session the application opens joins it through savepoints;
- `settings` (assign to override for one test), `app`, and `client` (an async HTTP client bound to
  the app, its lifespan run around the test).

`async def` tests run on one asyncio loop for the whole session, without markers.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest

from kwik.testing.overrides import SettingsOverrides

if TYPE_CHECKING:
    import httpx2
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

    from kwik.db.database import Database
    from kwik.http.application import Kwik

__all__ = [
    "app",
    "client",
    "db",
    "db_connection",
    "kwik_database",
    "kwik_project",
    "pytest_configure",
    "pytest_pycollect_makeitem",
    "settings",
]


def pytest_configure(config: pytest.Config) -> None:
    """Load the project before collection, as pytest-django does, so tests can import models."""
    from kwik.testing import session_loop

    config.pluginmanager.register(session_loop, "kwik-session-loop")
    from kwik.conf import locate_settings
    from kwik.exceptions import KwikError

    try:
        if locate_settings() is None:
            return
        import kwik

        kwik.setup()
    except KwikError as exc:
        raise pytest.UsageError(f"kwik could not load the project: {exc}") from exc


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> Iterator[object]:
    """Run `async def` tests on anyio's asyncio runner, without a marker on each one.

    The marker goes on before anyio's own collection hook looks for it. Tests marked for anyio
    or pytest-asyncio already are left as they are.
    """
    if collector.istestfunction(obj, name) and inspect.iscoroutinefunction(obj):
        own = {mark.name for mark in getattr(obj, "pytestmark", ())}
        inherited = collector.get_closest_marker("anyio") or collector.get_closest_marker("asyncio")
        if not inherited and not own & {"anyio", "asyncio"}:
            pytest.mark.anyio(obj)
    return (yield)


@pytest.fixture(scope="session")
def kwik_project() -> None:
    """Load the project's settings and apps (from KWIK_SETTINGS_MODULE or pyproject.toml)."""
    import kwik

    kwik.setup()


@pytest.fixture(scope="session")
def kwik_test_database_url(
    kwik_project: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Where the session's test database will live: same backend as DATABASE_URL."""
    from kwik.conf import settings
    from kwik.db.urls import is_sqlite, parse_url
    from kwik.testing.databases import (
        PostgresUnavailable,
        postgres_container,
        test_server_url,
    )

    if is_sqlite(parse_url(settings.DATABASE_URL)):
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('kwik') / 'test.sqlite3'}"
        return
    server = test_server_url()
    if server is not None:
        yield server
        return
    try:
        with postgres_container() as container_url:
            yield container_url
    except PostgresUnavailable as exc:
        prefix = "CI=true: " if os.environ.get("CI") else ""
        pytest.fail(f"{prefix}no PostgreSQL for the tests: {exc}", pytrace=False)


@pytest.fixture(scope="session")
async def kwik_database(kwik_test_database_url: str) -> AsyncIterator[Database]:
    """The session's test database, migrated to every app's head, dropped at the end."""
    from kwik.conf import settings
    from kwik.db import database
    from kwik.db.servers import create_database, drop_database
    from kwik.db.urls import is_sqlite, parse_url

    sqlite = is_sqlite(parse_url(kwik_test_database_url))
    url = kwik_test_database_url
    if not sqlite:
        created = await create_database(kwik_test_database_url, "kwik_test")
        url = created.render_as_string(hide_password=False)
    with ExitStack() as overrides:
        overrides.enter_context(settings.unwrap().override(DATABASE_URL=url))
        try:
            await _migrate(database())
            yield database()
        finally:
            await database().dispose()
            if not sqlite:
                await drop_database(url)


async def _migrate(target: Database) -> None:
    """Apply every migration, then create the tables of apps that have no migrations yet."""
    from kwik.db import Model
    from kwik.migrations import MigrationGraph, migrate_to_heads

    async with target.engine.connect() as connection:
        await migrate_to_heads(connection)
        unmigrated = set(MigrationGraph.load().unmigrated())
        tables = [t for t in Model.metadata.sorted_tables if t.info.get("app_label") in unmigrated]
        if tables:
            await connection.run_sync(Model.metadata.create_all, tables=tables)
        await connection.commit()


@pytest.fixture
async def db_connection(kwik_database: Database) -> AsyncIterator[AsyncConnection]:
    """One connection in one transaction for the test, rolled back at its end.

    Every session opened meanwhile (the app's, `kwik.db.session()`) runs on this connection and
    commits only to savepoints, so the test leaves the database as it found it.
    """
    from kwik.db.database import bind_sessions

    async with kwik_database.engine.connect() as connection:
        transaction = await connection.begin()
        try:
            async with bind_sessions(connection):
                yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
async def db(
    db_connection: AsyncConnection, kwik_database: Database
) -> AsyncIterator[AsyncSession]:
    """A session on the test's connection, for arranging and checking rows."""
    async with kwik_database.sessionmaker()() as session:
        yield session


@pytest.fixture
def settings(kwik_project: None) -> Iterator[SettingsOverrides]:
    """Settings for this test: `settings.DEBUG = False` lasts until the test ends."""
    overrides = SettingsOverrides()
    try:
        yield overrides
    finally:
        overrides.restore()


@pytest.fixture
def app(kwik_project: None, settings: SettingsOverrides) -> Kwik:
    """The project's ASGI application, built after the test's settings overrides."""
    from kwik.asgi import get_application

    return get_application()


@pytest.fixture
async def client(app: Kwik, db_connection: AsyncConnection) -> AsyncIterator[httpx2.AsyncClient]:
    """An async HTTP client bound to `app` (no network); the app's lifespan runs around the
    test, and its requests run in the test's transaction."""
    import httpx2

    from kwik.testing.client import OneAtATimeTransport

    transport = OneAtATimeTransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):
        yield http
