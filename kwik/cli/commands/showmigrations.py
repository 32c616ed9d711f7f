"""`kwik showmigrations [APP]...`: each app's migrations, `[X]` where the database has them."""

from __future__ import annotations

import asyncio

import click

import kwik
from kwik.migrations import MigrationGraph, applied_revisions

__all__ = ["showmigrations"]


async def _applied(graph: MigrationGraph) -> set[str]:
    from kwik.db import database

    db = database()
    try:
        await db.check_connection()
        async with db.engine.connect() as connection:
            return await applied_revisions(connection, graph)
    finally:
        await db.dispose()


@click.command()
@click.argument("app_labels", nargs=-1, metavar="[APP]...")
def showmigrations(app_labels: tuple[str, ...]) -> None:
    """List the migrations of APP (default: every app), marking applied ones [X]."""
    kwik.setup()
    graph = MigrationGraph.load()
    for label in app_labels:
        graph.check_app(label)
    labels = list(app_labels) or [
        config.label
        for config in graph.configs.values()
        if graph.migrations(config.label) or config.get_models()
    ]
    applied = asyncio.run(_applied(graph))
    for label in labels:
        click.echo(label)
        migrations = graph.migrations(label)
        if not migrations:
            click.echo(" (no migrations)")
        for migration in migrations:
            mark = "X" if migration.revision in applied else " "
            click.echo(f" [{mark}] {migration.name}")
