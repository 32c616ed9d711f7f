"""`ListQuery` (filters, sort, page) and the one query-string syntax that fills it.

    ?price__gte=10&name__icontains=lamp&status__in=new,paid&deleted_at__isnull=true
    &sort=-price,name&limit=20&offset=40        (offset pages)
    ?cursor=...&limit=20                         (cursor pages)

A parameter is `field` (equals) or `field__operator`; `sort`, `limit`, `offset`, `cursor` and
`total` are reserved (filter a field with one of those names as `sort__eq=...`). Values are
converted with the field's column type here, so a `ListQuery` holds Python values, and code can
build one directly instead of parsing text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from kwik.db.crud.errors import InvalidQuery, QueryProblem
from kwik.db.crud.spec import ListSpec, SortKey

__all__ = ["MAX_IN_VALUES", "RESERVED", "Filter", "ListQuery", "QueryParams", "parse_query"]

RESERVED = ("sort", "limit", "offset", "cursor", "total")
"""Query parameters that are not filters."""
MAX_IN_VALUES = 500
"""The most values one `__in` filter takes (databases cap bound parameters per statement)."""
_INTEGER = re.compile(r"-?\d+")

QueryParams = Mapping[str, str] | Iterable[tuple[str, str]] | str
"""Starlette's `request.query_params`, a dict, (name, value) pairs, or a raw query string."""


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition: `Filter("price", "gte", Decimal("10"))`. `in` takes a tuple of values,
    `isnull` a bool."""

    field: str
    operator: str = "eq"
    value: Any = None


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


def _pairs(params: QueryParams) -> Iterable[tuple[str, str]]:
    if isinstance(params, str):
        return parse_qsl(params.lstrip("?"), keep_blank_values=True)
    multi_items = getattr(params, "multi_items", None)
    if multi_items is not None:
        return list(multi_items())
    if isinstance(params, Mapping):
        return list(params.items())
    return list(params)


class _Parser:
    def __init__(self, spec: ListSpec) -> None:
        self.spec = spec
        self.problems: list[QueryProblem] = []
        self.filters: list[Filter] = []
        self.seen: set[str] = set()
        self.options: dict[str, Any] = {}

    def problem(self, parameter: str, message: str, code: str) -> None:
        self.problems.append(QueryProblem(parameter, message, code))

    def parameter(self, name: str, value: str) -> None:
        try:
            if name in RESERVED:
                if name in self.seen:
                    self.problem(name, f"{name} is given more than once", "repeated")
                    return
                self.seen.add(name)
                self.options[name] = getattr(self, f"_{name}")(value)
            else:
                self.filters.append(self.filter(name, value))
        except InvalidQuery as exc:
            self.problems.extend(exc.problems)

    def filter(self, parameter: str, text: str) -> Filter:
        name, operator_name = parameter, "eq"
        if parameter not in self.spec.fields and "__" in parameter:
            name, _, operator_name = parameter.rpartition("__")
        field = self.spec.filter_field(name, parameter)
        operator = self.spec.operator(field, operator_name, parameter)
        assert field.converter is not None
        try:
            if operator.arity == "flag":
                value: Any = self._boolean(parameter, text)
            elif operator.arity == "many":
                items = text.split(",")
                if text == "":
                    raise ValueError("give at least one value, separated by commas")
                if len(items) > MAX_IN_VALUES:
                    raise ValueError(f"give at most {MAX_IN_VALUES} values, not {len(items)}")
                value = tuple(field.converter(item) for item in items)
            else:
                value = field.converter(text)
        except ValueError as exc:
            raise InvalidQuery.one(parameter, f"{parameter}: {exc}", "invalid_value") from None
        return Filter(field.name, operator.name, value)

    def _boolean(self, parameter: str, text: str) -> bool:
        lowered = text.strip().lower()
        if lowered not in ("true", "false", "1", "0"):
            raise InvalidQuery.one(
                parameter, f"{parameter} must be true or false, not {text!r}", "invalid_value"
            )
        return lowered in ("true", "1")

    def _integer(self, parameter: str, text: str) -> int:
        if not _INTEGER.fullmatch(text.strip()):
            raise InvalidQuery.one(
                parameter, f"{parameter} must be an integer, not {text!r}", "invalid_value"
            )
        return int(text)

    def _sort(self, text: str) -> tuple[SortKey, ...]:
        keys: list[SortKey] = []
        for item in text.split(","):
            key = SortKey.parse(item.strip())
            if not key.field:
                raise InvalidQuery.one(
                    "sort",
                    f"sort has an empty field in {text!r} (write fields like sort=-price,name)",
                    "invalid_value",
                )
            self.spec.sort_field(key.field)
            if any(other.field == key.field for other in keys):
                raise InvalidQuery.one(
                    "sort", f"sort names {key.field!r} more than once", "invalid_value"
                )
            keys.append(key)
        return tuple(keys)

    def _limit(self, text: str) -> int:
        return self.spec.limit(self._integer("limit", text))

    def _offset(self, text: str) -> int:
        offset = self._integer("offset", text)
        if offset < 0:
            raise InvalidQuery.one(
                "offset", f"offset must be 0 or more, not {offset}", "offset_out_of_range"
            )
        return offset

    def _cursor(self, text: str) -> str | None:
        return text or None  # `?cursor=` (a client's empty "no cursor yet") is the first page

    def _total(self, text: str) -> bool:
        return self._boolean("total", text)


def parse_query(spec: ListSpec, params: QueryParams, *, ignore: Iterable[str] = ()) -> ListQuery:
    """The ListQuery the query string `params` asks for; InvalidQuery lists every bad parameter.

    Parameters named in `ignore` are left to the endpoint (say `?format=csv`); any other name
    that isn't a reserved one or an allowed filter is refused, so a typo is an error, not a
    silently unfiltered list.
    """
    parser = _Parser(spec)
    skipped = set(ignore)
    for name, value in _pairs(params):
        if name not in skipped:
            parser.parameter(name, value)
    if parser.problems:
        raise InvalidQuery(parser.problems)
    return ListQuery(filters=tuple(parser.filters), **parser.options)
