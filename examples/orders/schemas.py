"""What the order endpoints read and answer."""

from __future__ import annotations

from pydantic import BaseModel, Field


class OrderIn(BaseModel):
    item: str = Field(min_length=1, max_length=200)
    quantity: int = Field(ge=1, le=1000)


class OrderOut(BaseModel):
    id: int
    item: str
    quantity: int
    placed_by: str
