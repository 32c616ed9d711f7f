"""Running migrations on a live connection: to every app's latest, to one migration, or zero.

Alembic is driven directly (no alembic.ini, no env.py): an `EnvironmentContext` over the project's
`ScriptDirectory`, configured on the sync face of an `AsyncConnection` inside `run_sync`.

One run at a time per database, so processes that each migrate at start-up apply each migration
once: on PostgreSQL a run holds an advisory lock; on SQLite it is one transaction, begun with
`BEGIN IMMEDIATE` (kwik's engine does), which holds the write lock. The plan, including which way
to go to a named migration, is made once the lock is held, from the heads the database has then.

Each migration is atomic: on PostgreSQL it runs in a transaction of its own, on SQLite in a
savepoint of the run's transaction. A migration that fails is rolled back and the ones before it
stay applied. On SQLite, foreign keys are off while migrations run, because a batch table rebuild
drops the old table, and with foreign keys on that drop deletes, or refuses to orphan, the rows
that point at it; each migration ends with `PRAGMA foreign_key_check` instead. SQLite can't
switch foreign keys off inside a transaction, so a connection already in one is refused.
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
from sqlalchemy.engine import Connection, NestedTransaction
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from kwik.db.errors import reason
from kwik.migrations.errors import MigrationError, shown
from kwik.migrations.graph import VERSION_TABLE, Migration, MigrationGraph, Target

__all__ = [
    "Plan",
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


@dataclass(frozen=True)
class Plan:
    """What a run does, decided once it holds the lock: which way, in words, and the steps."""

    upgrade: bool
    description: str
    steps: list[Step]


LOCK_KEY = zlib.crc32(VERSION_TABLE.encode())
"""The PostgreSQL advisory lock `migrate` holds while it runs (any constant would do)."""

PlanCallback = Callable[[Plan], None]
StepCallback = Callable[[Step], None]


async def migrate_to_heads(connection: AsyncConnection) -> None:
    """Apply every installed app's migrations that `connection`'s database doesn't have yet,
    then run the apps' `post_migrate` hooks (see `kwik.migrations.hooks`).

    The project must be loaded (`kwik.setup()`). Give it a connection with no transaction begun:
    each migration commits on its own. Works on SQLite and PostgreSQL.

    Example:
        async with database().engine.connect() as connection:
            await migrate_to_heads(connection)
    """
    from kwik.migrations.hooks import run_post_migrate  # hooks imports this module's lock key

    graph = MigrationGraph.load()
    await run_migrations(connection, graph, graph.target())
    await run_post_migrate(connection)


async def current_heads(connection: AsyncConnection) -> tuple[str, ...]:
    """The revision ids the database's `kwik_migrations` table holds (empty when it has none)."""
    return await connection.run_sync(_current_heads)


async def applied_revisions(connection: AsyncConnection, graph: MigrationGraph) -> set[str]:
    """Revision ids of every migration the database has applied, across apps."""
    return graph.applied(await current_heads(connection))


async def run_migrations(
    connection: AsyncConnection,
    graph: MigrationGraph,
    target: Target,
    *,
    fake: bool = False,
    on_plan: PlanCallback | None = None,
    on_step: StepCallback | None = None,
) -> list[Step]:
    """Move the database to `target` (from `graph.target(app, revision)`).

    `fake` records each step in the version table without running it. `on_plan` receives the
    plan before the first step runs; `on_step` each step as it completes, inside its transaction
    (so it sees what the step did). Returns the steps done.
    """
    return await connection.run_sync(
        run_migrations_sync, graph, target, fake=fake, on_plan=on_plan, on_step=on_step
    )


def run_migrations_sync(
    connection: Connection,
    graph: MigrationGraph,
    target: Target,
    *,
    fake: bool = False,
    on_plan: PlanCallback | None = None,
    on_step: StepCallback | None = None,
) -> list[Step]:
    """`run_migrations` on a sync connection (inside `AsyncConnection.run_sync`)."""
    run = _Run(connection, graph, target, fake=fake, on_plan=on_plan, on_step=on_step)
    with _sqlite_foreign_keys_off(connection, fake=fake) as check, _one_at_a_time(connection):
        run.check_foreign_keys = check
        _ensure_version_table(connection)
        environment = EnvironmentContext(Config(), graph.script, fn=run.plan)
        with environment:
            environment.configure(
                connection=connection,
                version_table=VERSION_TABLE,
                transaction_per_migration=True,
                transactional_ddl=True,
                on_version_apply=[run.applied],
            )
            try:
                with environment.begin_transaction():
                    environment.run_migrations()
            except BaseException as exc:
                run.roll_back_step()
                if isinstance(exc, CommandError):
                    raise MigrationError(f"Cannot migrate: {exc}") from exc
                if isinstance(exc, MigrationError) or not isinstance(exc, Exception):
                    raise
                raise run.failure(exc) from exc
    return run.done


def _skip(**kwargs: Any) -> None:
    """A faked migration's body."""


