"""The product service and what it returns, declared as docs/database.md teaches."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from kwik.db import CRUDService

from .models import Product

__all__ = ["ProductOut", "ProductQuery", "ProductService", "Products"]


class ProductOut(BaseModel):
    id: int
    name: str
    price: Decimal
    in_stock: bool


class ProductService(CRUDService[Product]):
    model = Product
    schema = ProductOut


Products = ProductService.dependency()
ProductQuery = ProductService.query_dependency()
