"""A checked `ListQuery` as SQL: WHERE from filters, ORDER BY from the sort, the page's bounds.

These functions only build statements, from a query `check_query` (or parsing) already checked;
running them and turning rows into objects or schemas is the service's job. The fast read path
(`kwik.db.crud.rows`) passes the columns a response needs in place of the model, and gets the
same filters, sort and pagination.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, tuple_

from kwik.db.crud.operators import OPERATORS
from kwik.db.crud.query import Filter, ListQuery
from kwik.db.crud.spec import ListSpec, SortKey

__all__ = ["after", "conditions", "count_statement", "cursor_statement", "offset_statement"]


def conditions(spec: ListSpec, filters: Sequence[Filter]) -> list[ColumnElement[bool]]:
    """One WHERE condition per filter (ANDed by the caller)."""
    result = []
    for condition in filters:
        field = spec.fields[condition.field]
        build = OPERATORS[condition.operator].build
        result.append(build(field.column, condition.value, field.nullable))
    return result


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
            earlier.column.is_(None) if v is None else earlier.column == v
            for earlier, v in zip(fields[:index], values[:index], strict=True)
        ]
        branches.append(and_(*equal, beyond))
    return or_(*branches)


def _select(spec: ListSpec, query: ListQuery, columns: Sequence[Any] | None) -> Select[Any]:
    chosen = select(*columns).select_from(spec.model) if columns else select(spec.model)
    return chosen.where(*conditions(spec, query.filters))


def offset_statement(
    spec: ListSpec,
    query: ListQuery,
    *,
    limit: int,
    offset: int,
    columns: Sequence[Any] | None = None,
) -> Select[Any]:
    """The rows of one offset page: objects of the model, or just `columns`."""
    statement = _select(spec, query, columns).order_by(*order_by(spec, spec.ordering(query.sort)))
    return statement.limit(limit).offset(offset or None)


def cursor_statement(
    spec: ListSpec,
    query: ListQuery,
    *,
    ordering: Sequence[SortKey],
    values: Sequence[Any] | None,
    limit: int,
    columns: Sequence[Any] | None = None,
) -> Select[Any]:
    """The rows of one cursor page, plus one more that tells whether another page follows
    (objects of the model, or just `columns`)."""
    statement = _select(spec, query, columns)
    if values is not None:
        statement = statement.where(after(spec, ordering, values))
    return statement.order_by(*order_by(spec, ordering)).limit(limit + 1)


def count_statement(spec: ListSpec, query: ListQuery) -> Select[Any]:
    """The number of rows the query's filters match (all pages)."""
    return select(func.count()).select_from(spec.model).where(*conditions(spec, query.filters))
