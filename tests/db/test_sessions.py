"""Units of work: a request's session commits when the handler succeeds and rolls back when it
raises; many concurrent requests lose no row, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

import httpx2
import pytest
from sqlalchemy import select, text

import kwik
import kwik.db
from kwik.asgi import get_application
from kwik.db import Model, database
from tests.db.ledger.models import Account
from tests.support import serve

T = TypeVar("T")


async def create_tables() -> None:
    tables = [t for t in Model.metadata.sorted_tables if t.info.get("app_label") == "ledger"]
    async with database().engine.begin() as connection:
        await connection.run_sync(Model.metadata.create_all, tables=tables)


async def account_names() -> list[str]:
    async with database().engine.connect() as connection:
        rows = await connection.execute(text("SELECT name FROM ledger_account ORDER BY name"))
        return [row[0] for row in rows]


async def in_own_loop(work: Awaitable[T]) -> T:
    """Run `work`, then close the engine's connections while their event loop still runs."""
    try:
        return await work
    finally:
        await database().dispose()


@pytest.fixture
async def ledger(project, database_url):
    """A project with the ledger app on a fresh database, its tables created."""
    project.settings(
        f"""
        INSTALLED_APPS = ["tests.db.ledger"]
        DATABASE_URL = {database_url!r}
        """
    )
    kwik.setup("proj.settings")
    await create_tables()
    yield get_application()
    await database().dispose()


async def request(app, method: str, path: str) -> httpx2.Response:
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path)


async def test_a_request_that_succeeds_commits_its_writes(ledger):
    response = await request(ledger, "POST", "/ledger/accounts/alice")

    assert response.status_code == 201
    assert await account_names() == ["alice"]


async def test_a_request_that_raises_an_http_error_rolls_back_its_writes(ledger):
    response = await request(ledger, "POST", "/ledger/accounts/fail-bob")

    assert response.status_code == 422
    assert await account_names() == []


async def test_a_request_that_crashes_rolls_back_its_writes(ledger):
    response = await request(ledger, "POST", "/ledger/accounts/crash-carol")

    assert response.status_code == 500
    assert await account_names() == []


async def test_a_commit_that_fails_is_an_error_response_not_a_success(ledger):
    await request(ledger, "POST", "/ledger/late/dave")

    duplicate = await request(ledger, "POST", "/ledger/late/dave")

    assert duplicate.status_code == 500
    assert await account_names() == ["dave"]


async def test_the_session_helper_commits_a_block_that_finishes(ledger):
    async with kwik.db.session() as session:
        session.add(Account(name="erin"))

    assert await account_names() == ["erin"]


async def test_the_session_helper_rolls_back_a_block_that_raises(ledger):
    async def open_then_fail() -> None:
        async with kwik.db.session() as session:
            session.add(Account(name="frank"))
            await session.flush()
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await open_then_fail()

    assert await account_names() == []


async def test_objects_stay_readable_after_the_commit(ledger):
    async with kwik.db.session() as session:
        account = Account(name="gina")
        session.add(account)

    assert (account.name, account.id) == ("gina", 1)
    assert account.created_at.tzinfo is not None


@pytest.mark.slow
def test_fifty_concurrent_read_then_write_requests_lose_no_row(project, database_url):
    project.settings(
        f"""
        INSTALLED_APPS = ["tests.db.ledger"]
        DATABASE_URL = {database_url!r}
        """
    )
    kwik.setup("proj.settings")
    asyncio.run(in_own_loop(create_tables()))

    async def hammer(base_url: str) -> list[httpx2.Response]:
        limits = httpx2.Limits(max_connections=50)
        async with httpx2.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
            return await asyncio.gather(
                *(client.post(f"/ledger/numbered/user{i:02}") for i in range(50))
            )

    with serve(get_application()) as base_url:
        responses = asyncio.run(hammer(base_url))

    failures = [(r.status_code, r.text) for r in responses if r.status_code != 201]
    assert failures == []
    names = asyncio.run(in_own_loop(account_names()))
    assert len(names) == 50
    assert sorted(name.partition("-")[0] for name in names) == [f"user{i:02}" for i in range(50)]


async def test_rows_written_in_a_session_are_read_back_as_models(ledger):
    await request(ledger, "POST", "/ledger/accounts/hank")

    async with kwik.db.session() as session:
        account = (await session.execute(select(Account))).scalar_one()

    assert account.name == "hank"
