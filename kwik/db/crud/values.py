"""Values from a query string (or a cursor) as a column's Python type, through Pydantic.

A filter value arrives as text. Comparing a column to unconverted text would work on SQLite and
fail on PostgreSQL (or compare as strings), so every value is converted first with the column's
own type: one Pydantic `TypeAdapter` per field, built when the service class is defined. Kwik adds
only what Pydantic doesn't do: the integer range of the column type, enum members by name,
date-times refused without a time zone (or as bare numbers, which Pydantic reads as Unix time),
and messages that say what to write instead.
"""

from __future__ import annotations

import enum
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from sqlalchemy import BigInteger, Column, SmallInteger, String, Text
from sqlalchemy import Integer as IntegerType
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "BOOLEAN",
    "INTEGER",
    "Converter",
    "UnsupportedType",
    "converter_for",
    "is_text",
]

_DECIMAL_SCHEMA = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$",
}
"""How OpenAPI describes a Decimal filter value: text in a number's syntax (every such text is
accepted), as responses carry decimals, so a client never sends one through a float.
Pydantic's own schema (`anyOf: [number, string]`) would call any text valid."""

# A query string decodes '+' to a space, so "...T10:00:00+02:00" arrives as "...T10:00:00 02:00".
_SPACED_OFFSET = re.compile(r"(?<=\d) (\d{2}(:?\d{2})?)$")


class UnsupportedType(TypeError):
    """The column's type can't be filtered or sorted from a query string (JSON, binary...)."""


@dataclass(frozen=True, slots=True)
class Converter:
    """Text to one Python type. `annotation` is the type the adapter validates (constraints
    included), kept so OpenAPI can describe filter values with the schema of what is actually
    accepted; `expected` says what a person should have written; `reasons` explain the Pydantic
    errors (by type) for which "is not <expected>" would mislead."""

    python_type: type
    annotation: Any
    adapter: TypeAdapter[Any]
    expected: str
    reasons: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, text: str) -> Any:
        """The value, or ValueError with a message naming the expected type."""
        try:
            return self.adapter.validate_strings(text)
        except ValidationError as exc:
            reason = self.reasons.get(exc.errors()[0]["type"], f"is not {self.expected}")
            raise ValueError(f"{text!r} {reason}") from None

    def dump(self, value: Any) -> Any:
        """`value` as JSON data that `load` reads back to the same value (for cursors)."""
        return self.adapter.dump_python(value, mode="json")

    def load(self, data: Any) -> Any:
        return self.adapter.validate_python(data)


def _converter(python_type: type, annotated: Any, expected: str, **reasons: str) -> Converter:
    return Converter(python_type, annotated, TypeAdapter(annotated), expected, reasons)


def _integer(bits: int) -> Converter:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    out_of_range = f"is out of range for an integer ({low} to {high})"
    return _converter(
        int,
        Annotated[int, Field(ge=low, le=high)],
        "an integer",
        greater_than_equal=out_of_range,
        less_than_equal=out_of_range,
    )


def _not_a_number(value: Any) -> Any:
    """Refuse a number where a date or time belongs: Pydantic would read it as Unix time, and a
    year alone (`created_at__gt=2024`) would silently mean 1970-01-01T00:33:44Z."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError("a number is not a date or time")
    return value


def _spaced_offset(value: Any) -> Any:
    return _SPACED_OFFSET.sub(r"+\1", value.strip()) if isinstance(value, str) else value


def _enum(enum_class: type[enum.Enum]) -> Converter:
    # Values win over names; str(value) so that "1" finds a member whose value is 1.
    by_text = {**enum_class.__members__, **{str(member.value): member for member in enum_class}}

    def member_of(value: Any) -> Any:
        return by_text.get(value, value) if isinstance(value, str) else value

    values = ", ".join(str(member.value) for member in enum_class)
    return _converter(
        enum_class, Annotated[enum_class, BeforeValidator(member_of)], f"one of {values}"
    )


_CONVERTERS: dict[type, Converter] = {
    bool: _converter(bool, bool, "a boolean (true or false)"),
    Decimal: _converter(
        Decimal,
        Annotated[
            Decimal, Field(allow_inf_nan=False), WithJsonSchema(_DECIMAL_SCHEMA, mode="validation")
        ],
        "a decimal number",
    ),
    float: _converter(float, Annotated[float, Field(allow_inf_nan=False)], "a number"),
    date: _converter(
        date, Annotated[date, BeforeValidator(_not_a_number)], "a date, like 2024-05-01"
    ),
    time: _converter(
        time, Annotated[time, BeforeValidator(_not_a_number)], "a time, like 10:30:00"
    ),
    uuid.UUID: _converter(uuid.UUID, uuid.UUID, "a UUID"),
    str: _converter(
        str,
        Annotated[str, Field(pattern=r"^[^\x00]*$")],
        "text",
        string_pattern_mismatch="contains a NUL character",
    ),
    datetime: _converter(
        datetime,
        Annotated[
            AwareDatetime,
            BeforeValidator(_not_a_number),
            BeforeValidator(_spaced_offset),
            AfterValidator(lambda moment: moment.astimezone(UTC)),
        ],
        "a date-time with a time zone, like 2024-05-01T10:00:00Z",
        timezone_aware="has no time zone (add Z or an offset like +02:00)",
    ),
}

BOOLEAN = _CONVERTERS[bool]
"""Reads `true`/`false` (and `1`/`0`, `yes`/`no`, `on`/`off`): filters, `isnull`, `total`."""
INTEGER = _integer(64)
"""Reads `limit` and `offset`."""


def _python_type(column_type: TypeEngine[Any]) -> type:
    """The Python type of a column type's values; `object` when it doesn't say.

    A TypeDecorator that doesn't declare one (like UTCDateTime) has the type of what it wraps.
    """
    try:
        python_type = column_type.python_type
    except NotImplementedError:  # SQLAlchemy 2.0 raises, 2.1 returns object
        python_type = object
    if python_type is object and isinstance(column_type, TypeDecorator):
        return _python_type(column_type.impl_instance)
    return python_type


def _integer_bits(column: Column[Any]) -> int:
    if isinstance(column.type, SmallInteger):
        return 16
    if isinstance(column.type, IntegerType) and not isinstance(column.type, BigInteger):
        return 32
    return 64


def converter_for(column: Column[Any]) -> Converter:
    """The converter for `column`'s values; UnsupportedType when its type has none."""
    python_type = _python_type(column.type)
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return _enum(python_type)
    if python_type is int:
        return _integer(_integer_bits(column))
    if python_type in _CONVERTERS:
        return _CONVERTERS[python_type]
    raise UnsupportedType(
        f"its type {column.type} ({getattr(python_type, '__name__', python_type)}) can't be "
        "read from text"
    )


def is_text(column: Column[Any]) -> bool:
    """Whether `column` holds text (the one kind `contains` and `icontains` apply to)."""
    python_type = _python_type(column.type)
    is_enum = isinstance(python_type, type) and issubclass(python_type, enum.Enum)
    return isinstance(column.type, String | Text) and not is_enum
