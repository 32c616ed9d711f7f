"""Litestar with its built-in Pydantic support (no DTOs): typed parameters, `data` as the body."""

from __future__ import annotations

from typing import Annotated

from litestar import Litestar, get, post
from litestar.params import Parameter

from benchmarks.apps.schemas import PING, Q_MAX_LENGTH, Item, ItemIn, ItemOut, created, item


@get("/ping")
async def ping() -> dict[str, str]:
    return PING


@get("/items/{item_id:int}")
async def read_item(
    item_id: int, q: Annotated[str | None, Parameter(max_length=Q_MAX_LENGTH)] = None
) -> Item:
    return item(item_id, q)


@post("/items")  # Litestar's POST answers 201 by default
async def create_item(data: ItemIn) -> ItemOut:
    return created(data)


app = Litestar(route_handlers=[ping, read_item, create_item])
