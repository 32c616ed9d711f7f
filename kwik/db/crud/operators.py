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

from sqlalchemy import Boolean, ColumnElement, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

__all__ = ["OPERATORS", "Arity", "Kind", "Operator"]

Kind = str
"""What a column holds, for applicability: "text", "ordered" (numbers, dates...), "other"."""
Arity = str
"""How an operator's value is read: "one" value, "many" (comma-separated), or a "flag"."""

Build = Callable[[ColumnElement[Any], Any, bool], ColumnElement[bool]]


@dataclass(frozen=True, slots=True)
class Operator:
    """One filter operator: its name, the column kinds it applies to, its arity, its SQL."""

    name: str
    kinds: frozenset[Kind]
    arity: Arity
    build: Build
    """(column, converted value, column is nullable) -> a WHERE condition."""

    def applies_to(self, kind: Kind) -> bool:
        return kind in self.kinds


ALL_KINDS = frozenset({"text", "ordered", "other"})
ORDERED = frozenset({"text", "ordered"})
TEXT = frozenset({"text"})


class _PerDialect(ColumnElement[bool]):
    """A condition SQLite needs spelled differently: `sqlite` there, `default` elsewhere.

    Both are built (so both bind the value) and the compiler renders one; cached statements
    stay correct because SQLAlchemy matches bound values by position, not by what was rendered.
    """

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a condition, not a column: SQLite needs no `= 1` after it
    _traverse_internals = [
        ("default", InternalTraversal.dp_clauseelement),
        ("sqlite", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, default: ColumnElement[bool], sqlite: ColumnElement[bool]) -> None:
        self.default = default
        self.sqlite = sqlite


@compiles(_PerDialect)
def _default(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.default, **kw)})"


@compiles(_PerDialect, "sqlite")
def _sqlite(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.sqlite, **kw)})"


def _ne(column: ColumnElement[Any], value: Any, nullable: bool) -> Any:
    return column.is_distinct_from(value) if nullable else column != value


def _contains(column: ColumnElement[Any], value: Any, nullable: bool) -> Any:
    return _PerDialect(column.contains(value, autoescape=True), func.instr(column, value) > 0)


def _isnull(column: ColumnElement[Any], value: Any, nullable: bool) -> Any:
    return column.is_(None) if value else column.is_not(None)


OPERATORS: dict[str, Operator] = {
    operator.name: operator
    for operator in (
        Operator("eq", ALL_KINDS, "one", lambda c, v, n: c == v),
        Operator("ne", ALL_KINDS, "one", _ne),
        Operator("lt", ORDERED, "one", lambda c, v, n: c < v),
        Operator("lte", ORDERED, "one", lambda c, v, n: c <= v),
        Operator("gt", ORDERED, "one", lambda c, v, n: c > v),
        Operator("gte", ORDERED, "one", lambda c, v, n: c >= v),
        Operator("in", ALL_KINDS, "many", lambda c, v, n: c.in_(v)),
        Operator("contains", TEXT, "one", _contains),
        Operator("icontains", TEXT, "one", lambda c, v, n: c.icontains(v, autoescape=True)),
        Operator("isnull", ALL_KINDS, "flag", _isnull),
    )
}
"""Every operator, by name, in the order the docs list them."""
