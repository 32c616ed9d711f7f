"""`kwik version`."""

from __future__ import annotations

import platform

import click

import kwik

__all__ = ["version"]


@click.command()
def version() -> None:
    """Print kwik's version (and Python's)."""
    click.echo(f"kwik {kwik.__version__} (Python {platform.python_version()})")
