"""Integrity errors as 409 problems that name the field, on PostgreSQL and on SQLite.

PostgreSQL (asyncpg) names the constraint that failed; kwik's naming convention
(`uq_<table>_<cols>`, `fk_<table>_<cols>_<referred>`) makes every name unique and predictable, so
the constraint is found in the metadata by its name alone and its columns mapped back to model
fields. SQLite only has a message ("UNIQUE constraint failed: shop_product.sku"); for foreign keys
it names nothing, so the fields are the foreign keys the write set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, ForeignKeyConstraint, MetaData, Table
from sqlalchemy.exc import IntegrityError

from kwik.db.crud.errors import Conflict
from kwik.db.errors import reason

__all__ = ["conflict_from"]

_PG_REASONS = {"23505": "unique", "23503": "foreign_key", "23502": "not_null", "23514": "check"}
_SQLITE = re.compile(r"(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?:: (.+))?")
_SQLITE_REASONS = {
    "UNIQUE": "unique",
    "FOREIGN KEY": "foreign_key",
    "NOT NULL": "not_null",
    "CHECK": "check",
}


def _named(metadata: MetaData, name: str | None) -> Any:
    """The constraint or index called `name`, if the metadata has it."""
    for table in metadata.tables.values():
        for constraint in (*table.constraints, *table.indexes):
            if name and constraint.name == name:
                return constraint
    return None


def _columns(metadata: MetaData, names: Iterable[str]) -> list[Column[Any]]:
    """The columns named `table.column` that the metadata has."""
    found = []
    for name in names:
        table_name, _, column = name.strip().rpartition(".")
        table = metadata.tables.get(table_name)
        if table is not None and column in table.c:
            found.append(table.c[column])
    return found


class _Names:
    """Model and field names for tables and columns, as a person reading the 409 knows them."""

    def __init__(self, model: type[Any]) -> None:
        mappers = model.registry.mappers
        self.models = {mapper.local_table: mapper.class_.__name__ for mapper in mappers}
        self.fields = {column: key for m in mappers for key, column in m.columns.items()}

    def model(self, table: Table) -> str:
        return self.models.get(table, table.name)

    def field(self, column: Column[Any]) -> str:
        return str(self.fields.get(column, column.name))


def _foreign_keys(
    table: Table, action: str, data: Mapping[str, Any] | None, names: _Names
) -> list[ForeignKeyConstraint]:
    """The foreign keys that may have failed when the database doesn't say which: those that
    refer to the table for a delete, else those of the table the write set (or all of them)."""
    if action == "delete":
        return [
            key
            for other in table.metadata.sorted_tables
            for key in other.foreign_key_constraints
            if key.referred_table is table
        ]
    keys = sorted(table.foreign_key_constraints, key=lambda key: key.name or "")
    written = [
        key
        for key in keys
        if data is None or any(data.get(names.field(column)) is not None for column in key.columns)
    ]
    return written or keys


def _failed(
    exc: IntegrityError, metadata: MetaData
) -> tuple[str | None, str | None, Any, list[Any]]:
    """What the database refused: the kind of constraint, its name and the constraint itself
    when known, and its columns."""
    error = getattr(exc.orig, "__cause__", None) or exc.orig
    if getattr(error, "sqlstate", None):
        kind = _PG_REASONS.get(str(error.sqlstate))
        name = getattr(error, "constraint_name", None)
        constraint = _named(metadata, name)
        if constraint is not None:
            return kind, name, constraint, list(constraint.columns)
        column = f"{getattr(error, 'table_name', '')}.{getattr(error, 'column_name', '')}"
        return kind, name, None, _columns(metadata, [column])  # not null: a column, no name
    match = _SQLITE.search(str(exc.orig))
    if match is None:
        return None, None, None, []
    kind, listed = _SQLITE_REASONS[match.group(1)], match.group(2) or ""
    if kind == "check":
        return kind, listed.strip(), None, []
    return kind, None, None, _columns(metadata, listed.split(","))


def conflict_from(
    exc: IntegrityError, model: type[Any], action: str, data: Mapping[str, Any] | None = None
) -> Conflict:
    """The 409 for an IntegrityError raised while `action` ("create", "update", "delete") wrote
    `data` (the fields given, when one row was written) to `model`."""
    table: Table = model.__table__
    kind, name, constraint, columns = _failed(exc, table.metadata)
    names = _Names(model)
    fields = [names.field(column) for column in columns]
    joined = " and ".join(fields)
    if kind == "unique":
        detail = f"A {model.__name__} with these values already exists"
        if fields:
            must = f"{joined} must be unique{' together' if len(fields) > 1 else ''}"
            detail = f"A {model.__name__} with this {joined} already exists ({must})"
        return Conflict(detail, reason="unique", fields=fields, constraint=name)
    if kind == "not_null":
        detail = f"{model.__name__}.{joined or 'a field'} is required: it can't be null"
        return Conflict(detail, reason="not_null", fields=fields)
    if kind == "check":
        detail = f"{model.__name__} fails the check {name}"
        return Conflict(detail, reason="check", constraint=name)
    if kind != "foreign_key":
        detail = f"The database refused this {action} of a {model.__name__}: {reason(exc)}"
        return Conflict(detail, reason="integrity")
    keys = [constraint] if isinstance(constraint, ForeignKeyConstraint) else []
    keys = keys or _foreign_keys(table, action, data, names)
    if action == "delete" or any(key.table is not table for key in keys):
        by = ", ".join(
            f"{names.model(key.table)}.{', '.join(names.field(c) for c in key.columns)}"
            for key in keys
        )
        detail = (
            f"This {model.__name__} is still referenced by {by or 'other rows'}; delete or "
            "change those rows first"
        )
        return Conflict(detail, reason="referenced", constraint=name)
    fields = [names.field(column) for key in keys for column in key.columns]
    given = data or {}
    described = ", ".join(
        f"{field}={given[field]!r}" if field in given else field for field in fields
    )
    targets = {names.model(key.referred_table) for key in keys}
    target = f"a {targets.pop()}" if len(targets) == 1 else "a row"
    detail = f"{described or 'A foreign key'} refers to {target} that does not exist"
    return Conflict(detail, reason="foreign_key", fields=fields, constraint=name)
