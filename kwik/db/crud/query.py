"""`ListQuery` (filters, sort, page) and the one query-string syntax that fills it.

    ?price__gte=10&name__icontains=lamp&status__in=new,paid&deleted_at__isnull=true
    &sort=-price,name&limit=20&offset=40        (offset pages)
    ?cursor=...&limit=20                         (cursor pages)

A parameter is `field` (equals) or `field__operator`; `sort`, `limit`, `offset`, `cursor` and
`total` are reserved (filter a field with one of those names as `sort__eq=...`). Values are
converted with the field's column type here, so a `ListQuery` holds Python values, and code can
build one directly instead of parsing text.

A query is checked against the service's allow-lists once: `parse_query` checks while it parses
and marks the result, and `check_query` checks a query built in code (and skips a marked one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from kwik.db.crud.errors import InvalidQuery, QueryProblem
from kwik.db.crud.spec import ListSpec, SortKey
from kwik.db.crud.values import BOOLEAN, INTEGER, Converter

__all__ = [
    "MAX_IN_VALUES",
    "RESERVED",
    "Filter",
    "ListQuery",
    "QueryParams",
    "check_query",
    "parse_query",
]

RESERVED = ("sort", "limit", "offset", "cursor", "total")
"""Query parameters that are not filters."""
MAX_IN_VALUES = 500
"""The most values one `__in` filter takes (databases cap bound parameters per statement)."""

QueryParams = Mapping[str, str] | Iterable[tuple[str, str]] | str
"""Starlette's `request.query_params`, a dict, (name, value) pairs, or a raw query string."""
_PAGES = {
    "offset": ("limit and offset", ("cursor",)),
    "cursor": ("cursor (pass the next_cursor of the previous page as cursor)", ("offset", "total")),
}
"""How each kind of list pages, and the parameters it therefore refuses."""


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition: `Filter("price", "gte", Decimal("10"))`. `in` takes a tuple of values,
    `isnull` a bool."""

    field: str
    operator: str = "eq"
    value: Any = None

    @property
    def parameter(self) -> str:
        """The query parameter that says this: `price__gte`, or `price` for equality."""
        return self.field if self.operator == "eq" else f"{self.field}__{self.operator}"


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a list should return. None means "not given": the service's default applies.

    Example:
        ListQuery(filters=(Filter("active", "eq", True),), sort=(SortKey("price", True),), limit=5)
    """

    filters: tuple[Filter, ...] = ()
    sort: tuple[SortKey, ...] | None = None
    limit: int | None = None
    offset: int | None = None
    cursor: str | None = None
    total: bool | None = None
    # The spec `parse_query` checked this query against. Not an __init__ argument, so a copy made
    # with dataclasses.replace() (which may change the filters) is checked again.
    _checked_by: ListSpec | None = field(default=None, init=False, repr=False, compare=False)


@contextmanager
def _collecting(problems: list[QueryProblem]) -> Iterator[None]:
    """Add the problems of an InvalidQuery raised inside to `problems`, and carry on."""
    try:
        yield
    except InvalidQuery as exc:
        problems.extend(exc.problems)


def _convert(converter: Converter, parameter: str, text: str) -> Any:
    try:
        return converter(text)
    except ValueError as exc:
        raise InvalidQuery.one(parameter, f"{parameter}: {exc}", "invalid_value") from None


def _pairs(params: QueryParams) -> Iterable[tuple[str, str]]:
    if isinstance(params, str):
        return parse_qsl(params.lstrip("?"), keep_blank_values=True)
    multi_items = getattr(params, "multi_items", None)
    if multi_items is not None:
        return list(multi_items())
    if isinstance(params, Mapping):
        return list(params.items())
    return list(params)


