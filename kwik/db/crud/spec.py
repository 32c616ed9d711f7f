"""`ListSpec`: a service's list options (fields, operators, sorts, limits) checked once.

A service declares allow-lists as plain class attributes. They are compiled here when the service
class is defined, so a typo (`filter_fields = {"prise": ...}`) fails at import with the fix, and
each request only looks names up in dictionaries.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
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
    converter: Converter | None
    kind: Kind
    nullable: bool
    operators: frozenset[str]
    sortable: bool


def _kind(column: Column[Any], converter: Converter | None) -> Kind:
    if is_text(column):
        return "text"
    if converter is not None and converter.python_type in _ORDERED_TYPES:
        return "ordered"
    return "other"


class ListSpec:
    """What a service's lists allow, compiled from its class attributes."""

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
    ) -> None:
        self.owner = owner
        self.model = model
        self.model_name = model.__name__
        mapper = inspect(model)
        self._columns: dict[str, Column[Any]] = {
            key: column for key, column in mapper.columns.items() if isinstance(column, Column)
        }
        self.primary_key: tuple[str, ...] = tuple(
            mapper.get_property_by_column(column).key for column in mapper.primary_key
        )
        allowed_operators = self._operators(filter_fields)
        sortable = set(sort_fields)
        self._check_names("sort_fields", sortable)
        self.fields: dict[str, Field] = {}
        for name in {*allowed_operators, *sortable, *self.primary_key}:
            self.fields[name] = self._field(
                name, allowed_operators.get(name, frozenset()), name in sortable
            )
        self.filter_names = tuple(sorted(allowed_operators))
        self.sort_names = tuple(sorted(sortable))
        self.default_sort = tuple(SortKey.parse(text) for text in default_sort)
        for key in self.default_sort:
            self._check_names("default_sort", {key.field})
            if key.field not in self.fields:
                self.fields[key.field] = self._field(key.field, frozenset(), False)
        if not 1 <= default_limit <= max_limit:
            raise ImproperlyConfigured(
                f"{owner}: default_limit ({default_limit}) must be between 1 and max_limit "
                f"({max_limit})"
            )
        self.default_limit = default_limit
        self.max_limit = max_limit

    def _check_names(self, attribute: str, names: Collection[str]) -> None:
        unknown = sorted(set(names) - set(self._columns))
        if unknown:
            raise ImproperlyConfigured(
                f"{self.owner}.{attribute}: {', '.join(unknown)} "
                f"{'is not a column' if len(unknown) == 1 else 'are not columns'} of "
                f"{self.model_name}; its columns are {', '.join(self._columns)}"
            )

    def _operators(self, filter_fields: FilterFields) -> dict[str, frozenset[str]]:
        if isinstance(filter_fields, str):
            raise ImproperlyConfigured(
                f"{self.owner}.filter_fields must be a collection of field names or a mapping "
                f"of field names to operators, not the string {filter_fields!r}"
            )
        spec: Mapping[str, Collection[str] | str] = (
            filter_fields
            if isinstance(filter_fields, Mapping)
            else dict.fromkeys(filter_fields, ALL)
        )
        self._check_names("filter_fields", spec)
        result: dict[str, frozenset[str]] = {}
        for name, operators in spec.items():
            column = self._columns[name]
            kind = _kind(column, self._converter(name, "filter_fields"))
            applicable = [op for op in OPERATORS.values() if op.applies_to(kind)]
            if operators == ALL:
                result[name] = frozenset(op.name for op in applicable)
                continue
            if isinstance(operators, str):
                operators = [operators]
            for operator in operators:
                if operator not in OPERATORS:
                    raise ImproperlyConfigured(
                        f"{self.owner}.filter_fields[{name!r}]: unknown operator {operator!r}; "
                        f"operators are {', '.join(OPERATORS)}"
                    )
                if not OPERATORS[operator].applies_to(kind):
                    raise ImproperlyConfigured(
                        f"{self.owner}.filter_fields[{name!r}]: {operator!r} doesn't apply to "
                        f"{name} ({column.type}); it takes "
                        f"{', '.join(op.name for op in applicable)}"
                    )
            result[name] = frozenset(operators)
        return result

    def _converter(self, name: str, attribute: str) -> Converter:
        try:
            return converter_for(self._columns[name])
        except UnsupportedType as exc:
            raise ImproperlyConfigured(
                f"{self.owner}.{attribute}: {self.model_name}.{name} can't be filtered or "
                f"sorted by: {exc}; remove it"
            ) from None

    def _field(self, name: str, operators: frozenset[str], sortable: bool) -> Field:
        column = self._columns[name]
        converter = self._converter(name, "sort_fields" if sortable else "filter_fields")
        return Field(
            name=name,
            column=column,
            converter=converter,
            kind=_kind(column, converter),
            nullable=bool(column.nullable),
            operators=operators,
            sortable=sortable,
        )

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

    def sort_field(self, name: str, parameter: str = "sort") -> Field:
        field = self.fields.get(name)
        if field is None or not field.sortable:
            allowed = ", ".join(self.sort_names) or "none"
            raise InvalidQuery.one(
                parameter,
                f"Sorting by {name!r} is not allowed (sort fields: {allowed})",
                "sort_not_allowed",
            )
        return field

    def limit(self, limit: int | None, parameter: str = "limit") -> int:
        if limit is None:
            return self.default_limit
        if not 1 <= limit <= self.max_limit:
            raise InvalidQuery.one(
                parameter,
                f"limit must be between 1 and {self.max_limit}, not {limit}",
                "limit_out_of_range",
            )
        return limit

    def ordering(self, sort: tuple[SortKey, ...] | None) -> tuple[SortKey, ...]:
        """`sort` (or the default sort), ended by the primary key so every row has one place."""
        keys = self.default_sort if sort is None else sort
        named = {key.field for key in keys}
        return (*keys, *(SortKey(name) for name in self.primary_key if name not in named))
