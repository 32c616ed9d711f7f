"""Filter operators: which columns each applies to, how many values it takes, its SQL.

The names are Django's lookups (`price__gte=10`), so they read the same in a query string and in
code. Two choices differ from plain SQL on purpose, to mean what a person filtering expects:
`ne` keeps rows whose value is NULL (SQL's `<>` would drop them), and `contains` is
case-sensitive on SQLite too (its LIKE ignores ASCII case, so SQLite uses `instr()`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func

__all__ = ["OPERATORS", "Arity", "Kind", "Operator"]

Kind = str
"""What a column holds, for applicability: "text", "ordered" (numbers, dates...), "other"."""
Arity = str
"""How an operator's value is read: "one" value, "many" (comma-separated), or a "flag"."""

Build = Callable[[ColumnElement[Any], Any, bool, str], ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class Operator:
    """One filter operator: its name, the column kinds it applies to, its arity, its SQL."""

    name: str
    kinds: frozenset[Kind]
    arity: Arity
    build: Build
    """(column, converted value, column is nullable, dialect name) -> a WHERE condition."""

    def applies_to(self, kind: Kind) -> bool:
        return kind in self.kinds


ALL_KINDS = frozenset({"text", "ordered", "other"})
ORDERED = frozenset({"text", "ordered"})
TEXT = frozenset({"text"})


def _ne(column: ColumnElement[Any], value: Any, nullable: bool, dialect: str) -> Any:
    return column.is_distinct_from(value) if nullable else column != value


def _contains(column: ColumnElement[Any], value: Any, nullable: bool, dialect: str) -> Any:
    if dialect == "sqlite":
        return func.instr(column, value) > 0
    return column.contains(value, autoescape=True)


def _isnull(column: ColumnElement[Any], value: Any, nullable: bool, dialect: str) -> Any:
    return column.is_(None) if value else column.is_not(None)


OPERATORS: dict[str, Operator] = {
    operator.name: operator
    for operator in (
        Operator("eq", ALL_KINDS, "one", lambda c, v, n, d: c == v),
        Operator("ne", ALL_KINDS, "one", _ne),
        Operator("lt", ORDERED, "one", lambda c, v, n, d: c < v),
        Operator("lte", ORDERED, "one", lambda c, v, n, d: c <= v),
        Operator("gt", ORDERED, "one", lambda c, v, n, d: c > v),
        Operator("gte", ORDERED, "one", lambda c, v, n, d: c >= v),
        Operator("in", ALL_KINDS, "many", lambda c, v, n, d: c.in_(v)),
        Operator("contains", TEXT, "one", _contains),
        Operator("icontains", TEXT, "one", lambda c, v, n, d: c.icontains(v, autoescape=True)),
        Operator("isnull", ALL_KINDS, "flag", _isnull),
    )
}
"""Every operator, by name, in the order the docs list them."""