def _filter(spec: ListSpec, parameter: str, text: str) -> Filter:
    name, operator_name = parameter, "eq"
    if parameter not in spec.fields and "__" in parameter:
        name, _, operator_name = parameter.rpartition("__")
    field = spec.filter_field(name, parameter)
    operator = spec.operator(field, operator_name, parameter)
    if operator.arity == "flag":
        return Filter(field.name, operator.name, _convert(BOOLEAN, parameter, text))
    if operator.arity == "one":
        return Filter(field.name, operator.name, _convert(field.converter, parameter, text))
    items = text.split(",")
    if text == "":
        wrong = "give at least one value, separated by commas"
    elif len(items) > MAX_IN_VALUES:
        wrong = f"give at most {MAX_IN_VALUES} values, not {len(items)}"
    else:
        values = tuple(_convert(field.converter, parameter, item) for item in items)
        return Filter(field.name, operator.name, values)
    raise InvalidQuery.one(parameter, f"{parameter}: {wrong}", "invalid_value")


def _sort(spec: ListSpec, text: str) -> tuple[SortKey, ...]:
    keys = tuple(SortKey.parse(item.strip()) for item in text.split(","))
    if not all(key.field for key in keys):
        raise InvalidQuery.one(
            "sort",
            f"sort has an empty field in {text!r} (write fields like sort=-price,name)",
            "invalid_value",
        )
    return spec.sort(keys)


def _option(spec: ListSpec, name: str, text: str) -> Any:
    """The value of the reserved parameter `name`."""
    if name == "sort":
        return _sort(spec, text)
    if name == "limit":
        return spec.limit(_convert(INTEGER, name, text))
    if name == "offset":
        return spec.offset(_convert(INTEGER, name, text))
    if name == "total":
        return _convert(BOOLEAN, name, text)
    return text or None  # cursor: `?cursor=` (a client's empty "no cursor yet") is the first page


def parse_query(spec: ListSpec, params: QueryParams, *, ignore: Iterable[str] = ()) -> ListQuery:
    """The ListQuery the query string `params` asks for; InvalidQuery lists every bad parameter.

    Parameters in the spec's `ignored_parameters` or in `ignore` are left to the endpoint (say
    `?format=csv` or `?utm_source=...`); any other name that isn't a reserved one or an allowed
    filter is refused, so a typo is an error, not a silently unfiltered list.
    """
    skipped = spec.ignored_parameters.union(ignore)
    problems: list[QueryProblem] = []
    filters: list[Filter] = []
    options: dict[str, Any] = {}
    seen: set[str] = set()
    for name, text in _pairs(params):
        if name in skipped:
            continue
        with _collecting(problems):
            if name not in RESERVED:
                filters.append(_filter(spec, name, text))
            elif name in seen:
                problems.append(QueryProblem(name, f"{name} is given more than once", "repeated"))
            else:
                seen.add(name)
                options[name] = _option(spec, name, text)
    if problems:
        raise InvalidQuery(problems)
    query = ListQuery(filters=tuple(filters), **options)
    object.__setattr__(query, "_checked_by", spec)
    return query


def check_query(spec: ListSpec, query: ListQuery, pages: str | None = None) -> ListQuery:
    """`query`, checked against the spec's allow-lists and limits (unless `parse_query` made it
    for this spec) and against how the list `pages` ("offset" or "cursor"), if given;
    InvalidQuery lists every problem."""
    problems: list[QueryProblem] = []
    how, refused = _PAGES[pages] if pages else ("", ())
    for name in refused:
        if getattr(query, name) is not None:
            message = f"{name} is not accepted here: this list pages by {how}"
            problems.append(QueryProblem(name, message, f"{name}_not_accepted"))
    if query._checked_by is not spec:
        for condition in query.filters:
            parameter, value = condition.parameter, condition.value
            with _collecting(problems):
                field = spec.filter_field(condition.field, parameter)
                operator = spec.operator(field, condition.operator, parameter)
                if operator.arity == "many" and (isinstance(value, str) or not value):
                    message = f"{parameter} needs a non-empty list of values"
                    raise InvalidQuery.one(parameter, message, "invalid_value")
        for name, check in (("sort", spec.sort), ("limit", spec.limit), ("offset", spec.offset)):
            if getattr(query, name) is not None:
                with _collecting(problems):
                    check(getattr(query, name))
    if problems:
        raise InvalidQuery(problems)
    return query
