"""A `ListQuery` as SQL: WHERE from filters, ORDER BY from the sort, and the page's bounds.

These functions only build statements; running them and turning rows into objects or schemas is
the service's job. Keeping the two apart lets another loader (one that selects only the columns a
response needs) reuse the exact filter, sort and pagination behaviour: pass `entities`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, tuple_

from kwik.db.crud.errors import InvalidQuery
from kwik.db.crud.query import Filter, ListQuery
from kwik.db.crud.spec import ListSpec, SortKey

__all__ = [
    "after",
    "conditions",
    "count_statement",
    "cursor_statement",
    "offset_statement",
    "order_by",
    "ordering_of",
]


def conditions(
    spec: ListSpec, filters: Sequence[Filter], dialect: str
) -> list[ColumnElement[bool]]:
    """One WHERE condition per filter (ANDed by the caller); fields and operators are checked
    against the allow-lists, so queries built in code obey them too."""
    result = []
    for condition in filters:
        parameter = (
            condition.field
            if condition.operator == "eq"
            else f"{condition.field}__{condition.operator}"
        )
        field = spec.filter_field(condition.field, parameter)
        operator = spec.operator(field, condition.operator, parameter)
        value = condition.value
        if operator.arity == "many" and (isinstance(value, str) or not value):
            raise InvalidQuery.one(
                parameter, f"{parameter} needs a non-empty list of values", "invalid_value"
            )
        result.append(operator.build(field.column, value, field.nullable, dialect))
    return result


def ordering_of(spec: ListSpec, sort: tuple[SortKey, ...] | None) -> tuple[SortKey, ...]:
    """The full ordering for `sort`: checked against `sort_fields`, ended by the primary key."""
    if sort is not None:
        for key in sort:
            spec.sort_field(key.field)
    return spec.ordering(sort)


def order_by(spec: ListSpec, ordering: Sequence[SortKey]) -> list[ColumnElement[Any]]:
    """ORDER BY clauses. NULLs sort after every value ascending and before them descending on
    every database (PostgreSQL's rule; SQLite's default is the opposite)."""
    clauses = []
    for key in ordering:
        field = spec.fields[key.field]
        clause = field.column.desc() if key.descending else field.column.asc()
        if field.nullable:
            clause = clause.nulls_first() if key.descending else clause.nulls_last()
        clauses.append(clause)
    return clauses


def after(
    spec: ListSpec, ordering: Sequence[SortKey], values: Sequence[Any]
) -> ColumnElement[bool]:
    """Rows that come after the row with `values` in `ordering` (the keyset condition).

    With one direction and no nullable field this is a row comparison, `(price, id) > (9.5, 17)`,
    which an index on those columns answers. Otherwise it is spelled out key by key, with NULLs
    placed as `order_by` places them.
    """
    fields = [spec.fields[key.field] for key in ordering]
    directions = {key.descending for key in ordering}
    if len(directions) == 1 and not any(field.nullable for field in fields):
        columns = tuple_(*(field.column for field in fields))
        row = tuple_(*values)
        return columns < row if directions == {True} else columns > row
    branches = []
    for index, (key, field, value) in enumerate(zip(ordering, fields, values, strict=True)):
        column = field.column
        if value is None:
            beyond: ColumnElement[bool] = column.is_not(None) if key.descending else false()
        elif key.descending:
            beyond = column < value
        else:
            beyond = or_(column > value, column.is_(None)) if field.nullable else column > value
        equal = [
            spec.fields[k.field].column.is_(None) if v is None else spec.fields[k.field].column == v
            for k, v in zip(ordering[:index], values[:index], strict=True)
        ]
        branches.append(and_(*equal, beyond))
    return or_(*branches)


def _base(
    spec: ListSpec, query: ListQuery, dialect: str, entities: Sequence[Any] | None
) -> Select[Any]:
    statement = select(*(entities or (spec.model,)))
    where = conditions(spec, query.filters, dialect)
    return statement.where(*where) if where else statement


def offset_statement(
    spec: ListSpec,
    query: ListQuery,
    dialect: str,
    *,
    limit: int,
    offset: int,
    entities: Sequence[Any] | None = None,
) -> Select[Any]:
    """The rows of one offset page."""
    ordering = ordering_of(spec, query.sort)
    statement = _base(spec, query, dialect, entities).order_by(*order_by(spec, ordering))
    return statement.limit(limit).offset(offset or None)


def cursor_statement(
    spec: ListSpec,
    query: ListQuery,
    dialect: str,
    *,
    ordering: Sequence[SortKey],
    values: Sequence[Any] | None,
    limit: int,
    entities: Sequence[Any] | None = None,
) -> Select[Any]:
    """The rows of one cursor page, plus one more that tells whether another page follows."""
    statement = _base(spec, query, dialect, entities)
    if values is not None:
        statement = statement.where(after(spec, ordering, values))
    return statement.order_by(*order_by(spec, ordering)).limit(limit + 1)


def count_statement(spec: ListSpec, query: ListQuery, dialect: str) -> Select[Any]:
    """The number of rows the query's filters match (all pages)."""
    statement = select(func.count()).select_from(spec.model)
    where = conditions(spec, query.filters, dialect)
    return statement.where(*where) if where else statement
