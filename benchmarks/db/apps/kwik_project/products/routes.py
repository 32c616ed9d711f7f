"""The list and detail endpoints, exactly as a kwik user writes them (examples/catalog)."""

from __future__ import annotations

from kwik.db import Page
from kwik.http import Router

from .services import ProductOut, ProductQuery, Products

__all__ = ["router"]

router = Router()


@router.get("/products")
async def list_products(products: Products, query: ProductQuery) -> Page[ProductOut]:
    return await products.list(query)


@router.get("/products/{product_id:int}")
async def read_product(product_id: int, products: Products) -> ProductOut:
    return await products.read(product_id)
