"""What changed: the models compared with a database, the differences split by app.

Alembic's autogenerate compares `Model.metadata` with the database behind a connection (tables,
columns, types, nullability, server defaults, indexes, unique constraints, foreign keys). Kwik
runs it against a scratch database that holds exactly what the migrations create, then gives
each difference to the app that owns its table: the app a model's table belongs to
(`table.info["app_label"]`), or for a table no model has any more, the app whose migration
created it. On PostgreSQL it also finds the enum types the new columns need that the database
lacks: the app's migration creates them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alembic.autogenerate import produce_migrations
from alembic.operations import ops
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Enum, ForeignKey, ForeignKeyConstraint, MetaData, inspect
from sqlalchemy.dialects.postgresql.base import PGInspector
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from kwik.migrations.describe import table_of
from kwik.migrations.errors import MigrationError
from kwik.migrations.graph import VERSION_TABLE

__all__ = ["Changes", "detect_changes", "in_dependency_order"]


@dataclass
class Changes:
    """Differences between the models and the database, by app label."""

    context: MigrationContext
    """The comparison's context; new migrations are rendered in its dialect."""
    operations: dict[str, list[ops.MigrateOperation]] = field(default_factory=dict)
    references: dict[str, set[str]] = field(default_factory=dict)
    """For each app, the apps whose tables its changes point foreign keys at."""
    unowned: list[str] = field(default_factory=list)
    """Tables of the models that no installed app owns, left out of the comparison."""
    new_enums: dict[str, list[Enum]] = field(default_factory=dict)
    """For each app, the enum types its new columns use that the database lacks (PostgreSQL)."""


class _Owners:
    """Which app a table belongs to."""

    def __init__(self, metadata: MetaData, created: Mapping[str, str], labels: Collection[str]):
        self.metadata = metadata
        self.created = created
        self.labels = sorted(labels, key=len, reverse=True)

    def __call__(self, table: str) -> str | None:
        model_table = self.metadata.tables.get(table)
        if model_table is not None and model_table.info.get("app_label"):
            return str(model_table.info["app_label"])
        if table in self.created:
            return self.created[table]
        # A Table() on Model.metadata without app_label (a many-to-many association table):
        # the app whose label prefixes its name, as kwik names tables.
        return next((label for label in self.labels if table.startswith(f"{label}_")), None)


def detect_changes(
    connection: Connection,
    metadata: MetaData,
    *,
    created: Mapping[str, str],
    managed: Collection[str],
    installed: Collection[str],
) -> Changes:
    """Compare `metadata` with `connection`'s database, for the tables of the `managed` apps.

    `created` maps each table in the database to the app whose migration created it.
    """
    owner_of = _Owners(metadata, created, installed)
    unowned = sorted(name for name in metadata.tables if owner_of(name) is None)

    def include_object(item: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
        if kind == "table":
            return name != VERSION_TABLE and owner_of(name or "") in managed
        return True

    context = MigrationContext.configure(
        connection,
        opts={
            "target_metadata": metadata,
            "compare_type": True,
            "compare_server_default": True,
            "include_object": include_object,
            "render_as_batch": True,
        },
    )
    script = produce_migrations(context, metadata)
    changes = Changes(context, unowned=unowned)
    assert script.upgrade_ops is not None
    for op in script.upgrade_ops.ops:
        table = table_of(op)
        label = owner_of(table) if table else None
        if label is None:
            raise MigrationError(f"Cannot tell which app this change belongs to: {op!r}")
        changes.operations.setdefault(label, []).append(op)
        for referenced in _referenced_tables(op):
            other = owner_of(referenced)
            if other is not None and other != label:
                changes.references.setdefault(label, set()).add(other)
    inspector = inspect(connection)
    if isinstance(inspector, PGInspector):
        existing = {enum["name"] for enum in inspector.get_enums()}
        for label, operations in changes.operations.items():
            new = {enum.name: enum for enum in _new_column_enums(operations)}
            new = {name: enum for name, enum in new.items() if name not in existing}
            if new:
                changes.new_enums[label] = list(new.values())
    return changes


def _new_column_enums(operations: Iterable[ops.MigrateOperation]) -> list[Enum]:
    """The named enum types of the columns the operations add, tables included."""
    found: list[Enum] = []
    for op in operations:
        columns: list[Column[Any]] = []
        if isinstance(op, ops.OpContainer):
            found.extend(_new_column_enums(op.ops))
        elif isinstance(op, ops.AddColumnOp):
            columns = [op.column]
        elif isinstance(op, ops.CreateTableOp):
            columns = [item for item in op.columns if isinstance(item, Column)]
        for column in columns:
            kind = column.type
            while isinstance(kind, TypeDecorator):
                kind = kind.impl_instance
            if isinstance(kind, Enum) and kind.native_enum and kind.name:
                found.append(kind)
    return found


def _referenced_tables(op: ops.MigrateOperation) -> set[str]:
    """Tables the operation's new foreign keys point at."""
    if isinstance(op, ops.OpContainer):
        return {table for child in op.ops for table in _referenced_tables(child)}
    if isinstance(op, ops.CreateForeignKeyOp):
        return {op.referent_table}
    keys: list[ForeignKey] = []
    if isinstance(op, ops.AddColumnOp):
        keys.extend(op.column.foreign_keys)
    elif isinstance(op, ops.CreateTableOp):
        for item in op.columns:
            if isinstance(item, Column):
                keys.extend(item.foreign_keys)
            elif isinstance(item, ForeignKeyConstraint):
                keys.extend(item.elements)
    return {key.target_fullname.rsplit(".", 2)[-2] for key in keys}


def in_dependency_order(
    labels: Sequence[str], references: Mapping[str, Iterable[str]]
) -> list[str]:
    """`labels` ordered so an app comes after the apps its foreign keys point at.

    Apps keep their given (INSTALLED_APPS) order where foreign keys don't decide.
    """
    ordered: list[str] = []

    def visit(label: str, path: tuple[str, ...]) -> None:
        if label in ordered:
            return
        if label in path:
            cycle = " -> ".join((*path[path.index(label) :], label))
            raise MigrationError(
                f"New tables point foreign keys at each other across apps ({cycle}). Make the "
                "migrations in two steps: first without one of the foreign keys, then add it."
            )
        others = [other for other in references.get(label, ()) if other in labels]
        for other in sorted(others, key=labels.index):
            if other != label:
                visit(other, (*path, label))
        ordered.append(label)

    for label in labels:
        visit(label, ())
    return ordered
