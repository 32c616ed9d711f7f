"""Integrity errors as 409 problems that name the field, on PostgreSQL and on SQLite.

PostgreSQL (asyncpg) says which constraint failed; kwik's naming convention
(`uq_<table>_<cols>`, `fk_<table>_<cols>_<referred>`) means the constraint is found in the
metadata and its columns mapped back to model fields. SQLite only has a message ("UNIQUE
constraint failed: shop_product.sku"); for foreign keys it names nothing, so the fields are the
foreign keys the write set.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Column, ForeignKeyConstraint, Table
from sqlalchemy.exc import IntegrityError

from kwik.db.crud.errors import Conflict

__all__ = ["conflict_from"]

_SQLITE = {
    "unique": re.compile(r"UNIQUE constraint failed: (.+)"),
    "not_null": re.compile(r"NOT NULL constraint failed: (.+)"),
    "check": re.compile(r"CHECK constraint failed: (.+)"),
    "foreign_key": re.compile(r"FOREIGN KEY constraint failed"),
}
_PG_REASONS = {"23505": "unique", "23503": "foreign_key", "23502": "not_null", "23514": "check"}
_PG_KEY = re.compile(r"Key \((.+?)\)=")


class _Model:
    """What messages need to know about the model being written."""

    def __init__(self, model: type[Any]) -> None:
        self.cls = model
        self.name = model.__name__
        self.table: Table = model.__table__
        self.classes = {mapper.local_table: mapper.class_ for mapper in model.registry.mappers}

    def field(self, column: Column[Any]) -> str:
        """The attribute name of one of the model's columns (it may differ from the column's)."""
        if column.table is self.table:
            for key, mapped in self.cls.__mapper__.columns.items():
                if mapped is column:
                    return str(key)
        return column.name

    def fields_named(self, table_name: str, column_names: Collection[str]) -> list[str]:
        if table_name != self.table.name:
            return list(column_names)
        return [
            self.field(self.table.c[name]) if name in self.table.c else name
            for name in column_names
        ]

    def class_name(self, table: Table) -> str:
        cls = self.classes.get(table)
        return cls.__name__ if cls is not None else table.name

    def constraint(self, name: str) -> tuple[Table, Any] | None:
        for table in self.table.metadata.tables.values():
            for constraint in (*table.constraints, *table.indexes):
                if constraint.name == name:
                    return table, constraint
        return None


def _joined(names: Collection[str]) -> str:
    return " and ".join(names)


def _unique(model: _Model, fields: list[str], constraint: str | None) -> Conflict:
    what = _joined(fields) if fields else "these values"
    must = f"{what} must be unique" if len(fields) <= 1 else f"{what} must be unique together"
    return Conflict(
        f"A {model.name} with this {what} already exists ({must})",
        reason="unique",
        fields=fields,
        constraint=constraint,
    )


def _not_null(model: _Model, fields: list[str]) -> Conflict:
    name = _joined(fields) or "a field"
    return Conflict(
        f"{model.name}.{name} is required: it can't be null", reason="not_null", fields=fields
    )


def _missing_reference(
    model: _Model,
    fields: list[str],
    target: str | None,
    data: Mapping[str, Any] | None,
    constraint: str | None,
) -> Conflict:
    described = ", ".join(
        f"{name}={data[name]!r}" if data is not None and name in data else name for name in fields
    )
    referred = f"a {target}" if target else "a row"
    return Conflict(
        f"{described or 'A foreign key'} refers to {referred} that does not exist",
        reason="foreign_key",
        fields=fields,
        constraint=constraint,
    )


def _still_referenced(model: _Model, referrers: list[str], constraint: str | None) -> Conflict:
    by = ", ".join(referrers) or "other rows"
    return Conflict(
        f"This {model.name} is still referenced by {by}; delete or change those rows first",
        reason="referenced",
        fields=[],
        constraint=constraint,
    )


def _referrers(model: _Model) -> list[str]:
    """`Product.category_id` for every foreign key in the metadata that points at the model."""
    found = []
    for table in model.table.metadata.sorted_tables:
        for foreign_key in table.foreign_key_constraints:
            if foreign_key.referred_table is model.table:
                columns = ", ".join(column.name for column in foreign_key.columns)
                found.append(f"{model.class_name(table)}.{columns}")
    return found


def _postgresql(
    model: _Model, error: Any, action: str, data: Mapping[str, Any] | None
) -> Conflict | None:
    reason = _PG_REASONS.get(str(getattr(error, "sqlstate", "")))
    if reason is None:
        return None
    name = getattr(error, "constraint_name", None)
    table_name = getattr(error, "table_name", None) or model.table.name
    detail = getattr(error, "detail", None) or ""
    found = model.constraint(name) if name else None
    if reason == "not_null":
        column = getattr(error, "column_name", None)
        return _not_null(model, model.fields_named(table_name, [column] if column else []))
    if found is not None:
        table, constraint = found
        columns = [column.name for column in constraint.columns]
    else:
        table, constraint = None, None
        match = _PG_KEY.search(detail)
        columns = [part.strip() for part in match.group(1).split(",")] if match else []
    if reason == "unique":
        return _unique(model, model.fields_named(table_name, columns), name)
    if reason == "foreign_key":
        if "still referenced" in detail or (action == "delete" and table is not model.table):
            referrer = model.class_name(table) if table is not None else table_name
            return _still_referenced(model, [f"{referrer}.{', '.join(columns)}"], name)
        target = None
        if isinstance(constraint, ForeignKeyConstraint):
            target = model.class_name(constraint.referred_table)
        return _missing_reference(
            model, model.fields_named(table_name, columns), target, data, name
        )
    return Conflict(
        f"{model.name} fails the check {name}", reason="check", fields=[], constraint=name
    )


def _sqlite_columns(model: _Model, listed: str) -> list[str]:
    """`shop_product.sku, shop_product.name` -> the model's fields for those columns."""
    fields = []
    for item in listed.split(","):
        table_name, _, column = item.strip().rpartition(".")
        fields.extend(model.fields_named(table_name or model.table.name, [column]))
    return fields


