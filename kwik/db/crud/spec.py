"""`ListSpec`: a service's list options (fields, operators, sorts, limits) checked once.

A service declares allow-lists as plain class attributes. They are compiled here when the service
class is defined, so a typo (`filter_fields = {"prise": ...}`) fails at import with the fix, and
each request only looks names up in dictionaries. The lookups below are the only checks a list
query gets: parsing applies them to the query string, `check_query` to a query built in code.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, inspect

from kwik.db.crud.errors import InvalidQuery
from kwik.db.crud.operators import OPERATORS, Kind, Operator
from kwik.db.crud.values import Converter, UnsupportedType, converter_for, is_text
from kwik.exceptions import ImproperlyConfigured

__all__ = ["ALL", "Field", "FilterFields", "ListSpec", "SortKey"]

ALL = "__all__"
"""In `filter_fields`, every operator that applies to the field's type."""

_ORDERED_TYPES = frozenset({int, float, Decimal, date, datetime, time})

FilterFields = Mapping[str, Collection[str] | str] | Collection[str]


@dataclass(frozen=True, slots=True)
class SortKey:
    """One sort key: a field and a direction. `SortKey.parse("-price")` is price descending."""

    field: str
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> SortKey:
        return cls(text[1:], True) if text.startswith("-") else cls(text, False)

    def __str__(self) -> str:
        return f"-{self.field}" if self.descending else self.field


@dataclass(frozen=True, slots=True)
class Field:
    """A model field as lists see it: its column, how its values convert, what it allows."""

    name: str
    column: Column[Any]
    converter: Converter
    nullable: bool
    operators: frozenset[str]
    sortable: bool


def _kind(column: Column[Any], converter: Converter) -> Kind:
    if is_text(column):
        return "text"
    if converter.python_type in _ORDERED_TYPES:
        return "ordered"
    return "other"


