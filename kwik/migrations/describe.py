"""Alembic operations in words: one line per operation for people, a slug for file names.

`makemigrations` prints the first (`- Add column sku to catalog_product`) and names a new file
with the second (`0002_product_sku`), as Django does, so a migration says what it does before
anyone opens it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from alembic.operations import ops

__all__ = ["MAX_SLUG", "describe", "slug", "table_of"]

MAX_SLUG = 40
"""Longer names made from the operations give way to `auto_<date>_<time>`."""


def table_of(op: ops.MigrateOperation) -> str | None:
    """The table an operation works on (the source table of a foreign key)."""
    return getattr(op, "table_name", None) or getattr(op, "source_table", None)


def _names(items: Iterable[Any]) -> str:
    return ", ".join(
        item if isinstance(item, str) else str(getattr(item, "name", item)) for item in items
    )


def _alterations(op: ops.AlterColumnOp) -> str:
    changes = []
    if op.modify_name is not None:
        changes.append(f"rename to {op.modify_name}")
    if op.modify_type is not None:
        changes.append(f"type {op.existing_type} -> {op.modify_type}")
    if op.modify_nullable is not None:
        changes.append("nullable" if op.modify_nullable else "not nullable")
    if op.modify_server_default is not False:
        changes.append("server default")
    if op.modify_comment is not False:
        changes.append("comment")
    return ", ".join(changes)


def describe(operations: Sequence[ops.MigrateOperation]) -> list[str]:
    """One line per operation, container operations expanded."""
    lines: list[str] = []
    for op in operations:
        if isinstance(op, ops.OpContainer):
            lines.extend(describe(op.ops))
        else:
            lines.append(_describe(op))
    return lines


def _describe(op: ops.MigrateOperation) -> str:
    table = table_of(op)
    if isinstance(op, ops.CreateTableOp):
        return f"Create table {table}"
    if isinstance(op, ops.DropTableOp):
        return f"Drop table {table}"
    if isinstance(op, ops.AddColumnOp):
        return f"Add column {op.column.name} to {table}"
    if isinstance(op, ops.DropColumnOp):
        return f"Remove column {op.column_name} from {table}"
    if isinstance(op, ops.AlterColumnOp):
        return f"Alter column {op.column_name} of {table} ({_alterations(op)})"
    if isinstance(op, ops.CreateIndexOp):
        kind = "unique index" if op.unique else "index"
        return f"Create {kind} {op.index_name} on {table} ({_names(op.columns)})"
    if isinstance(op, ops.DropIndexOp):
        return f"Drop index {op.index_name} from {table}"
    if isinstance(op, ops.CreateForeignKeyOp):
        return (
            f"Create foreign key {op.constraint_name} on {table} ({_names(op.local_cols)}) "
            f"-> {op.referent_table} ({_names(op.remote_cols)})"
        )
    if isinstance(op, ops.CreateUniqueConstraintOp):
        return f"Create unique constraint {op.constraint_name} on {table} ({_names(op.columns)})"
    if isinstance(op, ops.DropConstraintOp):
        kind = {"foreignkey": "foreign key", "unique": "unique constraint"}.get(
            op.constraint_type or "", "constraint"
        )
        return f"Drop {kind} {op.constraint_name} from {table}"
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(op).__name__.removesuffix("Op")).capitalize()
    return f"{words} on {table}" if table else words


def slug(label: str, operations: Sequence[ops.MigrateOperation]) -> str | None:
    """A file name for the operations (`product_sku`), or None when none is short enough.

    Tables are named without the app's `<label>_` prefix. Index and constraint changes name the
    file only when they are all there is: they usually come with the column they are on.
    """
    flat = _flatten(operations)
    main = [op for op in flat if _fragment(label, op, main=True)]
    chosen = main or flat
    fragments: list[str] = []
    for op in chosen:
        fragment = _fragment(label, op, main=bool(main))
        if fragment and fragment not in fragments:
            fragments.append(fragment)
    text = re.sub(r"[^a-z0-9_]+", "_", "_".join(fragments).lower()).strip("_")
    return text if text and len(text) <= MAX_SLUG else None


def _flatten(operations: Sequence[ops.MigrateOperation]) -> list[ops.MigrateOperation]:
    flat: list[ops.MigrateOperation] = []
    for op in operations:
        flat.extend(_flatten(op.ops) if isinstance(op, ops.OpContainer) else [op])
    return flat


def _fragment(label: str, op: ops.MigrateOperation, *, main: bool) -> str | None:
    table = table_of(op) or ""
    short = table.removeprefix(f"{label}_")
    if isinstance(op, ops.CreateTableOp):
        return short
    if isinstance(op, ops.DropTableOp):
        return f"delete_{short}"
    if isinstance(op, ops.AddColumnOp):
        return f"{short}_{op.column.name}"
    if isinstance(op, ops.DropColumnOp):
        return f"remove_{short}_{op.column_name}"
    if isinstance(op, ops.AlterColumnOp):
        return f"alter_{short}_{op.column_name}"
    if main:
        return None
    if isinstance(op, ops.CreateIndexOp):
        return f"{short}_{_names(op.columns).replace(', ', '_')}_index"
    if isinstance(op, ops.CreateUniqueConstraintOp):
        return f"{short}_{'_'.join(op.columns)}_unique"
    if isinstance(op, ops.DropIndexOp):
        return f"remove_{op.index_name}"
    if isinstance(op, ops.CreateForeignKeyOp):
        return f"{short}_{'_'.join(op.local_cols)}_fk"
    if isinstance(op, ops.DropConstraintOp):
        return f"remove_{op.constraint_name}"
    return None
