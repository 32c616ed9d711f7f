"""A scratch database holding exactly what the migrations create, for `makemigrations` to diff.

Diffing against the developer's database would make the output depend on its state: a table
made by hand, or a migration not yet applied, would change what gets written. A new database
brought to the current heads depends on nothing but the migration files. It is made on the
project's own backend, so types compare as the real database will see them: a temporary SQLite
file, or a temporary database on the project's PostgreSQL server, dropped afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from kwik.db.database import Database
from kwik.db.engine import create_engine
from kwik.db.servers import create_database, drop_database
from kwik.migrations.errors import MigrationError
from kwik.migrations.graph import MigrationGraph
from kwik.migrations.runner import Step, run_migrations_sync

__all__ = ["Scratch", "scratch_database"]

PREFIX = "kwik_makemigrations"


@dataclass
class Scratch:
    """A connection to the scratch database, and which app's migration created each table."""

    connection: AsyncConnection
    created: dict[str, str] = field(default_factory=dict)


@asynccontextmanager
async def scratch_database(database: Database, graph: MigrationGraph) -> AsyncIterator[Scratch]:
    """A new database like `database`'s, with every migration of `graph` applied."""
    backend = database.backend
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{PREFIX}_") as folder:
            url = database.url.set(database=str(Path(folder) / "scratch.sqlite3"))
            async with _migrated(url, database, graph) as scratch:
                yield scratch
    elif backend == "postgresql":
        url = await create_database(database.url, PREFIX)
        try:
            async with _migrated(url, database, graph) as scratch:
                yield scratch
        finally:
            await drop_database(url)
    else:
        raise MigrationError(
            f"makemigrations works with SQLite and PostgreSQL; DATABASE_URL is {backend}"
        )


@asynccontextmanager
async def _migrated(url: URL, database: Database, graph: MigrationGraph) -> AsyncIterator[Scratch]:
    engine = create_engine(url, database.settings)
    try:
        async with engine.connect() as connection:
            scratch = Scratch(connection)
            await connection.run_sync(_upgrade, graph, scratch.created)
            yield scratch
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, graph: MigrationGraph, created: dict[str, str]) -> None:
    def record(step: Step) -> None:
        for table in inspect(connection).get_table_names():
            created.setdefault(table, step.migration.app_label)

    run_migrations_sync(connection, graph, graph.target(), on_step=record)
