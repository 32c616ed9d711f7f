"""A checked `ListQuery` as SQL: WHERE from filters, ORDER BY from the sort, the page's bounds.

These functions only build statements, from a query `check_query` (or parsing) already checked;
running them and turning rows into objects or schemas is the service's job. The fast read path
(`kwik.db.crud.rows`) passes the columns a response needs in place of the model, and gets the
same filters, sort and pagination.

Building a statement costs more than running it straight on the driver (`kwik.db.direct`), so
the fast path also builds templates: the same statements with a named parameter in place of
each value (`Template`), made once per shape of query (which filters, which sort, an offset or
none) and run with the values of each request.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    tuple_,
)

from kwik.db.crud.operators import OPERATORS
from kwik.db.crud.query import Filter, ListQuery
from kwik.db.crud.spec import ListSpec, SortKey

__all__ = [
    "Template",
    "after",
    "conditions",
    "count_statement",
    "count_template",
    "cursor_statement",
    "detail_template",
    "offset_statement",
    "offset_template",
    "template_shape",
]

_PARAMETERIZED = frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in"})
"""Operators whose SQL takes the value as a parameter, so a template can leave it out
(`contains` and `icontains` escape their value into the pattern when the statement is built)."""


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


def _select(
    spec: ListSpec, where: Sequence[ColumnElement[bool]], columns: Sequence[Any] | None
) -> Select[Any]:
    chosen = select(*columns).select_from(spec.model) if columns else select(spec.model)
    return chosen.where(*where)


def _page(
    statement: Select[Any], spec: ListSpec, query: ListQuery, limit: Any, offset: Any
) -> Select[Any]:
    """`statement` in the query's order, bounded by `limit` and `offset` (values, parameters,
    or None for no OFFSET)."""
    statement = statement.order_by(*order_by(spec, spec.ordering(query.sort)))
    return statement.limit(limit).offset(offset)


def _count(spec: ListSpec, where: Sequence[ColumnElement[bool]]) -> Select[Any]:
    return select(func.count()).select_from(spec.model).where(*where)


def offset_statement(
    spec: ListSpec,
    query: ListQuery,
    *,
    limit: int,
    offset: int,
    columns: Sequence[Any] | None = None,
) -> Select[Any]:
    """The rows of one offset page: objects of the model, or just `columns`."""
    where = conditions(spec, query.filters)
    return _page(_select(spec, where, columns), spec, query, limit, offset or None)


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
    statement = _select(spec, conditions(spec, query.filters), columns)
    if values is not None:
        statement = statement.where(after(spec, ordering, values))
    return statement.order_by(*order_by(spec, ordering)).limit(limit + 1)


def count_statement(spec: ListSpec, query: ListQuery) -> Select[Any]:
    """The number of rows the query's filters match (all pages)."""
    return _count(spec, conditions(spec, query.filters))


class Template(NamedTuple):
    """A statement with named parameters, and this request's values for them."""

    statement: Select[Any]
    params: dict[str, Any]


def _parameterized(condition: Filter) -> bool:
    """Whether the filter's value is a parameter of its template. `isnull`'s flag, and a None
    value (`= NULL` is spelled `IS NULL`), choose the SQL instead: they are part of the shape,
    and the filter is built with its value."""
    return condition.operator != "isnull" and condition.value is not None


def template_shape(query: ListQuery) -> Hashable | None:
    """What a template for `query`'s filters depends on, or None when a filter's SQL depends on
    its value (build the statement instead)."""
    shape = []
    for condition in query.filters:
        if not _parameterized(condition):
            shape.append((condition.field, condition.operator, condition.value))
        elif condition.operator in _PARAMETERIZED:
            shape.append((condition.field, condition.operator, ...))
        else:
            return None
    return tuple(shape)


def _filter_params(query: ListQuery) -> dict[str, Any]:
    """The values of the query's filters, by the names `_templated` gives their parameters."""
    params = {}
    for index, condition in enumerate(query.filters):
        if _parameterized(condition):
            value = condition.value
            params[f"kwik_filter_{index}"] = list(value) if condition.operator == "in" else value
    return params


def _templated(spec: ListSpec, query: ListQuery) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the query's filters, with parameters in place of values."""
    filters = []
    for index, condition in enumerate(query.filters):
        if _parameterized(condition):
            column = spec.fields[condition.field].column
            expanding = condition.operator == "in"
            value = bindparam(f"kwik_filter_{index}", type_=column.type, expanding=expanding)
            condition = Filter(condition.field, condition.operator, value)
        filters.append(condition)
    return conditions(spec, filters)


def offset_template(
    spec: ListSpec,
    query: ListQuery,
    *,
    limit: int,
    offset: int,
    columns: Sequence[Any],
    made: Select[Any] | None = None,
) -> Template:
    """`offset_statement` for `columns` as a template (`made`: the template of the same shape,
    made for an earlier request), with this query's values."""
    params = _filter_params(query)
    params["kwik_limit"] = limit
    if offset:
        params["kwik_offset"] = offset
    if made is None:
        limit_parameter = bindparam("kwik_limit", type_=Integer())
        offset_parameter = bindparam("kwik_offset", type_=Integer()) if offset else None
        rows = _select(spec, _templated(spec, query), columns)
        made = _page(rows, spec, query, limit_parameter, offset_parameter)
    return Template(made, params)


def count_template(spec: ListSpec, query: ListQuery, made: Select[Any] | None = None) -> Template:
    """`count_statement` as a template (`made`: as for `offset_template`)."""
    if made is None:
        made = _count(spec, _templated(spec, query))
    return Template(made, _filter_params(query))


def detail_template(
    spec: ListSpec,
    columns: Sequence[Any],
    identity: Sequence[Any],
    made: Select[Any] | None = None,
) -> Template:
    """`columns` of the row whose primary key is `identity` (`made`: as for `offset_template`)."""
    if made is None:
        made = select(*columns).where(
            *(
                spec.fields[name].column == bindparam(f"kwik_key_{index}")
                for index, name in enumerate(spec.primary_key)
            )
        )
    return Template(made, {f"kwik_key_{index}": value for index, value in enumerate(identity)})
