"""The product service: what clients may filter and sort by, and how pages are cut."""

from __future__ import annotations

from kwik.db import CRUDService

from .models import Product
from .schemas import ProductOut


class ProductService(CRUDService[Product]):
    model = Product
    schema = ProductOut
    filter_fields = {
        "name": ["eq", "icontains"],
        "price": ["lt", "lte", "gt", "gte"],
        "active": ["eq"],
        "category_id": ["eq", "in", "isnull"],
    }
    sort_fields = ["name", "price", "created_at"]
    default_sort = ["name"]
    max_limit = 100


Products = ProductService.dependency()
ProductQuery = ProductService.query_dependency()
