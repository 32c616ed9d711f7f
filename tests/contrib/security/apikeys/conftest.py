"""Fixtures for the API-key tests: a project with security (and the `keyed` app of protected
routes) on a database migrated once per test module and backend, emptied before each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest

import kwik
from tests.conftest import fresh_database
from tests.support import MigratedDatabases, Project

SECRET_KEY = "tests-of-kwik-security-api-keys-with-a-long-enough-random-secret-0123456789"
SETTINGS = """
SECRET_KEY = {secret!r}
INSTALLED_APPS = ["kwik.contrib.security", "tests.contrib.security.apikeys.keyed"]
DATABASE_URL = {url!r}
"""
_databases = MigratedDatabases()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def keys_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: str | None,
) -> Iterator[str]:
    """One database per test module and backend, dropped after the module."""
    folder = tmp_path_factory.mktemp("apikeys")
    with fresh_database(request.param, postgres_server, "kwik_security_apikeys", folder) as url:
        try:
            yield url
        finally:
            _databases.forget(url)


prepare = _databases.prepare
"""Migrate the test's database the first time, then empty it (tests/support.py)."""


def write_settings(project: Project, url: str, **extra: object) -> None:
    """The test project's settings, with `extra` settings appended."""
    text = SETTINGS.format(secret=SECRET_KEY, url=url)
    text += "".join(f"{name} = {value!r}\n" for name, value in extra.items())
    project.settings(text)


@pytest.fixture
def key_settings() -> dict[str, object]:
    """Settings a test adds to the project's (override it in a module, or fill it in a test
    before asking for `app`)."""
    return {}


@pytest.fixture
async def app(
    project: Project, keys_database: str, key_settings: dict[str, object]
) -> AsyncIterator[object]:
    """The project's ASGI application, on an emptied, migrated database."""
    from kwik.asgi import get_application
    from kwik.db import database

    write_settings(project, keys_database, **key_settings)
    kwik.setup("proj.settings")
    try:
        await prepare(keys_database)
        yield get_application()
    finally:
        await database().dispose()


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx2.AsyncClient]:
    """An in-process client of `app` (no network)."""
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
