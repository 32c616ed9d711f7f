"""Alembic operations in words: one line per operation for people, a slug for file names.

`makemigrations` prints the first (`- Add column sku to catalog_product`) and names a new file
with the second (`0002_product_sku`), as Django does, so a migration says what it does before
anyone opens it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Words:
    """How one kind of operation reads: a line for people, a fragment for a file name."""

    line: Callable[[Any, str], str]
    """From the operation and its table: `Add column sku to catalog_product`."""
    fragment: Callable[[Any, str], str]
    """From the operation and its table without the app prefix: `product_sku`."""
    main: bool = True
    """Whether it names the file beside other operations (an index rarely comes alone)."""


def _drop_constraint(op: ops.DropConstraintOp, table: str) -> str:
    kind = {"foreignkey": "foreign key", "unique": "unique constraint"}.get(
        op.constraint_type or "", "constraint"
    )
    return f"Drop {kind} {op.constraint_name} from {table}"


_WORDS: dict[type[ops.MigrateOperation], _Words] = {
    ops.CreateTableOp: _Words(lambda op, table: f"Create table {table}", lambda op, short: short),
    ops.DropTableOp: _Words(
        lambda op, table: f"Drop table {table}", lambda op, short: f"delete_{short}"
    ),
    ops.AddColumnOp: _Words(
        lambda op, table: f"Add column {op.column.name} to {table}",
        lambda op, short: f"{short}_{op.column.name}",
    ),
    ops.DropColumnOp: _Words(
        lambda op, table: f"Remove column {op.column_name} from {table}",
        lambda op, short: f"remove_{short}_{op.column_name}",
    ),
    ops.AlterColumnOp: _Words(
        lambda op, table: f"Alter column {op.column_name} of {table} ({_alterations(op)})",
        lambda op, short: f"alter_{short}_{op.column_name}",
    ),
    ops.CreateIndexOp: _Words(
        lambda op, table: (
            f"Create {'unique index' if op.unique else 'index'} {op.index_name} on {table} "
            f"({_names(op.columns)})"
        ),
        lambda op, short: f"{short}_{_names(op.columns).replace(', ', '_')}_index",
        main=False,
    ),
    ops.DropIndexOp: _Words(
        lambda op, table: f"Drop index {op.index_name} from {table}",
        lambda op, short: f"remove_{op.index_name}",
        main=False,
    ),
    ops.CreateForeignKeyOp: _Words(
        lambda op, table: (
            f"Create foreign key {op.constraint_name} on {table} ({_names(op.local_cols)}) "
            f"-> {op.referent_table} ({_names(op.remote_cols)})"
        ),
        lambda op, short: f"{short}_{'_'.join(op.local_cols)}_fk",
        main=False,
    ),
    ops.CreateUniqueConstraintOp: _Words(
        lambda op, table: (
            f"Create unique constraint {op.constraint_name} on {table} ({_names(op.columns)})"
        ),
        lambda op, short: f"{short}_{'_'.join(op.columns)}_unique",
        main=False,
    ),
    ops.DropConstraintOp: _Words(
        _drop_constraint, lambda op, short: f"remove_{op.constraint_name}", main=False
    ),
}


def _words(op: ops.MigrateOperation) -> _Words | None:
    return next((_WORDS[kind] for kind in type(op).__mro__ if kind in _WORDS), None)


def describe(operations: Sequence[ops.MigrateOperation]) -> list[str]:
    """One line per operation, container operations expanded."""
    return [_line(op) for op in _flatten(operations)]


def _line(op: ops.MigrateOperation) -> str:
    table = table_of(op)
    words = _words(op)
    if words is not None:
        return words.line(op, table)
    text = re.sub(r"(?<!^)(?=[A-Z])", " ", type(op).__name__.removesuffix("Op")).capitalize()
    return f"{text} on {table}" if table else text


def slug(label: str, operations: Sequence[ops.MigrateOperation]) -> str | None:
    """A file name for the operations (`product_sku`), or None when none is short enough.

    Tables are named without the app's `<label>_` prefix. Index and constraint changes name the
    file only when they are all there is: they usually come with the column they are on.
    """
    named = [(op, words) for op in _flatten(operations) if (words := _words(op)) is not None]
    chosen = [(op, words) for op, words in named if words.main] or named
    fragments: list[str] = []
    for op, words in chosen:
        fragment = words.fragment(op, (table_of(op) or "").removeprefix(f"{label}_"))
        if fragment and fragment not in fragments:
            fragments.append(fragment)
    text = re.sub(r"[^a-z0-9_]+", "_", "_".join(fragments).lower()).strip("_")
    return text if text and len(text) <= MAX_SLUG else None


def _flatten(operations: Sequence[ops.MigrateOperation]) -> list[ops.MigrateOperation]:
    flat: list[ops.MigrateOperation] = []
    for op in operations:
        flat.extend(_flatten(op.ops) if isinstance(op, ops.OpContainer) else [op])
    return flat
