"""Migrations: Django's per-app workflow (`makemigrations`, `migrate`) on Alembic.

Each app keeps its migrations in `<app>/migrations/` as one Alembic branch labelled with the
app's label; migrations of different apps depend on each other where foreign keys cross apps.
The commands are thin layers over the functions here, which tests and fixtures call directly.

Example (a test database fixture):
    async with kwik.db.database().engine.connect() as connection:
        await kwik.migrations.migrate_to_heads(connection)
"""

from __future__ import annotations

from kwik.migrations.errors import MigrationError
from kwik.migrations.graph import VERSION_TABLE, ZERO, Migration, MigrationGraph, Target
from kwik.migrations.hooks import run_post_migrate
from kwik.migrations.make import Made, make_empty, make_merges, make_migrations
from kwik.migrations.runner import (
    Plan,
    Step,
    applied_revisions,
    current_heads,
    migrate_to_heads,
    run_migrations,
)
from kwik.migrations.sql import migration_sql
from kwik.migrations.writer import MigrationFile

__all__ = [
    "VERSION_TABLE",
    "ZERO",
    "Made",
    "Migration",
    "MigrationError",
    "MigrationFile",
    "MigrationGraph",
    "Plan",
    "Step",
    "Target",
    "applied_revisions",
    "current_heads",
    "make_empty",
    "make_merges",
    "make_migrations",
    "migrate_to_heads",
    "migration_sql",
    "run_migrations",
    "run_post_migrate",
]
