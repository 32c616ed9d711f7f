"""Catalog endpoints written as a user would: a Router, the service dependency, the list query.

Body parameters don't exist yet, so create and update read the JSON body from the Request.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from kwik.db import CursorPage, Page
from kwik.http import HTTPError, Request, Response, Router
from tests.db.crud_app.services import (
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductQuery,
    Products,
)

router = Router()


S = TypeVar("S", bound=BaseModel)


async def body_as(request: Request, schema: type[S]) -> S:
    try:
        return schema.model_validate_json(await request.body())
    except ValidationError as exc:
        raise HTTPError(422, str(exc).splitlines()[0]) from None


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
    created = await products.create(await body_as(request, ProductIn))
    return products.as_schema(created)


@router.patch("/products/{product_id:int}")
async def update_product(product_id: int, request: Request, products: Products) -> ProductOut:
    updated = await products.update(product_id, await body_as(request, ProductPatch))
    return products.as_schema(updated)


@router.delete("/products/{product_id:int}")
async def delete_product(product_id: int, products: Products) -> Response:
    await products.delete(product_id)
    return Response(status_code=204)
