"""On PostgreSQL, writing `last_used_at` never waits for another transaction holding the key's
row (a request, a `kwik apikeys rotate`): the row is skipped, and written by a later request."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from kwik.contrib.security.apikeys import authenticate_api_key
from kwik.db import database, session
from tests.conftest import fresh_database
from tests.contrib.security.apikeys.helpers import make_key, reload

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def keys_database(postgres_server: str | None) -> Iterator[str]:
    """Row locks are PostgreSQL's: SQLite runs one writing transaction at a time."""
    with fresh_database("postgresql", postgres_server, "kwik_security_apikeys_locks") as url:
        yield url


async def test_a_locked_row_is_skipped_not_waited_for(app):
    issued = await make_key()

    async with database().engine.connect() as holder:
        await holder.execute(
            text("SELECT id FROM security_apikey WHERE id = :id FOR UPDATE"),
            {"id": issued.row.id},
        )
        async with session() as db:
            key = await asyncio.wait_for(authenticate_api_key(db, issued.key), timeout=5)
        await holder.rollback()

    assert key.key_id == issued.row.key_id
    assert (await reload(issued.row.key_id)).last_used_at is None
