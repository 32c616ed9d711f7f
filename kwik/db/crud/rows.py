"""Reading a schema straight from rows: the fast path of a CRUD service's reads.

A list or detail endpoint only reads. Loading ORM objects for it costs an object, its instance
state and an identity-map entry per row, and then Pydantic reads each field back through the
ORM's attribute descriptors. When every field of the response schema is a plain column of the
model, none of that is needed: the service selects just those columns, each labelled with the
name Pydantic reads (`row.name`), and validates the schema from the rows exactly as it would from
objects (`from_attributes`), so the result is the same.

A schema that needs more than columns is read from objects as before: a relationship or any
other attribute that isn't a column (a property, a hybrid), an alias Pydantic resolves in more
than one way, or a model validator that runs before the fields (it would be given a row, not the
object). So is a model mapped with inheritance, whose columns span tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from sqlalchemy import Column, inspect
from sqlalchemy.orm import ColumnProperty, Mapper

__all__ = ["RowReader", "row_reader"]


class RowReader:
    """The columns `schema` needs from `model`, labelled with the names Pydantic reads them by.

    `extra` columns (a cursor page's sort keys) can be added under their field names, unless a
    schema name already stands for another column.
    """

    def __init__(self, model: type[Any], schema: type[BaseModel], columns: dict[str, Column[Any]]):
        self.model = model
        self.schema = schema
        self.columns = columns
        self._mapper: Mapper[Any] = inspect(model)
        self._labelled = [column.label(name) for name, column in columns.items()]
        self._all: TypeAdapter[list[Any]] | None = None

    def labelled(self, extra: Sequence[str] = ()) -> list[Any] | None:
        """The labelled columns to select, with the model fields `extra` too; None when an
        extra name is taken by a different column (read objects instead)."""
        if not extra:
            return self._labelled  # made once: labelling costs more than the rest of a select
        chosen = dict(self.columns)
        for name in extra:
            column = self._mapper.columns[name]
            if chosen.setdefault(name, column) is not column:
                return None
        return [column.label(name) for name, column in chosen.items()]

    def validate(self, row: Any) -> Any:
        return self.schema.model_validate(row, from_attributes=True)

    def validate_all(self, rows: Sequence[Any]) -> list[Any]:
        """`validate` for each row, in one call into Pydantic (a list adapter made once)."""
        if self._all is None:
            self._all = TypeAdapter(list[self.schema])  # type: ignore[name-defined]
        return self._all.validate_python(rows, from_attributes=True)


def _read_name(name: str, field: FieldInfo, by_name: bool) -> str | None:
    """The attribute Pydantic's `from_attributes` reads `field` from; None when it reads more
    than one (an alias with validation by name too, or alias choices and paths)."""
    alias = field.validation_alias if field.validation_alias is not None else field.alias
    if alias is None or alias == name:
        return name
    if not isinstance(alias, str) or by_name:
        return None
    return alias


def _before_validators(schema: type[BaseModel]) -> bool:
    decorators = schema.__pydantic_decorators__.model_validators.values()
    return any(decorator.info.mode in ("before", "wrap") for decorator in decorators)


def _columns(model: type[Any], schema: type[BaseModel]) -> dict[str, Column[Any]] | None:
    mapper: Mapper[Any] = inspect(model)
    if mapper.inherits is not None or mapper.polymorphic_on is not None:
        return None
    if _before_validators(schema):
        return None
    config = schema.model_config
    by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))
    columns: dict[str, Column[Any]] = {}
    for name, field in schema.model_fields.items():
        read = _read_name(name, field, by_name)
        if read is None:
            return None
        prop = mapper.attrs.get(read)
        if isinstance(prop, ColumnProperty) and len(prop.columns) == 1:
            column = prop.columns[0]
            if not isinstance(column, Column):
                return None  # a column_property of an expression: the ORM computes it
            columns[read] = column
        elif prop is not None or hasattr(model, read) or field.is_required():
            return None  # a relationship, a property or hybrid, or nothing to read at all
    return columns


_readers: dict[tuple[type[Any], type[BaseModel]], RowReader | None] = {}


def row_reader(model: type[Any], schema: type[BaseModel]) -> RowReader | None:
    """How `schema` is read from rows of `model`, or None when it must be read from objects;
    worked out once per model and schema."""
    key = (model, schema)
    if key not in _readers:
        columns = _columns(model, schema)
        _readers[key] = None if columns is None else RowReader(model, schema, columns)
    return _readers[key]
