"""What the catalog API reads and writes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class ProductOut(BaseModel):
    id: int
    name: str
    sku: str
    price: Decimal
    active: bool
    category_id: int | None
    created_at: datetime


class ProductIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    sku: str = Field(min_length=1, max_length=40)
    price: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    active: bool = True
    category_id: int | None = None


class ProductPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    price: Decimal | None = Field(default=None, gt=0, max_digits=10, decimal_places=2)
    active: bool | None = None
    category_id: int | None = None
