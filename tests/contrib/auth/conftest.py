"""Fixtures for auth's HTTP tests: a project with auth (and the `shop` app of protected routes)
on a database migrated once per test module and backend, emptied before each test.

Passwords are hashed with the fast test hasher, except where a test sets PASSWORD_HASHERS
itself; password-reset messages go to `MemorySender.outbox`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest

import kwik
from tests.conftest import fresh_database
from tests.support import MigratedDatabases, Project

SECRET_KEY = "tests-of-kwik-contrib-auth-with-a-long-enough-random-secret-key-0123456789"
PASSWORD = "violet-kumquat-harbour-42"
FAST_HASHER = "kwik.contrib.auth.passwords:FastScryptHasher"
SETTINGS = """
SECRET_KEY = {secret!r}
INSTALLED_APPS = ["kwik.contrib.auth", "tests.contrib.auth.shop"]
DATABASE_URL = {url!r}
PASSWORD_HASHERS = [{hasher!r}]
PASSWORD_RESET_SENDER = "kwik.contrib.auth.senders:MemorySender"
PASSWORD_RESET_URL = "https://shop.example/reset?token={{token}}"
AUTH_PASSWORD_VALIDATORS = [
    {{
        "NAME": "kwik.contrib.auth.passwords:MinimumLengthValidator",
        "OPTIONS": {{"min_length": 10}},
    }},
    {{"NAME": "kwik.contrib.auth.passwords:CommonPasswordValidator"}},
    {{"NAME": "kwik.contrib.auth.passwords:UserAttributeSimilarityValidator"}},
]
"""
_databases = MigratedDatabases()


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def auth_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: str | None,
) -> Iterator[str]:
    """One database per test module and backend, dropped after the module."""
    folder = tmp_path_factory.mktemp("auth")
    with fresh_database(request.param, postgres_server, "kwik_auth", folder) as url:
        try:
            yield url
        finally:
            _databases.forget(url)


_prepare = _databases.prepare
"""Migrate the test's database the first time, then empty it (tests/support.py)."""


def write_settings(project: Project, url: str, **extra: object) -> None:
    """The test project's settings, with `extra` settings appended."""
    text = SETTINGS.format(secret=SECRET_KEY, url=url, hasher=FAST_HASHER)
    text += "".join(f"{name} = {value!r}\n" for name, value in extra.items())
    project.settings(text)


@pytest.fixture
def auth_settings() -> dict[str, object]:
    """Settings a test adds to the project's (override it in a module, or fill it in a test
    before asking for `app`)."""
    return {}


@pytest.fixture
async def app(
    project: Project, auth_database: str, auth_settings: dict[str, object]
) -> AsyncIterator[object]:
    """The project's ASGI application, on an emptied, migrated database."""
    from kwik.asgi import get_application
    from kwik.contrib.auth.senders import MemorySender
    from kwik.db import database

    write_settings(project, auth_database, **auth_settings)
    kwik.setup("proj.settings")
    try:
        await _prepare(auth_database)
        MemorySender.outbox.clear()
        yield get_application()
    finally:
        await database().dispose()  # also when preparing failed: no connection left open


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx2.AsyncClient]:
    """An in-process client of `app` (no network)."""
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
