"""Category and Product: a column of every type lists convert (int, Decimal, bool, str, enum,
date, aware datetime, UUID), nullable ones, a unique one, a foreign key and a check."""

from __future__ import annotations

import enum
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwik.db import IDMixin, Model, TimestampMixin


class Status(enum.Enum):
    NEW = "new"
    PAID = "paid"
    SHIPPED = "shipped"


class Category(IDMixin, Model):
    __app_label__ = "crud"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    picture: Mapped[bytes | None]
    # passive_deletes="all": deleting a category leaves its products to the database (which
    # refuses while they reference it) instead of the ORM setting their category_id to NULL.
    products: Mapped[list[Product]] = relationship(back_populates="category", passive_deletes="all")


class Product(IDMixin, TimestampMixin, Model):
    __app_label__ = "crud"
    __table_args__ = (CheckConstraint("stock >= 0", name="stock_not_negative"),)

    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    active: Mapped[bool] = mapped_column(default=True)
    stock: Mapped[int] = mapped_column(default=0)
    status: Mapped[Status] = mapped_column(default=Status.NEW)
    released_on: Mapped[date | None]
    code: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("crud_category.id"))
    category: Mapped[Category | None] = relationship(back_populates="products")
