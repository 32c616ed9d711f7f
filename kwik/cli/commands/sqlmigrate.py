"""`kwik sqlmigrate APP REVISION`: the SQL a migration runs, for the project's database."""

from __future__ import annotations

import click

import kwik
from kwik.migrations import MigrationGraph, migration_sql

__all__ = ["sqlmigrate"]


@click.command()
@click.argument("app")
@click.argument("revision")
@click.option("--backwards", is_flag=True, help="The SQL that unapplies the migration.")
def sqlmigrate(app: str, revision: str, backwards: bool) -> None:
    """Print the SQL of migration REVISION of APP (0002, say), without running it."""
    from kwik.db import database

    kwik.setup()
    graph = MigrationGraph.load()
    graph.check_app(app)
    migration = graph.resolve(app, revision)
    click.echo(migration_sql(migration, database().url, backwards=backwards))
