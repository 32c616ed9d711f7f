"""The services and schemas the CRUD tests and the test routes use."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from kwik.db import CRUDService
from tests.db.crud_app.models import Category, Product, Status


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    sku: str
    price: Decimal
    active: bool
    stock: int
    status: Status
    released_on: date | None
    code: uuid.UUID
    category_id: int | None
    created_at: datetime
    updated_at: datetime


class ProductIn(BaseModel):
    name: str
    sku: str
    price: Decimal
    active: bool = True
    stock: int = 0
    status: Status = Status.NEW
    released_on: date | None = None
    category_id: int | None = None


class ProductPatch(BaseModel):
    name: str | None = None
    sku: str | None = None
    price: Decimal | None = None
    active: bool | None = None
    stock: int | None = None
    status: Status | None = None
    released_on: date | None = None
    category_id: int | None = None


class CategoryOut(BaseModel):
    id: int
    name: str


class ProductService(CRUDService[Product]):
    model = Product
    schema = ProductOut
    filter_fields = {
        "name": ["eq", "ne", "contains", "icontains", "in"],
        "sku": "__all__",
        "price": ["eq", "ne", "lt", "lte", "gt", "gte", "in"],
        "active": ["eq"],
        "stock": "__all__",
        "status": ["eq", "ne", "in"],
        "released_on": "__all__",
        "code": ["eq", "in"],
        "category_id": ["eq", "in", "isnull"],
        "created_at": ["lt", "lte", "gt", "gte"],
    }
    sort_fields = ("name", "price", "stock", "released_on", "created_at", "status")
    max_limit = 50
    default_limit = 10


class CategoryService(CRUDService[Category]):
    model = Category
    schema = CategoryOut
    filter_fields = ("name",)
    sort_fields = ("name",)


Products = ProductService.dependency()
ProductQuery = ProductService.query_dependency()
Categories = CategoryService.dependency()
