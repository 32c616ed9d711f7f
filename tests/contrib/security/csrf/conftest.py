"""Fixtures for the CSRF tests: a project with auth, security and the `site` app of routes to
protect, on a database migrated once per test module and backend, emptied before each test.

The pattern is auth's (tests/contrib/auth/conftest.py), copied rather than imported so the two
apps' tests stay independent. Rate limits are off: these tests log in more often than auth's
default limits allow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest

import kwik
from tests.conftest import fresh_database
from tests.support import MigratedDatabases, Project

SECRET_KEY = "tests-of-kwik-contrib-security-csrf-with-a-long-enough-random-key-0123456789"
PASSWORD = "violet-kumquat-harbour-42"
CREDENTIALS = {"email": "ada@example.com", "password": PASSWORD}
SETTINGS = """
SECRET_KEY = {secret!r}
INSTALLED_APPS = {apps!r}
DATABASE_URL = {url!r}
PASSWORD_HASHERS = ["kwik.contrib.auth.passwords:FastScryptHasher"]
PASSWORD_RESET_SENDER = "kwik.contrib.auth.senders:MemorySender"
"""
WITH_SECURITY = ["kwik.contrib.auth", "kwik.contrib.security", "tests.contrib.security.csrf.site"]
_databases = MigratedDatabases()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def csrf_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: str | None,
) -> Iterator[str]:
    """One database per test module and backend, dropped after the module."""
    folder = tmp_path_factory.mktemp("csrf")
    with fresh_database(request.param, postgres_server, "kwik_csrf", folder) as url:
        try:
            yield url
        finally:
            _databases.forget(url)


prepare_database = _databases.prepare
"""Migrate the test's database the first time, then empty it (tests/support.py)."""


def write_settings(
    project: Project, url: str, apps: list[str] | None = None, **extra: object
) -> None:
    """The test project's settings (auth, security and `site` unless `apps` says otherwise),
    with `extra` settings appended; rate limits off when security is installed."""
    apps = apps or WITH_SECURITY
    text = SETTINGS.format(secret=SECRET_KEY, apps=apps, url=url)
    if "kwik.contrib.security" in apps:
        text += "RATE_LIMIT_ENABLED = False\n"
    text += "".join(f"{name} = {value!r}\n" for name, value in extra.items())
    project.settings(text, debug=False)


@pytest.fixture
def csrf_settings() -> dict[str, object]:
    """Settings a test adds to the project's (fill it in a test before asking for `app`)."""
    return {}


@pytest.fixture
async def app(
    project: Project, csrf_database: str, csrf_settings: dict[str, object]
) -> AsyncIterator[object]:
    """The project's ASGI application, on an emptied, migrated database."""
    from kwik.asgi import get_application
    from kwik.db import database

    write_settings(project, csrf_database, **csrf_settings)
    kwik.setup("proj.settings")
    try:
        await prepare_database(csrf_database)
        yield get_application()
    finally:
        await database().dispose()


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx2.AsyncClient]:
    """An in-process client of `app` (no network); it keeps cookies, as a browser does."""
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
