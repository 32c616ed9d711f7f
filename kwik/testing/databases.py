"""Throwaway databases for tests: a fresh PostgreSQL database on a server, or a SQLite file.

Tests get a database of their own (named `kwik_test_<random>`), created on the server that
KWIK_TEST_DATABASE_URL names and dropped afterwards, so runs never share state or touch data.
"""

from __future__ import annotations

import os
import secrets

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from kwik.db.urls import masked

__all__ = ["TEST_DATABASE_VARIABLE", "create_database", "drop_database", "test_server_url"]

TEST_DATABASE_VARIABLE = "KWIK_TEST_DATABASE_URL"


def test_server_url() -> str | None:
    """The PostgreSQL server tests may use (KWIK_TEST_DATABASE_URL), as an asyncpg URL."""
    value = os.environ.get(TEST_DATABASE_VARIABLE)
    if not value:
        return None
    url = make_url(value)
    if url.get_backend_name() == "postgresql" and url.get_driver_name() != "asyncpg":
        url = url.set(drivername="postgresql+asyncpg")
    return url.render_as_string(hide_password=False)


async def create_database(server_url: str, prefix: str = "kwik_test") -> str:
    """Create a new, empty database on the server of `server_url`; return its URL."""
    server = make_url(server_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    await _maintenance(server, f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False)


async def drop_database(database_url: str) -> None:
    """Drop a database made by `create_database`, closing connections still open to it."""
    url = make_url(database_url)
    await _maintenance(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


async def _maintenance(url: URL, statement: str) -> None:
    engine = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    except Exception as exc:
        raise RuntimeError(
            f"Cannot run {statement.split(' ')[0]} DATABASE on {masked(url)}: {exc}. "
            "The test database user needs the CREATEDB privilege."
        ) from exc
    finally:
        await engine.dispose()
