"""A service's list query as OpenAPI parameters: exactly what `parse_query` accepts, declared.

The list query is parsed from the query string by the service itself, because its syntax (one
parameter per field and operator, `price__gte`) is more than a handler signature can spell. So
the dependency that parses it declares the parameters it reads (`param_specs`, see
docs/dependencies.md), made here from the service's `ListSpec`: the same allow-lists,
converters and limits the parser applies, so the document names every parameter a list takes,
and no other, typed as the parser converts it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field

from kwik.db.crud.operators import OPERATORS
from kwik.db.crud.query import MAX_IN_VALUES, RESERVED
from kwik.db.crud.spec import Field as ListField
from kwik.db.crud.spec import ListSpec
from kwik.http.params import Query, param_spec
from kwik.http.specs import ParamSpec

__all__ = ["query_params"]

_LARGEST_OFFSET = 2**63 - 1  # what `offset` converts to (a 64-bit integer)
_COMPARISONS = {
    "eq": "equals",
    "ne": "differs from",
    "lt": "is less than",
    "lte": "is at most",
    "gt": "is more than",
    "gte": "is at least",
}


def _parameter(field: ListField, operator: str) -> str:
    """The name `parse_query` reads `operator` on `field` from: the field's own name for
    equality, unless that name is reserved (then only `sort__eq` means it)."""
    if operator == "eq" and field.name not in RESERVED:
        return field.name
    return f"{field.name}__{operator}"


def _filter(field: ListField, operator: str) -> tuple[Any, str]:
    """The type a filter's value is documented as, and what the filter means."""
    name, converter = field.name, field.converter
    arity = OPERATORS[operator].arity
    if arity == "flag":
        return bool, f"true: rows whose {name} is null; false: rows where it has a value"
    if arity == "many":
        each = "text without a comma" if converter.python_type is str else converter.expected
        return (
            Annotated[str, Field(min_length=1)],
            f"Rows whose {name} is one of these values, separated by commas (at most "
            f"{MAX_IN_VALUES}), each {each}",
        )
    if operator in _COMPARISONS:
        meaning = f"Rows whose {name} {_COMPARISONS[operator]} this value"
        if operator == "ne" and field.nullable:
            meaning += ", or is null"
        return converter.annotation, meaning
    case = "case-sensitive" if operator == "contains" else "ignoring case"
    return converter.annotation, f"Rows whose {name} contains this text ({case})"


def _filters(spec: ListSpec) -> list[ParamSpec]:
    found = []
    for field in spec.fields.values():  # in the order filter_fields names them
        for operator in OPERATORS:  # in the order the docs list operators
            if operator in field.operators:
                annotation, description = _filter(field, operator)
                name = _parameter(field, operator)
                found.append(param_spec(name, annotation, Query(None, description=description)))
    return found


def _sort(spec: ListSpec) -> ParamSpec:
    fields = "|".join(re.escape(name) for name in spec.sort_names)
    default = ",".join(str(key) for key in spec.default_sort)
    marker = Query(
        default or None,
        pattern=f"^-?({fields})(,-?({fields}))*$",
        description=(
            "Sort by these fields, separated by commas, each at most once; a - before a field "
            f"sorts it descending, like -{spec.sort_names[0]}. Sort fields: "
            f"{', '.join(spec.sort_names)}. Rows that tie are ordered by "
            f"{', '.join(spec.primary_key)}."
        ),
    )
    return param_spec("sort", str, marker)


def _paging(spec: ListSpec) -> list[ParamSpec]:
    return [
        param_spec(
            "limit",
            int,
            Query(
                spec.default_limit,
                ge=1,
                le=spec.max_limit,
                description="The most rows the page holds",
            ),
        ),
        param_spec(
            "offset",
            int,
            Query(
                0,
                ge=0,
                le=_LARGEST_OFFSET,
                description=(
                    "How many matching rows to skip before the page starts. Lists paged by "
                    "cursor refuse it."
                ),
            ),
        ),
        param_spec(
            "cursor",
            str,
            Query(
                None,
                description=(
                    "Where the page starts: the next_cursor of the previous page, unchanged; "
                    "leave it out (or empty) for the first page. Lists paged by limit and "
                    "offset refuse it."
                ),
            ),
        ),
        param_spec(
            "total",
            bool,
            Query(
                None,
                description=(
                    "false skips counting the matching rows (the page's total is then null). "
                    "Lists paged by cursor refuse it."
                ),
            ),
        ),
    ]


def query_params(spec: ListSpec) -> tuple[ParamSpec, ...]:
    """Every query parameter a list of `spec` accepts: one per allowed filter (`price`,
    `price__gte`...), then `sort` (when there are sort fields), `limit`, `offset`, `cursor`
    and `total`. The service's `ignored_parameters` are the endpoint's to document."""
    found = [*_filters(spec), *([_sort(spec)] if spec.sort_names else []), *_paging(spec)]
    chosen: dict[str, ParamSpec] = {}
    for each in found:
        if each.alias not in spec.ignored_parameters:
            chosen.setdefault(each.alias, each)
    return tuple(chosen.values())
