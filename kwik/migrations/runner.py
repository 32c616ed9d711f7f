"""Running migrations on a live connection: up to heads, up or down to one migration, or faked.

Alembic is driven directly (no alembic.ini, no env.py): an `EnvironmentContext` over the project's
`ScriptDirectory`, configured on the sync face of an `AsyncConnection` inside `run_sync`.

Each migration runs in its own transaction, on SQLite too (SQLite can roll back DDL; Alembic just
doesn't assume it), so a migration that fails leaves nothing half-done and the ones before it
applied. On SQLite, foreign keys are switched off while migrations run, because a batch table
rebuild drops the old table, and with foreign keys on that drop deletes, or refuses to orphan,
the rows that point at it; each migration ends with `PRAGMA foreign_key_check` instead.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, MigrationInfo
from alembic.util import CommandError
from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from kwik.db.errors import reason
from kwik.migrations.errors import MigrationError, shown
from kwik.migrations.graph import VERSION_TABLE, Migration, MigrationGraph

__all__ = [
    "Step",
    "applied_revisions",
    "current_heads",
    "migrate_to_heads",
    "run_migrations",
    "run_migrations_sync",
]


@dataclass(frozen=True)
class Step:
    """One migration to apply (`upgrade`) or unapply."""

    migration: Migration
    upgrade: bool


LOCK_KEY = zlib.crc32(VERSION_TABLE.encode())
"""The PostgreSQL advisory lock `migrate` holds while it runs (any constant would do)."""

StepsCallback = Callable[[list[Step]], None]
StepCallback = Callable[[Step], None]


async def migrate_to_heads(connection: AsyncConnection) -> None:
    """Apply every installed app's migrations that `connection`'s database doesn't have yet.

    The project must be loaded (`kwik.setup()`). Give it a connection with no transaction begun:
    each migration commits on its own. Works on SQLite and PostgreSQL.

    Example:
        async with database().engine.connect() as connection:
            await migrate_to_heads(connection)
    """
    graph = MigrationGraph.load()
    graph.check_heads()
    await run_migrations(connection, graph, upgrade=True, destination="heads")


async def current_heads(connection: AsyncConnection) -> tuple[str, ...]:
    """The revision ids the database's `kwik_migrations` table holds (empty when it has none)."""
    return await connection.run_sync(_current_heads)


async def applied_revisions(connection: AsyncConnection, graph: MigrationGraph) -> set[str]:
    """Revision ids of every migration the database has applied, across apps."""
    return graph.applied(await current_heads(connection))


async def run_migrations(
    connection: AsyncConnection,
    graph: MigrationGraph,
    *,
    upgrade: bool,
    destination: str,
    fake: bool = False,
    on_plan: StepsCallback | None = None,
    on_step: StepCallback | None = None,
) -> list[Step]:
    """Move the database up (`upgrade`) or down to `destination`, an Alembic revision spec.

    `destination` is `heads`, `<label>@head`, `<label>@base` or a revision id. `fake` records
    each step in the version table without running it. `on_plan` receives the steps before the
    first runs; `on_step` each one as it completes, inside its transaction. Returns the steps done.
    """
    return await connection.run_sync(
        run_migrations_sync,
        graph,
        upgrade=upgrade,
        destination=destination,
        fake=fake,
        on_plan=on_plan,
        on_step=on_step,
    )


def _skip(**kwargs: Any) -> None:
    """A faked migration's body."""


def _current_heads(connection: Connection) -> tuple[str, ...]:
    started = not connection.in_transaction()
    try:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_heads()
    finally:
        if started and connection.in_transaction():
            connection.rollback()


def _ensure_version_table(connection: Connection) -> None:
    """Create `kwik_migrations` with room for kwik's long revision ids.

    Alembic's own version table holds 32 characters, too few for `<label>_<file stem>`; Alembic
    uses the table that is there, whatever the column's length.
    """
    table = Table(
        VERSION_TABLE,
        MetaData(),
        Column("version_num", String(255), nullable=False),
        PrimaryKeyConstraint("version_num", name=f"{VERSION_TABLE}_pkc"),
    )
    if connection.in_transaction():
        table.create(connection, checkfirst=True)
    else:
        with connection.begin():
            table.create(connection, checkfirst=True)


