"""`Product`, mapped to the `products` table the harness creates (the same for every stack)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model

__all__ = ["Product"]


class Product(IDMixin, Model):
    __tablename__ = "products"

    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    in_stock: Mapped[bool]
