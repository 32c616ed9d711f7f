"""Arranging API keys for the tests, through the app's public functions, each committed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, update

import kwik.db
from kwik.contrib.security.apikeys import (
    APIKey,
    IssuedAPIKey,
    create_api_key,
    get_api_key,
    rotate_api_key,
)
from kwik.db import utcnow


async def make_key(
    name: str = "billing", scopes: tuple[str, ...] = ("orders:read",), **options: Any
) -> IssuedAPIKey:
    """A new key, committed; its text is `.key`."""
    async with kwik.db.session() as session:
        return await create_api_key(session, name, scopes, **options)


async def reload(key_id: str) -> APIKey:
    async with kwik.db.session() as session:
        found = await get_api_key(session, key_id)
    assert found is not None
    return found


async def rotate(key_id: str, overlap: timedelta | float | None = None) -> IssuedAPIKey:
    async with kwik.db.session() as session:
        found = await get_api_key(session, key_id)
        assert found is not None
        return await rotate_api_key(session, found, overlap=overlap)


async def set_columns(key_id: str, **values: Any) -> None:
    """Change a key's row behind the app's back (time passing, another process)."""
    async with kwik.db.session() as session:
        await session.execute(update(APIKey).where(APIKey.key_id == key_id).values(**values))


async def age(key_id: str, **delta: float) -> None:
    """Move the key's times back by `delta` (`hours=2`), as if that much time had passed."""
    found = await reload(key_id)
    back = timedelta(**delta)
    values = {
        column: getattr(found, column) - back
        for column in ("created_at", "expires_at", "previous_valid_until", "last_used_at")
        if getattr(found, column) is not None
    }
    await set_columns(key_id, **values)


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements the project's engine runs inside the block."""
    from kwik.db import database

    seen: list[str] = []
    engine = database().engine.sync_engine

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def updates_of_last_used(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith("UPDATE security_apikey") and "last_used_at" in s]


def header(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def now_plus(**delta: float) -> Any:
    return utcnow() + timedelta(**delta)
