"""The catalog API, mounted at /catalog: list, feed (cursor pages), detail, create, update, delete.

Bodies are typed parameters (validated before the handler runs, 422 with one entry per bad
field); list queries stay dependencies, because the service reads its filter syntax itself.
"""

from __future__ import annotations

from kwik.db import CursorPage, Page
from kwik.http import Router

from .schemas import ProductIn, ProductOut, ProductPatch
from .services import ProductQuery, Products

router = Router()


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
async def create_product(product: ProductIn, products: Products) -> ProductOut:
    return products.as_schema(await products.create(product))


@router.patch("/products/{product_id:int}")
async def update_product(product_id: int, changes: ProductPatch, products: Products) -> ProductOut:
    return products.as_schema(await products.update(product_id, changes))


@router.delete("/products/{product_id:int}", status_code=204)
async def delete_product(product_id: int, products: Products) -> None:
    await products.delete(product_id)
