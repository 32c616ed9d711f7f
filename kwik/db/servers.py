"""Whole databases on a PostgreSQL server: create a throwaway one, drop it afterwards.

`makemigrations` diffs the models against a scratch database made here, on the project's own
server, so the diff sees the same types the real database has and never the state of the
developer's database. Test fixtures need the same thing for their throwaway databases.
"""

from __future__ import annotations

import secrets

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from kwik.db.errors import DatabaseUnavailable, reason, unreachable
from kwik.db.urls import masked

__all__ = ["MAINTENANCE_DATABASE", "create_database", "drop_database"]

MAINTENANCE_DATABASE = "postgres"
"""The database connected to while creating or dropping another (every server has it)."""


async def create_database(server_url: str | URL, prefix: str) -> URL:
    """Create a new, empty database named `<prefix>_<random>` on the server of `server_url`.

    Returns the URL of the new database (the same user, password and host).

    Raises:
        DatabaseUnavailable: the server can't be reached, or the user may not create databases.
    """
    server = make_url(server_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    await _maintenance(server, f'CREATE DATABASE "{name}"')
    return server.set(database=name)


async def drop_database(database_url: str | URL) -> None:
    """Drop a database made by `create_database`, closing connections still open to it."""
    url = make_url(database_url)
    await _maintenance(url, f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


async def _maintenance(url: URL, statement: str) -> None:
    server = url.set(database=MAINTENANCE_DATABASE)
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        try:
            connection = await engine.connect()
        except (DBAPIError, OSError) as exc:
            raise unreachable(server, exc, "the database server") from exc
        try:
            await connection.execute(text(statement))
        except DBAPIError as exc:
            verb = " ".join(statement.split(" ")[:2])
            raise DatabaseUnavailable(
                f"Cannot {verb} on {masked(server)}: {reason(exc)}. The database user "
                "needs the CREATEDB privilege (ALTER USER <name> CREATEDB)."
            ) from exc
        finally:
            await connection.close()
    finally:
        await engine.dispose()
