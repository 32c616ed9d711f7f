"""The models every benchmark app validates and returns: one definition, four frameworks."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["PING", "Q_MAX_LENGTH", "Dimensions", "Item", "ItemIn", "ItemOut", "created", "item"]

PING = {"ping": "pong"}
"""What `GET /ping` answers."""

Q_MAX_LENGTH = 50
"""`GET /items/{id}?q=` refuses a longer `q`."""


class Dimensions(BaseModel):
    width: float = Field(gt=0)
    height: float = Field(gt=0)


class ItemIn(BaseModel):
    """The body of `POST /items`."""

    name: str = Field(min_length=1, max_length=64)
    price: float = Field(gt=0)
    tags: list[str] = Field(default_factory=list, max_length=16)
    dimensions: Dimensions | None = None
    quantity: int = Field(ge=0)


class ItemOut(ItemIn):
    """What `POST /items` answers (201)."""

    id: int


class Item(BaseModel):
    """What `GET /items/{id}` answers."""

    id: int
    name: str
    price: float
    tags: list[str]
    q: str | None


def item(item_id: int, q: str | None) -> Item:
    """The handler body of `GET /items/{id}`, shared so every framework does the same work."""
    return Item(id=item_id, name=f"Item {item_id}", price=9.99, tags=["bench"], q=q)


def created(body: ItemIn) -> ItemOut:
    """The handler body of `POST /items`."""
    return ItemOut(id=1, **body.model_dump())
