"""Orders, each with the name of the API key that placed it."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model, TimestampMixin


class Order(IDMixin, TimestampMixin, Model):
    item: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    placed_by: Mapped[str] = mapped_column(String(100))
