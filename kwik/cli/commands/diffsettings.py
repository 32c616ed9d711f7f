"""`kwik diffsettings`: settings that differ from the defaults, and where each value comes from."""

from __future__ import annotations

import click

import kwik
from kwik.conf import settings

__all__ = ["diffsettings"]

_SECRET_NAMES = ("SECRET", "PASSWORD", "TOKEN", "KEY")


def _shown(name: str, value: object) -> str:
    if value and any(part in name for part in _SECRET_NAMES):
        return "'********'"
    return repr(value)


@click.command()
@click.option("--all", "show_all", is_flag=True, help="Show every setting; '###' marks defaults.")
def diffsettings(show_all: bool) -> None:
    """Show settings that differ from the defaults (secrets masked)."""
    kwik.setup()
    loaded = settings.unwrap()
    for name in loaded.names():
        value = getattr(loaded, name)
        is_default = value == loaded.default(name)
        if is_default and not show_all:
            continue
        comment = "###" if is_default else "#"
        click.echo(f"{name} = {_shown(name, value)}  {comment} {loaded.source(name)}")
