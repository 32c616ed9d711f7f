"""A small items API exercising what OpenAPI documents: path, query, header and cookie
parameters with constraints, JSON and form bodies, 201/204/404 responses and an API key.

Items live in memory (`ITEMS`); tests clear it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from kwik.http import (
    Cookie,
    File,
    Form,
    Header,
    HTTPError,
    Path,
    Query,
    Router,
    Security,
    UploadFile,
)
from kwik.http.specs import SecuritySpec

router = Router(prefix="/items", tags=["items"])


class Dimensions(BaseModel):
    width: float = Field(gt=0, le=1000)
    height: float = Field(gt=0, le=1000)


class ItemIn(BaseModel):
    name: str = Field(min_length=1, max_length=40, description="What the item is called")
    price: float = Field(gt=0, le=1_000_000)
    tags: list[str] = Field(default=[], max_length=5)
    dimensions: Dimensions | None = None
    stock: int = Field(default=0, ge=0, le=10_000)


class Item(ItemIn):
    id: int


class Note(BaseModel):
    item_id: int
    text: str


ITEMS: dict[int, Item] = {}
NOT_FOUND = {404: {"description": "No item has this id"}}


def _get(item_id: int) -> Item:
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPError(404, f"No item has id {item_id}")
    return item


async def api_key(x_api_key: Annotated[str | None, Header()] = None) -> str:
    if x_api_key != "secret":
        raise HTTPError(401, "A valid X-API-Key header is required")
    return x_api_key


api_key.security_spec = SecuritySpec(  # type: ignore[attr-defined]
    "apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
)


@router.get("/", summary="List items")
async def list_items(
    q: Annotated[str | None, Query(max_length=20, description="Part of the name")] = None,
    tag: Annotated[list[str], Query()] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    min_price: Annotated[float | None, Query(ge=0)] = None,
) -> list[Item]:
    found = [
        item
        for item in ITEMS.values()
        if (q is None or q in item.name)
        and all(t in item.tags for t in tag)
        and (min_price is None or item.price >= min_price)
    ]
    return found[:limit]


@router.post("/", status_code=201, summary="Create an item")
async def create_item(item: ItemIn) -> Item:
    if len(ITEMS) >= 1000:
        raise HTTPError(409, "The shop is full")
    created = Item(id=len(ITEMS) + 1, **item.model_dump())
    ITEMS[created.id] = created
    return created


@router.get("/{item_id:int}", responses=NOT_FOUND)
async def read_item(item_id: Annotated[int, Path(ge=1)]) -> Item:
    return _get(item_id)


@router.put("/{item_id:int}", responses=NOT_FOUND)
async def replace_item(item_id: Annotated[int, Path(ge=1)], item: ItemIn) -> Item:
    _get(item_id)
    ITEMS[item_id] = Item(id=item_id, **item.model_dump())
    return ITEMS[item_id]


@router.delete("/{item_id:int}", status_code=204, responses=NOT_FOUND)
async def delete_item(
    item_id: Annotated[int, Path(ge=1)], key: Annotated[str, Security(api_key)]
) -> None:
    _get(item_id)
    del ITEMS[item_id]


@router.post("/{item_id:int}/notes", status_code=201, responses=NOT_FOUND)
async def add_note(
    item_id: Annotated[int, Path(ge=1)],
    text: Annotated[str, Form(min_length=1, max_length=200)],
    x_request_id: Annotated[str | None, Header(max_length=64)] = None,
    session: Annotated[str | None, Cookie(max_length=64)] = None,
) -> Note:
    _get(item_id)
    return Note(item_id=item_id, text=text)


class Image(BaseModel):
    item_id: int
    filename: str | None
    size: int


@router.put("/{item_id:int}/image", responses=NOT_FOUND)
async def upload_image(
    item_id: Annotated[int, Path(ge=1)],
    image: Annotated[UploadFile, File(description="The picture")],
    caption: Annotated[str | None, Form(max_length=100)] = None,
) -> Image:
    _get(item_id)
    content = await image.read()
    return Image(item_id=item_id, filename=image.filename, size=len(content))
