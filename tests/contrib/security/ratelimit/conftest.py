"""Fixtures for the rate-limit tests.

- `backend`: each backend (memory; database on SQLite and PostgreSQL; Redis) on a `clock` the
  test moves, for the behaviour suite every backend must pass;
- `app` / `client_at`: a project with auth, security and the `limited` app of rate-limited
  routes, on a database migrated once per test module and backend (SQLite, PostgreSQL),
  emptied before each test; `project_settings` adds settings (fill it before asking for `app`).

Redis comes from KWIK_TEST_REDIS_URL (`make test` starts it: scripts/ensure-redis); without
one, Redis tests fail in CI (`CI=true`) and are skipped elsewhere.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack

import httpx2
import pytest

import kwik
from tests.conftest import fresh_database
from tests.support import MigratedDatabases, Project

REDIS_URL = os.environ.get("KWIK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET_KEY = "tests-of-kwik-contrib-security-rate-limits-with-a-long-enough-secret-0123456789"
FAST_HASHER = "kwik.contrib.auth.passwords:FastScryptHasher"
START = 20_000 * 86_400.0
"""The clock's start: a whole number of days, so every window of the tests starts there."""

_databases = MigratedDatabases()


class Clock:
    """A clock the test moves: what backends read instead of time.time."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _require_redis(url: str) -> str:
    """`url` when a Redis answers there; else the test fails in CI and is skipped elsewhere."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"no Redis at {url} ({exc}): `make services` starts one (scripts/ensure-redis)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _require_redis(REDIS_URL)


def forget_redis_counters(url: str) -> None:
    """Delete the rate-limit keys in the test Redis (and nothing else)."""
    import redis

    from kwik.contrib.security.ratelimit.backends.redis import KEY_PREFIX

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=KEY_PREFIX + "*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="module")
def databases(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str | None
) -> Iterator[Callable[[str], str]]:
    """`databases("sqlite")` / `databases("postgresql")`: a database of that kind, made on first
    use in this module, dropped after it."""
    folder = tmp_path_factory.mktemp("ratelimit")
    made: dict[str, str] = {}
    with ExitStack() as stack:

        def get(kind: str) -> str:
            if kind not in made:
                made[kind] = stack.enter_context(
                    fresh_database(kind, postgres_server, "kwik_ratelimit", folder)
                )
            return made[kind]

        try:
            yield get
        finally:
            for url in made.values():
                _databases.forget(url)


prepare = _databases.prepare
"""Migrate the test's database the first time, then empty it (tests/support.py)."""


def write_settings(project: Project, url: str, apps: list[str], **extra: object) -> None:
    text = f"SECRET_KEY = {SECRET_KEY!r}\nINSTALLED_APPS = {apps!r}\nDATABASE_URL = {url!r}\n"
    if "kwik.contrib.auth" in apps:
        text += f"PASSWORD_HASHERS = [{FAST_HASHER!r}]\n"
    text += "".join(f"{name} = {value!r}\n" for name, value in extra.items())
    project.settings(text)


BACKENDS = [
    pytest.param("memory", id="memory"),
    pytest.param("database-sqlite", id="database-sqlite"),
    pytest.param("database-postgresql", id="database-postgresql", marks=pytest.mark.postgres),
    pytest.param("redis", id="redis"),
]


@pytest.fixture(params=BACKENDS)
def backend_kind(
    request: pytest.FixtureRequest, databases: Callable[[str], str]
) -> tuple[str, str]:
    """(kind, URL) of the backend under test: the database or Redis it uses, made here (sync:
    making a PostgreSQL database runs its own event loop)."""
    kind: str = request.param
    if kind == "redis":
        return kind, request.getfixturevalue("redis_url")
    if kind.startswith("database-"):
        return kind, databases(kind.removeprefix("database-"))
    return kind, ""


@pytest.fixture
async def backend(
    backend_kind: tuple[str, str], project: Project, clock: Clock
) -> AsyncIterator[object]:
    """Each backend, new and empty, reading `clock`."""
    from kwik.contrib.security.ratelimit.backends.database import DatabaseBackend
    from kwik.contrib.security.ratelimit.backends.memory import MemoryBackend
    from kwik.contrib.security.ratelimit.backends.redis import RedisBackend
    from kwik.db import database

    kind, url = backend_kind
    if kind == "memory":
        yield MemoryBackend(clock=clock)
        return
    if kind == "redis":
        forget_redis_counters(url)
        redis_backend = RedisBackend(url, clock=clock)
        try:
            yield redis_backend
        finally:
            await redis_backend.close()
        return
    write_settings(project, url, ["kwik.contrib.security"])
    kwik.setup("proj.settings")
    try:
        await prepare(url)
        yield DatabaseBackend(clock=clock)
    finally:
        await database().dispose()


# The HTTP tests' project ------------------------------------------------------------------------

LIMITED_APPS = [
    "kwik.contrib.auth",
    "kwik.contrib.security",
    "tests.contrib.security.ratelimit.limited",
]


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def project_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: str | None,
) -> Iterator[str]:
    """One database per test module and backend, dropped after the module."""
    folder = tmp_path_factory.mktemp("limited")
    with fresh_database(request.param, postgres_server, "kwik_limited", folder) as url:
        try:
            yield url
        finally:
            _databases.forget(url)


@pytest.fixture
def project_settings() -> dict[str, object]:
    """Settings the test adds to the project's."""
    return {}


@pytest.fixture
async def app(
    project: Project, project_database: str, project_settings: dict[str, object]
) -> AsyncIterator[object]:
    """The project's ASGI application, on an emptied, migrated database."""
    from kwik.asgi import get_application
    from kwik.db import database

    write_settings(project, project_database, LIMITED_APPS, **project_settings)
    kwik.setup("proj.settings")
    try:
        await prepare(project_database)
        yield get_application()
    finally:
        await database().dispose()


@pytest.fixture
async def client_at(app: object) -> AsyncIterator[Callable[[str], httpx2.AsyncClient]]:
    """`client_at("203.0.113.7")`: an in-process client whose requests come from that address."""
    clients: list[httpx2.AsyncClient] = []

    def make(address: str = "203.0.113.1") -> httpx2.AsyncClient:
        transport = httpx2.ASGITransport(
            app=app,  # type: ignore[arg-type]
            raise_app_exceptions=False,
            client=(address, 40000),
        )
        client = httpx2.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(client)
        return client

    try:
        yield make
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
