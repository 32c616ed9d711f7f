"""The three benchmark endpoints, written the way kwik's docs teach: typed parameters, a model
body, the return annotation as the response schema."""

from __future__ import annotations

from typing import Annotated

from benchmarks.apps.schemas import PING, Q_MAX_LENGTH, Item, ItemIn, ItemOut, created, item
from kwik.http import Query, Router

router = Router()


@router.get("/ping")
async def ping() -> dict[str, str]:
    return PING


@router.get("/items/{item_id:int}")
async def read_item(
    item_id: int, q: Annotated[str | None, Query(max_length=Q_MAX_LENGTH)] = None
) -> Item:
    return item(item_id, q)


@router.post("/items", status_code=201)
async def create_item(body: ItemIn) -> ItemOut:
    return created(body)
