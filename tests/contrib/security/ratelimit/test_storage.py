"""What each backend does with its storage: memory stays bounded, the database purges expired
rows (and its table is UNLOGGED on PostgreSQL), Redis lets idle keys expire; and which backend
the settings build."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import kwik
from kwik.contrib.security.ratelimit import Hit, Limit
from kwik.contrib.security.ratelimit.backends import get_backend, storage_key
from kwik.contrib.security.ratelimit.backends.database import PURGE_INTERVAL, DatabaseBackend
from kwik.contrib.security.ratelimit.backends.memory import MemoryBackend
from kwik.contrib.security.ratelimit.backends.redis import KEY_PREFIX, RedisBackend
from kwik.exceptions import ImproperlyConfigured
from tests.contrib.security.ratelimit.conftest import Clock, forget_redis_counters, write_settings

MINUTE = Limit(5, 60)


async def spend(backend, key: str, limit: Limit = MINUTE, algorithm="gcra") -> None:
    [outcome] = await backend.hit([Hit(key, limit, algorithm)])
    assert outcome.allowed


async def test_memory_forgets_keys_whose_state_expired():
    clock = Clock()
    backend = MemoryBackend(clock=clock, purge_interval=10)
    for number in range(100):
        await spend(backend, f"client-{number}")
    await spend(backend, "hourly", Limit(5, 3600))
    assert len(backend) == 101
    clock.advance(61)
    await spend(backend, "newcomer")
    assert len(backend) == 2  # the hourly client and the newcomer: none of the hundred


async def test_memory_keeps_keys_that_still_limit():
    clock = Clock()
    backend = MemoryBackend(clock=clock, purge_interval=1)
    for _ in range(5):
        await spend(backend, "busy", algorithm="fixed-window")
    clock.advance(30)
    await spend(backend, "other")
    [refused] = await backend.hit([Hit("busy", MINUTE, "fixed-window")])
    assert not refused.allowed


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request, databases) -> str:
    return databases(request.param)


@pytest.fixture
async def loaded(project, database_url):
    """A project with security on a migrated, emptied database."""
    from kwik.db import database
    from tests.contrib.security.ratelimit.conftest import prepare

    write_settings(project, database_url, ["kwik.contrib.security"])
    kwik.setup("proj.settings")
    try:
        await prepare(database_url)
        yield database()
    finally:
        await database().dispose()


async def rows(db) -> list[str]:
    async with db.engine.connect() as connection:
        result = await connection.execute(text("SELECT key FROM security_ratelimit ORDER BY key"))
        return [row[0] for row in result]


async def test_database_purge_deletes_only_expired_rows(loaded):
    clock = Clock()
    backend = DatabaseBackend(clock=clock)
    await spend(backend, "minute")
    await spend(backend, "hour", Limit(5, 3600))
    clock.advance(120)
    assert await backend.purge() == 1
    assert await rows(loaded) == ["hour"]


async def test_database_purges_by_itself_after_the_interval(loaded):
    clock = Clock()
    backend = DatabaseBackend(clock=clock)
    await spend(backend, "old")
    clock.advance(PURGE_INTERVAL + 1)
    await spend(backend, "new")
    assert await rows(loaded) == ["new"]


async def test_a_refused_check_writes_nothing(loaded):
    clock = Clock()
    backend = DatabaseBackend(clock=clock)
    one = Limit(1, 60)
    await spend(backend, "k", one)
    async with loaded.engine.connect() as connection:
        before = (await connection.execute(text("SELECT tat FROM security_ratelimit"))).scalar()
    [refused] = await backend.hit([Hit("k", one, "gcra")])
    assert not refused.allowed
    async with loaded.engine.connect() as connection:
        after = (await connection.execute(text("SELECT tat FROM security_ratelimit"))).scalar()
    assert after == before


async def test_database_checks_join_a_test_transaction_that_bound_sessions(loaded):
    from kwik.db.database import bind_sessions

    backend = DatabaseBackend(clock=Clock())
    async with loaded.engine.connect() as connection:
        transaction = await connection.begin()
        async with bind_sessions(connection):
            await spend(backend, "inside")
            seen = await connection.execute(text("SELECT key FROM security_ratelimit"))
            assert [row[0] for row in seen] == ["inside"]
        await transaction.rollback()
    assert await rows(loaded) == []


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_the_table_is_unlogged_on_postgresql(loaded):
    async with loaded.engine.connect() as connection:
        persistence = await connection.execute(
            text("SELECT relpersistence::text FROM pg_class WHERE relname = 'security_ratelimit'")
        )
        assert persistence.scalar() == "u"


async def test_redis_keys_expire_when_they_limit_nothing(redis_url):
    import redis.asyncio

    forget_redis_counters(redis_url)
    backend = RedisBackend(redis_url, clock=Clock())
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        await spend(backend, "gcra")
        await spend(backend, "window", algorithm="sliding-window")
        gcra_ttl = await client.pttl(KEY_PREFIX + "gcra")
        window_ttl = await client.pttl(KEY_PREFIX + "window")
    finally:
        await client.aclose()
        await backend.close()
    assert 0 < gcra_ttl <= 12_000  # one request's worth of a 5/minute bucket
    assert 60_000 < window_ttl <= 120_000  # this window and the next


def test_long_bucket_names_are_hashed_to_fit_the_column():
    key = storage_key("x" * 500, MINUTE, "gcra")
    assert len(key) <= 255
    assert key != storage_key("x" * 499 + "y", MINUTE, "gcra")


def test_each_limit_and_algorithm_has_its_own_counter():
    keys = {
        storage_key("b", Limit(5, 60), "gcra"),
        storage_key("b", Limit(5, 3600), "gcra"),
        storage_key("b", Limit(6, 60), "gcra"),
        storage_key("b", Limit(5, 60), "fixed-window"),
    }
    assert len(keys) == 4


class Unlimited:
    """A backend of the project's own, named by dotted path."""

    async def hit(self, hits):
        from kwik.contrib.security.ratelimit import Outcome, State

        return [Outcome(True, State(0.0), hit.limit.count, 0.0) for hit in hits]

    async def close(self):
        pass


