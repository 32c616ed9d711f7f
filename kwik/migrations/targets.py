"""Where `migrate [APP [REVISION|zero]]` goes: the Alembic destination, and which way.

A user names a migration the way its file is named (`0002`, `0002_product_sku`) and kwik finds
out whether that means applying up to it or unapplying what came after it, from what the
database has applied. Alembic moves other apps along where dependencies require it: applying a
migration applies what it depends on, and unapplying one unapplies what depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kwik.migrations.errors import MigrationError
from kwik.migrations.graph import MigrationGraph

__all__ = ["ZERO", "Target", "resolve_target"]

ZERO = "zero"
"""The REVISION that means "before the app's first migration"."""


@dataclass(frozen=True)
class Target:
    """An Alembic destination (`heads`, `catalog@head`, `catalog@base` or a revision id)."""

    upgrade: bool
    destination: str
    description: str
    app_label: str | None = None


def resolve_target(
    graph: MigrationGraph, applied: set[str], app: str | None = None, revision: str | None = None
) -> Target:
    """The destination of `migrate APP REVISION`, given the revision ids the database has."""
    if app is None:
        labels = ", ".join(label for label in graph.app_labels if graph.migrations(label))
        return Target(True, "heads", f"Apply all migrations: {labels or '(none)'}")
    graph.check_app(app)
    migrations = graph.migrations(app)
    if not migrations:
        raise MigrationError(
            f"App {app!r} has no migrations: run `kwik makemigrations {app}` to make its first"
        )
    graph.check_heads([app])
    if revision is None:
        return Target(True, f"{app}@head", f"Apply all migrations of {app}", app)
    if revision == ZERO:
        return Target(False, f"{app}@base", f"Unapply all migrations of {app}", app)
    target = graph.resolve(app, revision, hint=f" (or {ZERO}, to unapply them all)")
    if target.revision not in applied:
        return Target(True, target.revision, f"Apply {app} up to {target.name}", app)
    later = [
        m
        for m in migrations
        if m.revision in applied
        and m.revision != target.revision
        and target.revision in graph.applied([m.revision])
    ]
    if later:
        return Target(False, target.revision, f"Unapply {app} back to {target.name}", app)
    return Target(True, target.revision, f"Apply {app} up to {target.name}", app)
