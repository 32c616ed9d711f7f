"""The SQL of one migration, for the project's database, without running it (`sqlmigrate`).

Alembic's offline mode renders each operation as SQL text instead of executing it. What needs
the live database can't be rendered: on SQLite a batch operation that rebuilds a table reads the
table's current definition first, so such migrations are reported rather than guessed at.
"""

from __future__ import annotations

import io

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy.engine import URL

from kwik.migrations.errors import MigrationError
from kwik.migrations.graph import VERSION_TABLE, Migration

__all__ = ["migration_sql"]


def migration_sql(migration: Migration, url: URL, *, backwards: bool = False) -> str:
    """The SQL that applies (or with `backwards`, unapplies) `migration` on `url`'s dialect."""
    buffer = io.StringIO()
    context = MigrationContext.configure(
        url=url,
        opts={
            "as_sql": True,
            "output_buffer": buffer,
            "literal_binds": True,
            "transactional_ddl": True,
            "version_table": VERSION_TABLE,
        },
    )
    module = migration.script.module
    function = module.downgrade if backwards else module.upgrade
    try:
        with Operations.context(context), context.begin_transaction():
            function()
    except CommandError as exc:
        if "cannot proceed in --sql mode" in str(exc):
            raise MigrationError(
                f"Migration {migration} can't be shown as SQL for {url.get_backend_name()}: it "
                "rebuilds a table, which needs the live database to read the table from. "
                "`kwik migrate` runs it."
            ) from exc
        raise MigrationError(f"Cannot render migration {migration} as SQL: {exc}") from exc
    return buffer.getvalue().strip()
