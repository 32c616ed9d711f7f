"""`kwik migrate [APP [REVISION|zero]]`: apply or unapply migrations on the project's database.

System checks run first, as for runserver: a project with errors is not migrated. Each app's
`post_migrate` hook runs after the migrations, even when there were none to apply.
"""

from __future__ import annotations

import asyncio

import click

import kwik
from kwik.checks import format_report, run_checks
from kwik.cli.errors import CommandError
from kwik.migrations import MigrationGraph, Plan, Step, Target, run_migrations
from kwik.migrations.checks import CHECK_IDS
from kwik.migrations.hooks import run_post_migrate

__all__ = ["migrate"]


async def _migrate(graph: MigrationGraph, target: Target, fake: bool) -> None:
    from kwik.db import database

    app = target.app_label

    def planned(plan: Plan) -> None:
        click.echo("Operations to perform:")
        click.echo(f"  {plan.description}")
        click.echo("Running migrations:")
        if not plan.steps:
            click.echo("  No migrations to apply.")
            return
        others = [str(s.migration) for s in plan.steps if s.migration.app_label != app]
        if app is not None and others:
            listed = ", ".join(others)
            if plan.upgrade:
                click.echo(f"  Also applying {listed}, which {app} depends on.")
            else:
                verb = "depends" if len(others) == 1 else "depend"
                click.echo(f"  Also unapplying {listed}, which {verb} on {app}.")

    def done(step: Step) -> None:
        verb = "Applying" if step.upgrade else "Unapplying"
        click.echo(f"  {verb} {step.migration}... {'FAKED' if fake else 'OK'}")

    db = database()
    try:
        await db.check_connection()
        async with db.engine.connect() as connection:
            await run_migrations(
                connection, graph, target, fake=fake, on_plan=planned, on_step=done
            )
            await run_post_migrate(connection)
    finally:
        await db.dispose()


@click.command()
@click.argument("app", required=False, metavar="[APP")
@click.argument("revision", required=False, metavar="[REVISION|zero]]")
@click.option(
    "--fake", is_flag=True, help="Record migrations as applied (or unapplied) without running them."
)
@click.option("--skip-checks", is_flag=True, help="Migrate even when system checks find errors.")
def migrate(app: str | None, revision: str | None, fake: bool, skip_checks: bool) -> None:
    """Apply migrations: all, APP's, or APP's up (or back) to REVISION; `zero` unapplies APP."""
    kwik.setup()
    if not skip_checks:  # less the migration checks: what they report is what migrate is about
        found = [message for message in run_checks() if message.id not in CHECK_IDS]
        if found:
            click.echo(format_report(found), err=True)
        if any(message.is_serious for message in found):
            raise CommandError("System checks found errors; fix them, or pass --skip-checks")
    graph = MigrationGraph.load()
    target = graph.target(app, revision)
    for label in graph.unmigrated():
        click.echo(
            f"Warning: app '{label}' has models but no migrations; its tables are not created. "
            f"Run `kwik makemigrations {label}`.",
            err=True,
        )
    asyncio.run(_migrate(graph, target, fake))