class ListSpec:
    """What a service's lists allow, compiled from its class attributes.

    `owner` names the service in messages; `identity` (by default `owner`) tells its lists apart,
    so a cursor made for one list is refused by another.
    """

    def __init__(
        self,
        owner: str,
        model: type[Any],
        *,
        filter_fields: FilterFields,
        sort_fields: Collection[str],
        default_sort: Collection[str],
        default_limit: int,
        max_limit: int,
        ignored_parameters: Collection[str] = (),
        identity: str | None = None,
    ) -> None:
        self.owner = owner
        self.identity = identity or owner
        self.model = model
        self.model_name = model.__name__
        mapper = inspect(model)
        self._columns: dict[str, Column[Any]] = {
            key: column for key, column in mapper.columns.items() if isinstance(column, Column)
        }
        self.primary_key: tuple[str, ...] = tuple(
            mapper.get_property_by_column(column).key for column in mapper.primary_key
        )
        what = "field names, or a mapping of field names to operators"
        filters = self._collection("filter_fields", filter_fields, what)
        if not isinstance(filters, Mapping):
            # A set has no order of its own (its order changes from process to process), and
            # `fields` keeps this order for OpenAPI, whose document must be the same every time.
            ordered = filters if isinstance(filters, Sequence) else sorted(filters)
            filters = dict.fromkeys(ordered, ALL)
        default_sort = self._collection("default_sort", default_sort, "field names")
        self.default_sort = tuple(SortKey.parse(text) for text in default_sort)
        sortable = set(self._collection("sort_fields", sort_fields, "field names"))
        default_fields = [key.field for key in self.default_sort]
        self._check_names("filter_fields", filters)
        self._check_names("sort_fields", sortable)
        self._check_names("default_sort", default_fields)
        self.fields: dict[str, Field] = {}
        for name in dict.fromkeys([*filters, *sortable, *default_fields, *self.primary_key]):
            column = self._columns[name]
            converter = self._converter(name, "filter_fields" if name in filters else "sort_fields")
            operators = ()
            if name in filters:
                operators = self._operators(name, _kind(column, converter), filters[name])
            self.fields[name] = Field(
                name=name,
                column=column,
                converter=converter,
                nullable=bool(column.nullable),
                operators=frozenset(operators),
                sortable=name in sortable,
            )
        self.filter_names = tuple(sorted(filters))
        self.sort_names = tuple(sorted(sortable))
        if not 1 <= default_limit <= max_limit:
            raise ImproperlyConfigured(
                f"{owner}: default_limit ({default_limit}) must be between 1 and max_limit "
                f"({max_limit})"
            )
        self.default_limit = default_limit
        self.max_limit = max_limit
        self.ignored_parameters = frozenset(
            self._collection("ignored_parameters", ignored_parameters, "parameter names")
        )

    def _collection(self, attribute: str, value: Any, what: str) -> Any:
        """`value`, refused if it is a string (`"price"` would mean p, r, i, c, e)."""
        if isinstance(value, str):
            raise ImproperlyConfigured(
                f"{self.owner}.{attribute} must be a collection of {what}, not the string "
                f"{value!r}: write [{value!r}]"
            )
        return value

    def _check_names(self, attribute: str, names: Collection[str]) -> None:
        unknown = sorted(set(names) - set(self._columns))
        if unknown:
            raise ImproperlyConfigured(
                f"{self.owner}.{attribute}: {', '.join(unknown)} "
                f"{'is not a column' if len(unknown) == 1 else 'are not columns'} of "
                f"{self.model_name}; its columns are {', '.join(self._columns)}"
            )

    def _operators(self, name: str, kind: Kind, allowed: Collection[str] | str) -> list[str]:
        applicable = [op.name for op in OPERATORS.values() if op.applies_to(kind)]
        if allowed == ALL:
            return applicable
        for operator in [allowed] if isinstance(allowed, str) else allowed:
            if operator not in OPERATORS:
                raise ImproperlyConfigured(
                    f"{self.owner}.filter_fields[{name!r}]: unknown operator {operator!r}; "
                    f"operators are {', '.join(OPERATORS)}"
                )
            if operator not in applicable:
                raise ImproperlyConfigured(
                    f"{self.owner}.filter_fields[{name!r}]: {operator!r} doesn't apply to "
                    f"{name} ({self._columns[name].type}); it takes {', '.join(applicable)}"
                )
        return [allowed] if isinstance(allowed, str) else list(allowed)

    def _converter(self, name: str, attribute: str) -> Converter:
        try:
            return converter_for(self._columns[name])
        except UnsupportedType as exc:
            raise ImproperlyConfigured(
                f"{self.owner}.{attribute}: {self.model_name}.{name} can't be filtered or "
                f"sorted by: {exc}; remove it"
            ) from None

    # Lookups for one request; each raises InvalidQuery naming the parameter and the fix.

    def filter_field(self, name: str, parameter: str) -> Field:
        field = self.fields.get(name)
        if field is None or not field.operators:
            allowed = ", ".join(self.filter_names) or "none"
            raise InvalidQuery.one(
                parameter,
                f"Filtering on {name!r} is not allowed (filter fields: {allowed})",
                "filter_not_allowed",
            )
        return field

    def operator(self, field: Field, name: str, parameter: str) -> Operator:
        operator = OPERATORS.get(name)
        if operator is None:
            raise InvalidQuery.one(
                parameter,
                f"Unknown operator {name!r} in {parameter!r} (operators: {', '.join(OPERATORS)})",
                "unknown_operator",
            )
        if name not in field.operators:
            allowed = ", ".join(op for op in OPERATORS if op in field.operators)
            raise InvalidQuery.one(
                parameter,
                f"Operator {name!r} is not allowed on {field.name!r} (allowed: {allowed})",
                "operator_not_allowed",
            )
        return operator

    def sort(self, keys: Sequence[SortKey]) -> tuple[SortKey, ...]:
        """`keys`, each an allowed sort field, named once."""
        for index, key in enumerate(keys):
            field = self.fields.get(key.field)
            if field is None or not field.sortable:
                raise InvalidQuery.one(
                    "sort",
                    f"Sorting by {key.field!r} is not allowed (sort fields: "
                    f"{', '.join(self.sort_names) or 'none'})",
                    "sort_not_allowed",
                )
            if any(other.field == key.field for other in keys[:index]):
                raise InvalidQuery.one(
                    "sort", f"sort names {key.field!r} more than once", "invalid_value"
                )
        return tuple(keys)

    def limit(self, limit: int) -> int:
        if not 1 <= limit <= self.max_limit:
            raise InvalidQuery.one(
                "limit",
                f"limit must be between 1 and {self.max_limit}, not {limit}",
                "limit_out_of_range",
            )
        return limit

    def offset(self, offset: int) -> int:
        if offset < 0:
            raise InvalidQuery.one(
                "offset", f"offset must be 0 or more, not {offset}", "offset_out_of_range"
            )
        return offset

    def ordering(self, sort: tuple[SortKey, ...] | None) -> tuple[SortKey, ...]:
        """`sort` (or the default sort), ended by the primary key so every row has one place."""
        keys = self.default_sort if sort is None else sort
        named = {key.field for key in keys}
        return (*keys, *(SortKey(name) for name in self.primary_key if name not in named))
