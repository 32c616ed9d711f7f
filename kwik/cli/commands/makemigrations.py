"""`kwik makemigrations [APP]...`: new migration files for what changed in the models.

The changes are found by comparing the models with a scratch database that has every migration
applied, never with the project's own database, so the files written depend only on the code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import click

import kwik
from kwik.migrations import (
    Made,
    MigrationFile,
    MigrationGraph,
    make_empty,
    make_merges,
    make_migrations,
)
from kwik.migrations.errors import shown

__all__ = ["makemigrations"]


async def _detect(graph: MigrationGraph, labels: Sequence[str], name: str | None) -> Made:
    from kwik.db import Model, database

    try:
        return await make_migrations(graph, Model.metadata, labels, name=name)
    finally:
        await database().dispose()


def _no_changes(labels: Sequence[str]) -> str:
    if not labels:
        return "No changes detected"
    quoted = ", ".join(f"'{label}'" for label in labels)
    return f"No changes detected in app{'s' if len(labels) > 1 else ''} {quoted}"


def _summary(file: MigrationFile) -> None:
    click.echo(f"Migrations for '{file.app_label}':")
    click.echo(f"  {shown(file.path)}")
    for line in file.summary:
        click.echo(f"    - {line}")


@click.command()
@click.argument("app_labels", nargs=-1, metavar="[APP]...")
@click.option("--name", "-n", metavar="NAME", help="Name the new migration (e.g. add_sku).")
@click.option("--empty", is_flag=True, help="Write an empty migration for APP, to fill in by hand.")
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 when models changed without a migration (for CI).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.option("--merge", is_flag=True, help="Join an app's parallel latest migrations.")
def makemigrations(
    app_labels: tuple[str, ...],
    name: str | None,
    empty: bool,
    check: bool,
    dry_run: bool,
    merge: bool,
) -> int:
    """Write migrations for the model changes of APP (default: every app)."""
    if sum((empty, merge, check)) > 1:
        raise click.UsageError("use one of --empty, --merge and --check at a time")
    kwik.setup()
    graph = MigrationGraph.load()
    if merge:
        made = make_merges(graph, app_labels, name=name)
    elif empty:
        made = make_empty(graph, app_labels, name=name)
    else:
        made = asyncio.run(_detect(graph, app_labels, name))
    for warning in made.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if not made.files:
        click.echo("No conflicts detected to merge." if merge else _no_changes(app_labels))
        return 0
    if check:
        for file in made.files:
            _summary(file)
        click.echo("Models have changes without migrations: run `kwik makemigrations`.", err=True)
        return 1
    for file in made.files:
        if not dry_run:
            file.write()
        _summary(file)
    if dry_run:
        for file in made.files:
            click.echo(f"\n# {shown(file.path)}\n{file.source}")
        return 0
    for label in made.unchanged:
        click.echo(_no_changes([label]))
    return 0