def load(project, **settings) -> None:
    write_settings(project, "sqlite+aiosqlite:///db.sqlite3", ["kwik.contrib.security"], **settings)
    kwik.setup("proj.settings")


def test_settings_choose_the_backend(project):
    load(project, RATE_LIMIT_BACKEND="database")
    assert isinstance(get_backend(), DatabaseBackend)


def test_the_backend_is_built_once_and_again_when_its_setting_changes(project):
    from kwik.conf import settings

    load(project)
    first = get_backend()
    assert isinstance(first, MemoryBackend)
    assert get_backend() is first
    with settings.unwrap().override(RATE_LIMIT_BACKEND="database"):
        assert isinstance(get_backend(), DatabaseBackend)
    assert get_backend() is not first  # settings changed twice: a new, empty one


def test_a_dotted_path_names_a_backend_class(project):
    load(project, RATE_LIMIT_BACKEND=f"{__name__}.Unlimited")
    assert isinstance(get_backend(), Unlimited)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("memcached", "neither one of memory, database, redis"),
        ("tests.nowhere.Backend", "cannot import 'tests.nowhere'"),
        (f"{__name__}.Clock", "has no `async def hit(hits)`"),
        (f"{__name__}.MINUTE", "is not a class"),
    ],
)
def test_a_backend_that_cannot_be_built_stops_start_up(project, value, message):
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_BACKEND") as caught:
        load(project, RATE_LIMIT_BACKEND=value)
    assert message in str(caught.value)


def test_redis_without_a_url_stops_start_up(project):
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_REDIS_URL is not set"):
        load(project, RATE_LIMIT_BACKEND="redis")