def _sqlite(
    model: _Model, message: str, action: str, data: Mapping[str, Any] | None
) -> Conflict | None:
    for reason, pattern in _SQLITE.items():
        match = pattern.search(message)
        if match is None:
            continue
        if reason == "unique":
            return _unique(model, _sqlite_columns(model, match.group(1)), None)
        if reason == "not_null":
            return _not_null(model, _sqlite_columns(model, match.group(1)))
        if reason == "check":
            name = match.group(1).strip()
            return Conflict(
                f"{model.name} fails the check {name}", reason="check", fields=[], constraint=name
            )
        if action == "delete":
            return _still_referenced(model, _referrers(model), None)
        return _sqlite_foreign_key(model, data)
    return None


def _sqlite_foreign_key(model: _Model, data: Mapping[str, Any] | None) -> Conflict:
    """SQLite doesn't say which key failed: name the foreign keys this write set (or all)."""
    candidates: list[tuple[str, ForeignKeyConstraint]] = []
    for constraint in model.table.foreign_key_constraints:
        for column in constraint.columns:
            candidates.append((model.field(column), constraint))
    written = [
        (name, constraint)
        for name, constraint in candidates
        if data is None or data.get(name) is not None
    ]
    chosen = written or candidates
    targets = {model.class_name(constraint.referred_table) for _, constraint in chosen}
    target = targets.pop() if len(targets) == 1 else None
    return _missing_reference(model, [name for name, _ in chosen], target, data, None)


def conflict_from(
    exc: IntegrityError, model: type[Any], action: str, data: Mapping[str, Any] | None = None
) -> Conflict:
    """The 409 for an IntegrityError raised while `action` ("create", "update", "delete") wrote
    `data` (the fields given, when one row was written) to `model`."""
    described = _Model(model)
    original = exc.orig
    driver_error = getattr(original, "__cause__", None) or original
    conflict = None
    if getattr(driver_error, "sqlstate", None):
        conflict = _postgresql(described, driver_error, action, data)
    elif original is not None:
        conflict = _sqlite(described, str(original), action, data)
    if conflict is None:
        message = str(original or exc).strip().splitlines()[0]
        conflict = Conflict(
            f"The database refused this {action} of a {described.name}: {message}",
            reason="integrity",
        )
    return conflict
