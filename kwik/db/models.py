"""`Model`: the declarative base every app's models derive from.

It gives each table a name (`<app_label>_<model>`), records which app owns it (the registry and
migrations ask), names constraints and enum types predictably (migrations can drop what they
created), and maps `datetime` annotations to aware UTC timestamps on every database.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Enum, Integer, MetaData, Table, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from kwik.db.types import UTCDateTime, utcnow
from kwik.exceptions import ImproperlyConfigured

__all__ = [
    "NAMING_CONVENTION",
    "IDMixin",
    "Model",
    "TimestampMixin",
    "UUIDMixin",
    "app_label_of",
    "snake_case",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def snake_case(name: str) -> str:
    """`ProductImage` -> `product_image`, `HTTPLog` -> `http_log`."""
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words).lower()


def app_label_of(cls: type[Any]) -> str:
    """The label of the app a model belongs to: `__app_label__` (which an abstract base may set
    for its subclasses), else the installed app whose package holds the model's module."""
    explicit = getattr(cls, "__app_label__", None)
    if explicit:
        return str(explicit)
    from kwik.apps import apps

    config = apps.get_containing_app_config(cls.__module__)
    if config is None:
        raise ImproperlyConfigured(
            f"Model {cls.__module__}.{cls.__qualname__} is not in an installed app: define it in "
            "an app's models module, or set __app_label__ on it"
        )
    return config.label


class Model(DeclarativeBase):
    """Base class of models.

    Example:
        class Product(IDMixin, TimestampMixin, Model):
            name: Mapped[str] = mapped_column(String(200))
            price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    """

    __abstract__ = True
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}

    @declared_attr.directive
    @classmethod
    def __tablename__(cls) -> str:
        return f"{app_label_of(cls)}_{snake_case(cls.__name__)}"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Find the app first: failing after SQLAlchemy has registered the class would leave a
        # half-mapped class behind in the shared registry.
        label = None if cls.__dict__.get("__abstract__") else app_label_of(cls)
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if table is not None and label is not None:
            table.info.setdefault("app_label", label)
            _name_enum_types(table, label)

    def __repr__(self) -> str:
        keys = ", ".join(
            f"{column.key}={getattr(self, column.key, None)!r}"
            for column in self.__table__.primary_key.columns  # type: ignore[attr-defined]
        )
        return f"<{type(self).__name__} {keys}>"


def _name_enum_types(table: Table, label: str) -> None:
    """Name the table's enum types after their app: catalog's `Status` becomes `catalog_status`.

    SQLAlchemy names an enum type after its class (`status`), and PostgreSQL keeps types in one
    namespace per schema, so two apps' `Status` classes would share one type. A name given
    explicitly (`Enum(Status, name="state")`) is kept unless it is the class name in lower case.
    """
    for column in table.columns:
        kind = column.type
        if (
            isinstance(kind, Enum)
            and kind.enum_class is not None
            and kind.name == kind.enum_class.__name__.lower()
        ):
            kind.name = f"{label}_{snake_case(kind.enum_class.__name__)}"


class IDMixin:
    """An auto-incrementing integer primary key `id` (64-bit where the database has it)."""

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, sort_order=-100
    )


class UUIDMixin:
    """A random UUID primary key `id`, made in Python so it is known before the insert."""

    id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), primary_key=True, default=uuid.uuid4, sort_order=-100
    )


class TimestampMixin:
    """`created_at` and `updated_at`, aware UTC, set by kwik on insert and on update."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, sort_order=100)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, sort_order=101
    )
