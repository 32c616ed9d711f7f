"""`kwik check`: system checks, for people and for CI gates."""

from __future__ import annotations

import click

import kwik
from kwik.checks import LEVELS, format_report, run_checks

__all__ = ["check"]


@click.command()
@click.option("--deploy", is_flag=True, help="Also check that the project is ready for production.")
@click.option(
    "--fail-level",
    type=click.Choice(list(LEVELS), case_sensitive=False),
    default="ERROR",
    show_default=True,
    help="Exit non-zero when a finding is at least this severe.",
)
def check(deploy: bool, fail_level: str) -> int:
    """Check settings, apps and routes for problems; exit 1 when any is serious."""
    kwik.setup()
    found = run_checks(deploy=deploy)
    failed = any(message.level >= LEVELS[fail_level.upper()] for message in found)
    click.echo(format_report(found), err=failed)
    return 1 if failed else 0