def run_migrations_sync(
    connection: Connection,
    graph: MigrationGraph,
    *,
    upgrade: bool,
    destination: str,
    fake: bool = False,
    on_plan: StepsCallback | None = None,
    on_step: StepCallback | None = None,
) -> list[Step]:
    """`run_migrations` on a sync connection (inside `AsyncConnection.run_sync`).

    `on_step` runs inside the step's transaction, so it sees what the step did.
    """
    planned: list[Step] = []
    done: list[Step] = []
    external = connection.in_transaction()

    def plan(heads: tuple[str, ...], context: MigrationContext) -> list[Any]:
        unknown = [head for head in heads if head not in graph]
        if unknown:
            raise MigrationError(
                f"The database has migration {unknown[0]!r} applied, but no installed app has it: "
                "was its app removed from INSTALLED_APPS, or the file deleted?"
            )
        try:
            if upgrade:
                steps: list[Any] = graph.script._upgrade_revs(destination, heads)
            else:
                steps = graph.script._downgrade_revs(destination, heads)
        except CommandError as exc:
            raise MigrationError(f"Cannot migrate to {destination!r}: {exc}") from exc
        steps = _in_app_order(graph, steps, upgrade=upgrade)
        for step in steps:
            if fake:
                step.migration_fn = _skip
            planned.append(Step(graph.get(step.revision.revision), upgrade))
        if on_plan is not None:
            on_plan(list(planned))
        return steps

    def applied(*, ctx: MigrationContext, step: MigrationInfo, **kwargs: Any) -> None:
        current = planned[len(done)]
        if check_foreign_keys and not fake:
            _check_foreign_keys(ctx, current)
        done.append(current)
        if on_step is not None:
            on_step(current)

    with _one_at_a_time(connection), _sqlite_foreign_keys_off(connection) as check_foreign_keys:
        _ensure_version_table(connection)
        environment = EnvironmentContext(Config(), graph.script, fn=plan)
        with environment:
            environment.configure(
                connection=connection,
                version_table=VERSION_TABLE,
                transaction_per_migration=True,
                transactional_ddl=True,
                on_version_apply=[applied],
            )
            try:
                with environment.begin_transaction():
                    environment.run_migrations()
            except MigrationError:
                raise
            except CommandError as exc:
                raise MigrationError(f"Cannot migrate to {destination!r}: {exc}") from exc
            except Exception as exc:
                failed = planned[len(done)] if len(done) < len(planned) else None
                raise _failure(failed, exc, rolled_back=not external) from exc
            finally:
                if not external and connection.in_transaction():
                    connection.rollback()
    return done


def _in_app_order(graph: MigrationGraph, steps: list[Any], *, upgrade: bool) -> list[Any]:
    """Alembic's steps reordered to follow INSTALLED_APPS where dependencies leave a choice.

    Any order that applies a migration after what it follows and depends on is valid; this one
    reads like the settings (catalog's migrations, then orders'), and is the same on every run.
    Unapplying goes in the reverse order.
    """
    by_revision = {step.revision.revision: step for step in steps}
    rank = {label: index for index, label in enumerate(graph.app_labels)}

    def key(revision: str) -> tuple[int, int, str]:
        migration = graph.get(revision)
        return rank[migration.app_label], migration.number or 0, migration.name

    needs = {
        revision: {
            other
            for other in (*graph.get(revision).parents, *graph.get(revision).dependencies)
            if other in by_revision
        }
        for revision in by_revision
    }
    order: list[str] = []
    while needs:
        ready = min((revision for revision, left in needs.items() if not left), key=key)
        order.append(ready)
        del needs[ready]
        for left in needs.values():
            left.discard(ready)
    return [by_revision[revision] for revision in (order if upgrade else reversed(order))]


@contextmanager
def _one_at_a_time(connection: Connection) -> Iterator[None]:
    """On PostgreSQL, one `migrate` at a time per database (an advisory lock).

    Deploys often start several processes that each migrate first; without the lock two of them
    plan the same migrations and the second fails half-way. The second waits instead, then finds
    nothing left to do. Inside a caller's transaction the lock lasts until it ends.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    if connection.in_transaction():
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
        yield
        return
    connection.exec_driver_sql(f"SELECT pg_advisory_lock({LOCK_KEY})")
    connection.commit()
    try:
        yield
    finally:
        with suppress(DBAPIError):  # a broken connection has lost its lock with its session
            if connection.in_transaction():
                connection.rollback()
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({LOCK_KEY})")
            connection.commit()


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[bool]:
    """On SQLite, foreign keys off while migrations run; yields whether to check them after each.

    The pragma is a no-op inside a transaction, so it goes to the driver connection directly
    (executing through SQLAlchemy would begin one first).
    """
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield False
        return
    raw = connection.connection

    def pragma(statement: str) -> Any:
        cursor = raw.cursor()
        try:
            cursor.execute(statement)
            return cursor.fetchone()
        finally:
            cursor.close()

    was_on = bool(pragma("PRAGMA foreign_keys")[0])
    pragma("PRAGMA foreign_keys=OFF")
    try:
        yield was_on
    finally:
        if was_on:
            pragma("PRAGMA foreign_keys=ON")


def _check_foreign_keys(context: MigrationContext, step: Step) -> None:
    connection = context.connection
    assert connection is not None
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, row, parent, _ = broken[0]
        raise MigrationError(
            f"Migration {shown(step.migration.path)} leaves {len(broken)} row(s) whose foreign "
            f"key points nowhere (first: {table} row {row} -> {parent}); it was rolled back. "
            "Delete or fix those rows in the migration before the constraint applies."
        )


def _failure(step: Step | None, exc: Exception, *, rolled_back: bool) -> MigrationError:
    reason = _first_line(exc)
    if step is None:
        return MigrationError(f"Migrating failed: {reason}")
    verb = "Applying" if step.upgrade else "Unapplying"
    outcome = (
        "It was rolled back; the migrations before it stay applied."
        if rolled_back
        else "The caller's transaction holds what it did."
    )
    return MigrationError(f"{verb} {shown(step.migration.path)} failed: {reason}. {outcome}")


def _first_line(exc: BaseException) -> str:
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return f"{type(cause).__name__}: {reason(exc)}"
