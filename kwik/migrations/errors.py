"""`MigrationError`: a migration can't be made, found or run."""

from __future__ import annotations

from pathlib import Path

from kwik.exceptions import KwikError

__all__ = ["MigrationError", "shown"]


class MigrationError(KwikError):
    """The message names the app or migration at fault and what to do; the CLI prints it as is."""


def shown(path: Path) -> str:
    """`path` as messages show it: relative to the working directory when it is under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
