"""FastAPI, written the way its tutorial teaches: typed parameters and return annotations."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query

from benchmarks.apps.schemas import PING, Q_MAX_LENGTH, Item, ItemIn, ItemOut, created, item

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, str]:
    return PING


@app.get("/items/{item_id:int}")
async def read_item(
    item_id: int, q: Annotated[str | None, Query(max_length=Q_MAX_LENGTH)] = None
) -> Item:
    return item(item_id, q)


@app.post("/items", status_code=201)
async def create_item(body: ItemIn) -> ItemOut:
    return created(body)