class _Run:
    """One run: the plan Alembic asks for, and the steps as Alembic reports them done."""

    def __init__(
        self,
        connection: Connection,
        graph: MigrationGraph,
        target: Target,
        *,
        fake: bool,
        on_plan: PlanCallback | None,
        on_step: StepCallback | None,
    ) -> None:
        self.connection = connection
        self.graph = graph
        self.target = target
        self.fake = fake
        self.on_plan = on_plan
        self.on_step = on_step
        self.external = connection.in_transaction()
        self.check_foreign_keys = False
        self.planned: list[Step] = []
        self.done: list[Step] = []
        self._savepoint: NestedTransaction | None = None

    def plan(self, heads: tuple[str, ...], context: MigrationContext) -> list[Any]:
        """Alembic's steps to the target from `heads`, read with the lock held."""
        unknown = [head for head in heads if head not in self.graph]
        if unknown:
            raise MigrationError(
                f"The database has migration {unknown[0]!r} applied, but no installed app has it: "
                "was its app removed from INSTALLED_APPS, or the file deleted?"
            )
        upgrade, destination = self.target.way(self.graph, self.graph.applied(heads))
        script = self.graph.script
        try:
            # No public Alembic API plans a move between revisions; pyproject.toml pins Alembic.
            if upgrade:
                steps: list[Any] = script._upgrade_revs(destination, heads)
            else:
                steps = script._downgrade_revs(destination, heads)
        except CommandError as exc:
            raise MigrationError(f"Cannot migrate to {destination!r}: {exc}") from exc
        steps = _in_app_order(self.graph, steps, upgrade=upgrade)
        in_savepoints = self.connection.dialect.name == "sqlite"
        for step in steps:
            body = _skip if self.fake else step.migration_fn
            step.migration_fn = self._in_savepoint(body) if in_savepoints else body
            self.planned.append(Step(self.graph.get(step.revision.revision), upgrade))
        if self.on_plan is not None:
            description = self.target.describe(self.graph, upgrade)
            self.on_plan(Plan(upgrade, description, list(self.planned)))
        return steps

    def _in_savepoint(self, body: Callable[..., None]) -> Callable[..., None]:
        """`body` run in a savepoint, which `applied` releases once the step is recorded."""

        def run(**kwargs: Any) -> None:
            self._savepoint = self.connection.begin_nested()
            body(**kwargs)

        return run

    def applied(self, *, ctx: MigrationContext, step: MigrationInfo, **kwargs: Any) -> None:
        """Alembic's callback after each step, inside the step's transaction."""
        current = self.planned[len(self.done)]
        if self.check_foreign_keys and not self.fake:
            _check_foreign_keys(ctx, current)
        if self.on_step is not None:
            self.on_step(current)
        if self._savepoint is not None:
            self._savepoint.commit()
            self._savepoint = None
        self.done.append(current)

    def roll_back_step(self) -> None:
        """Undo the step that failed, on SQLite (elsewhere its transaction is rolled back)."""
        if self._savepoint is not None and self._savepoint.is_active:
            self._savepoint.rollback()
        self._savepoint = None

    def failure(self, exc: Exception) -> MigrationError:
        cause = f"{type(exc).__name__}: {reason(exc)}"
        if len(self.done) == len(self.planned):
            return MigrationError(f"Migrating failed: {cause}")
        step = self.planned[len(self.done)]
        verb = "Applying" if step.upgrade else "Unapplying"
        outcome = (
            "The caller's transaction holds what it did."
            if self.external
            else "It was rolled back; the migrations before it stay applied."
        )
        return MigrationError(f"{verb} {shown(step.migration.path)} failed: {cause}. {outcome}")


def _in_app_order(graph: MigrationGraph, steps: list[Any], *, upgrade: bool) -> list[Any]:
    """Alembic's steps reordered to follow INSTALLED_APPS where dependencies leave a choice.

    Alembic's own order is valid but walks its branches from the last app's, so `migrate`
    would apply orders' first migration before catalog's. This one reads like the settings and
    is the same on every run; unapplying goes in the reverse order.
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


@contextmanager
def _one_at_a_time(connection: Connection) -> Iterator[None]:
    """One run at a time per database, from before the plan to the last step.

    Deploys often start several processes that each migrate first; without a lock two of them
    plan the same migrations and the second fails half-way. The second waits instead, then finds
    nothing left to do. In a caller's transaction the lock lasts until that transaction ends.
    """
    postgresql = connection.dialect.name == "postgresql"
    if connection.in_transaction():
        if postgresql:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
        yield  # on SQLite, kwik's engine began the caller's transaction with the write lock
        return
    if connection.dialect.name == "sqlite":
        transaction = connection.begin()  # BEGIN IMMEDIATE: the write lock, until the commit
        try:
            yield
        finally:
            transaction.commit()  # the steps done; a failed step's savepoint is rolled back
        return
    if postgresql:
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({LOCK_KEY})")
        connection.commit()
    try:
        yield
    finally:
        with suppress(DBAPIError):  # a broken connection has lost its lock with its session
            if connection.in_transaction():
                connection.rollback()
            if postgresql:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({LOCK_KEY})")
                connection.commit()


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection, *, fake: bool) -> Iterator[bool]:
    """On SQLite, foreign keys off while migrations run; yields whether to check them after each.

    The pragma is a no-op inside a transaction, so it goes to the driver connection directly
    (executing through SQLAlchemy would begin one first), and a connection already in a
    transaction with foreign keys on is refused: a table rebuild would delete, through ON DELETE
    CASCADE, the rows that point at the table.
    """
    if connection.dialect.name != "sqlite":
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
    if connection.in_transaction():
        if was_on and not fake:
            raise MigrationError(
                "On SQLite, migrations run with foreign keys off (a table rebuild would otherwise "
                "delete the rows that point at it), and SQLite can't switch them off inside a "
                "transaction: pass a connection with no transaction begun"
            )
        yield False
        return
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
