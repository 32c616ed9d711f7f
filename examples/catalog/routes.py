"""The catalog API, mounted at /catalog: list, feed (cursor pages), detail, create, update, delete.

Request bodies are read from the Request and validated with the schemas; typed body parameters
replace that with the HTTP layer's next step.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from kwik.db import CursorPage, Page
from kwik.http import HTTPError, Request, Response, Router

from .schemas import ProductIn, ProductOut, ProductPatch
from .services import ProductQuery, Products

router = Router()

S = TypeVar("S", bound=BaseModel)


async def body_as(request: Request, schema: type[S]) -> S:
    try:
        return schema.model_validate_json(await request.body())
    except ValidationError as exc:
        raise HTTPError(422, f"Invalid body: {exc.errors()[0]['msg']}") from None


@router.get("/products")
async def list_products(products: Products, query: ProductQuery) -> Page[ProductOut]:
    return await products.list(query)


@router.get("/products/feed")
async def product_feed(products: Products, query: ProductQuery) -> CursorPage[ProductOut]:
    return await products.list_cursor(query)


@router.get("/products/{product_id:int}")
async def read_product(product_id: int, products: Products) -> ProductOut:
    return await products.read(product_id)


@router.post("/products", status_code=201)
async def create_product(request: Request, products: Products) -> ProductOut:
    return products.as_schema(await products.create(await body_as(request, ProductIn)))


@router.patch("/products/{product_id:int}")
async def update_product(product_id: int, request: Request, products: Products) -> ProductOut:
    changes = await body_as(request, ProductPatch)
    return products.as_schema(await products.update(product_id, changes))


@router.delete("/products/{product_id:int}")
async def delete_product(product_id: int, products: Products) -> Response:
    await products.delete(product_id)
    return Response(status_code=204)
