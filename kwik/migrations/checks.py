"""The system check on migrations, which `kwik check` and `runserver` run.

- `kwik.W010`: migrations the database hasn't applied, one finding per app, listed.
- `kwik.W011`: apps with models but no migrations, whose tables `kwik migrate` can't create.
- `kwik.I010`: the database can't be reached, so W010 wasn't checked. An info, not a failure:
  `kwik check` also runs where there is no database (a CI lint job).
- `kwik.E010`: the migration files can't be loaded (the message names the file).

It stays cheap: the migration files, and one connection that reads the version table, opened only
when some app has migrations. A SQLite file that doesn't exist yet is not created: a database
that isn't there has nothing applied.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.exc import DBAPIError

from kwik.db.database import database
from kwik.db.engine import create_engine
from kwik.db.errors import reason
from kwik.db.urls import is_sqlite, masked
from kwik.migrations.errors import MigrationError
from kwik.migrations.graph import MigrationGraph
from kwik.migrations.runner import applied_revisions

if TYPE_CHECKING:
    from kwik.checks.messages import CheckMessage

__all__ = ["CHECK_IDS", "CONNECT_TIMEOUT", "check_migrations"]

CHECK_IDS = frozenset({"kwik.E010", "kwik.W010", "kwik.W011", "kwik.I010"})
"""The ids this check reports (`migrate` leaves them out of its report: it says it all itself)."""

CONNECT_TIMEOUT = 5.0
"""Seconds to wait for the database before reporting it unreachable (kwik.I010)."""

T = TypeVar("T")


def check_migrations() -> list[CheckMessage]:
    """Unapplied migrations (W010) and apps without migrations (W011)."""
    from kwik.checks.messages import Error, Warning  # kwik.checks imports this module

    try:
        graph = MigrationGraph.load()
    except MigrationError as exc:
        return [Error(str(exc), id="kwik.E010", obj="migrations")]
    found = _unapplied(graph) if graph.all() else []
    for label in graph.unmigrated():
        found.append(
            Warning(
                "App has models but no migrations, so `kwik migrate` creates none of its tables",
                id="kwik.W011",
                hint=f"Run `kwik makemigrations {label}`",
                obj=label,
            )
        )
    return found


def _unapplied(graph: MigrationGraph) -> list[CheckMessage]:
    from kwik.checks.messages import Info, Warning

    url = database().url
    try:
        applied = _run(asyncio.wait_for(_applied(graph), CONNECT_TIMEOUT))
    except (DBAPIError, OSError, TimeoutError) as exc:
        return [
            Info(
                f"Migrations not checked: cannot connect to the database at {masked(url)}: "
                f"{reason(exc)}",
                id="kwik.I010",
                hint="Check DATABASE_URL and that the server is running",
            )
        ]
    found = []
    for label in graph.app_labels:
        pending = [m.name for m in graph.migrations(label) if m.revision not in applied]
        if pending:
            many = len(pending) > 1
            found.append(
                Warning(
                    f"{len(pending)} unapplied migration{'s' if many else ''}: "
                    + ", ".join(pending),
                    id="kwik.W010",
                    hint=f"Run `kwik migrate` to apply {'them' if many else 'it'}",
                    obj=label,
                )
            )
    return found


async def _applied(graph: MigrationGraph) -> set[str]:
    """What the database has applied, read on an engine of the check's own."""
    project = database()
    url = project.url
    path = url.database if is_sqlite(url) else None
    if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
        return set()
    engine = create_engine(url, project.settings)
    try:
        async with engine.connect() as connection:
            return await applied_revisions(connection, graph)
    finally:
        await engine.dispose()


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to its end from sync code, in a thread when an event loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
