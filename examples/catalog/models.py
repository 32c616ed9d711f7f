"""Categories and products; tables catalog_category and catalog_product."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwik.db import IDMixin, Model, TimestampMixin


class Category(IDMixin, Model):
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Product(IDMixin, TimestampMixin, Model):
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    active: Mapped[bool] = mapped_column(default=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_category.id"))
    category: Mapped[Category | None] = relationship()
