"""Values from a query string (or a cursor) converted to a column's Python type, and back.

A filter value arrives as text. Comparing a column to unconverted text would work on SQLite and
fail on PostgreSQL (or compare as strings), so every value is converted first with the column's
own type; what doesn't convert is reported with the type the field expects.
"""

from __future__ import annotations

import enum
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, SmallInteger, String, Text
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "Converter",
    "UnsupportedType",
    "converter_for",
    "encode_value",
    "is_text",
    "python_type_of",
]

_INTEGER = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
# A query string decodes '+' to a space, so "...T10:00:00+02:00" arrives as "...T10:00:00 02:00".
_SPACED_OFFSET = re.compile(r"(?<=\d) (\d{2}(:?\d{2})?)$")


class UnsupportedType(TypeError):
    """The column's type can't be filtered or sorted from a query string (JSON, binary...)."""


@dataclass(frozen=True, slots=True)
class Converter:
    """Text to one Python type; `expected` says what a person should have written."""

    python_type: type
    expected: str
    convert: Callable[[str], Any]

    def __call__(self, text: str) -> Any:
        """The value, or ValueError with a message naming the expected type."""
        try:
            return self.convert(text)
        except _Refused as exc:
            raise ValueError(f"{text!r} {exc}") from None
        except (ValueError, ArithmeticError):
            raise ValueError(f"{text!r} is not {self.expected}") from None


class _Refused(ValueError):
    """A value of the right shape that is still refused; the message says why ("is ...")."""


def _text(value: str) -> str:
    if "\x00" in value:
        raise _Refused("contains a NUL character")
    return value


def _integer(bits: int) -> Callable[[str], int]:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def convert(value: str) -> int:
        if not _INTEGER.fullmatch(value.strip()):
            raise ValueError(value)
        number = int(value)
        if not low <= number <= high:
            raise _Refused(f"is out of range for an integer ({low} to {high})")
        return number

    return convert


def _decimal(value: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _float(value: str) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _boolean(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(value)


def _datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(_SPACED_OFFSET.sub(r"+\1", value.strip()))
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Refused("has no time zone (add Z or an offset like +02:00)")
    return moment.astimezone(UTC)


def _date(value: str) -> date:
    if len(value.strip()) != 10:
        raise ValueError(value)
    return date.fromisoformat(value.strip())


def _time(value: str) -> time:
    return time.fromisoformat(value.strip())


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value.strip())


def _enum(enum_class: type[enum.Enum]) -> Converter:
    by_text: dict[str, enum.Enum] = {}
    for member in enum_class:
        by_text.setdefault(str(member.value), member)
        by_text.setdefault(member.name, member)

    def convert(value: str) -> enum.Enum:
        try:
            return by_text[value]
        except KeyError:
            raise ValueError(value) from None

    values = ", ".join(str(member.value) for member in enum_class)
    return Converter(enum_class, f"one of {values}", convert)


def _integer_bits(column: Column[Any]) -> int:
    column_type = column.type
    if isinstance(column_type, BigInteger):
        return 64
    if isinstance(column_type, SmallInteger):
        return 16
    if isinstance(column_type, Integer):
        return 32
    return 64


_SIMPLE: dict[type, tuple[str, Callable[[str], Any]]] = {
    Decimal: ("a decimal number", _decimal),
    float: ("a number", _float),
    bool: ("a boolean (true or false)", _boolean),
    datetime: ("a date-time with a time zone, like 2024-05-01T10:00:00Z", _datetime),
    date: ("a date, like 2024-05-01", _date),
    time: ("a time, like 10:30:00", _time),
    uuid.UUID: ("a UUID", _uuid),
}


def python_type_of(column_type: TypeEngine[Any]) -> type:
    """The Python type of a column type's values; `object` when it doesn't say.

    A TypeDecorator that doesn't declare one (like UTCDateTime) has the type of what it wraps.
    """
    try:
        python_type = column_type.python_type
    except NotImplementedError:  # SQLAlchemy 2.0 raises, 2.1 returns object
        python_type = object
    if python_type is object and isinstance(column_type, TypeDecorator):
        return python_type_of(column_type.impl_instance)
    return python_type


def converter_for(column: Column[Any]) -> Converter:
    """The converter for `column`'s values; UnsupportedType when its type has none."""
    python_type = python_type_of(column.type)
    if isinstance(python_type, type) and issubclass(python_type, enum.Enum):
        return _enum(python_type)
    if python_type is bool:  # before int: bool is an int
        return Converter(bool, *_SIMPLE[bool])
    if python_type is int:
        return Converter(int, "an integer", _integer(_integer_bits(column)))
    if python_type is str:
        return Converter(str, "text", _text)
    if python_type is datetime or (
        isinstance(python_type, type) and issubclass(python_type, datetime)
    ):
        return Converter(datetime, *_SIMPLE[datetime])
    for candidate, (expected, convert) in _SIMPLE.items():
        if python_type is candidate:
            return Converter(candidate, expected, convert)
    raise UnsupportedType(
        f"its type {column.type} ({getattr(python_type, '__name__', python_type)}) can't be "
        "read from text"
    )


def is_text(column: Column[Any]) -> bool:
    """Whether `column` holds text (the one kind `contains` and `icontains` apply to)."""
    return isinstance(column.type, String | Text) and not _is_enum(column)


def _is_enum(column: Column[Any]) -> bool:
    python_type = python_type_of(column.type)
    return isinstance(python_type, type) and issubclass(python_type, enum.Enum)


def encode_value(value: Any) -> str | None:
    """`value` as text its column's converter reads back to the same value (for cursors)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)
