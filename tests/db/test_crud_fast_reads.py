"""The CRUD service's fast read path (`kwik.db.crud.rows`): for a schema made of the model's
columns, `read`, `list` and `list_cursor` select just those columns and validate the schema from
the rows, loading no object. Each test compares it with the object path (`fast_reads = False`)
on the same rows, on SQLite and PostgreSQL: decimals, aware timestamps, NULLs, enums, UUIDs,
filters, sorts and both kinds of pages give exactly the same results; a schema that needs more
than columns (a relationship, a property, a model validator) is read from objects."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import event
from sqlalchemy.orm import selectinload

from kwik.db import CRUDService, Filter, ListQuery, ObjectNotFound
from kwik.db.crud.rows import row_reader
from tests.db.crud_app.models import Category, Product
from tests.db.crud_app.services import CategoryOut, ProductOut, ProductService
from tests.db.crud_app.support import catalog_session, seed_catalog


class ObjectProducts(ProductService):
    fast_reads = False


class Named(BaseModel):
    """Aliases and a field the model lacks, with a default: still only columns."""

    model_config = ConfigDict(from_attributes=True)

    key: int = Field(validation_alias="id")
    title: str = Field(alias="name")
    price: Decimal
    updated_at: datetime
    note: str = "none"


class WithCategory(BaseModel):
    id: int
    name: str
    category: CategoryOut | None


class WithProperty(BaseModel):
    id: int
    label: str


class Checked(BaseModel):
    id: int
    name: str

    @model_validator(mode="before")
    @classmethod
    def sees_the_object(cls, value: Any) -> Any:
        return value


@pytest.fixture
def loaded() -> Any:
    """The Product objects the ORM loads while a test runs."""
    found: list[Product] = []

    def record(target: Product, context: object) -> None:
        found.append(target)

    event.listen(Product, "load", record)
    yield found
    event.remove(Product, "load", record)


@pytest.fixture
async def session(database_url):
    async with catalog_session(database_url) as session:
        await seed_catalog(session)
        await session.commit()
        session.expunge_all()
        yield session


def dumped(result: Any) -> Any:
    return result.model_dump(mode="json")


QUERIES = [
    ListQuery(),
    ProductService.parse_query({"sort": "-price", "limit": "2", "offset": "1"}),
    ProductService.parse_query({"price__gte": "10", "sort": "released_on"}),
    ProductService.parse_query({"category_id__isnull": "true"}),
    ProductService.parse_query({"status__in": "paid,shipped", "sort": "-created_at"}),
    ProductService.parse_query({"name__icontains": "lamp", "total": "false"}),
    # `= None` is `IS NULL` and `!= None` is `IS NOT NULL`, not a comparison with a NULL value
    ListQuery(filters=(Filter("category_id", "eq", None),)),
    ListQuery(filters=(Filter("stock", "ne", None), Filter("price", "gte", Decimal("10")))),
    ListQuery(filters=(Filter("released_on", "ne", None),)),
]


@pytest.mark.parametrize("index", range(len(QUERIES)))
async def test_a_list_from_rows_equals_the_list_from_objects(session, loaded, index):
    fast = await ProductService(session).list(QUERIES[index])
    assert loaded == []  # no object was loaded
    slow = await ObjectProducts(session).list(QUERIES[index])
    assert len(loaded) == len(slow.items)

    assert dumped(fast) == dumped(slow)
    assert fast.model_dump_json() == slow.model_dump_json()
    assert all(isinstance(item.price, Decimal) for item in fast.items)


async def test_timestamps_keep_their_time_zone_and_nulls_stay_null(session):
    fast = await ProductService(session).list(ProductService.parse_query({"sort": "released_on"}))
    slow = await ObjectProducts(session).list(ProductService.parse_query({"sort": "released_on"}))

    assert [item.created_at for item in fast.items] == [item.created_at for item in slow.items]
    assert all(item.created_at.utcoffset() is not None for item in fast.items)
    assert [item.released_on for item in fast.items][-1] is None
    assert [item.released_on for item in fast.items] == [item.released_on for item in slow.items]


async def test_cursor_pages_from_rows_equal_those_from_objects(session):
    query = ProductService.parse_query({"sort": "-price", "limit": "2"})
    fast_pages, slow_pages = [], []
    for service, pages in (
        (ProductService(session), fast_pages),
        (ObjectProducts(session), slow_pages),
    ):
        cursor = None
        while True:
            page_query = ListQuery(sort=query.sort, limit=2, cursor=cursor)
            page = await service.list_cursor(page_query)
            # a cursor names its service's list, so only what it points at is compared
            pages.append((dumped(page)["items"], page.next_cursor is None))
            cursor = page.next_cursor
            if cursor is None:
                break
        session.expunge_all()

    assert fast_pages == slow_pages
    assert len(fast_pages) == 3


async def test_a_detail_from_a_row_equals_the_detail_from_the_object(session, loaded):
    fast = await ProductService(session).read(2)
    assert loaded == []
    slow = await ObjectProducts(session).read(2)

    assert fast == slow
    assert isinstance(fast, ProductOut)


@pytest.mark.parametrize("key", [404, "404", "not-a-number"])
async def test_a_missing_detail_is_the_same_404_on_both_paths(session, key):
    with pytest.raises(ObjectNotFound) as fast:
        await ProductService(session).read(key)
    with pytest.raises(ObjectNotFound) as slow:
        await ObjectProducts(session).read(key)

    assert fast.value.detail == slow.value.detail


async def test_aliases_and_defaults_read_the_same_from_rows(session):
    assert row_reader(Product, Named) is not None
    fast = await ProductService(session).list(schema=Named)
    slow = await ObjectProducts(session).list(schema=Named)

    assert dumped(fast) == dumped(slow)
    assert fast.items[0].note == "none"


async def test_the_requests_own_unflushed_writes_are_seen(session):
    products = ProductService(session)
    changed = await ObjectProducts(session).get(1)
    assert changed is not None
    changed.price = Decimal("1.23")
    session.add(Product(name="New", sku="N-1", price=Decimal("2.00")))

    listed = await products.list(ProductService.parse_query({"sort": "price", "limit": "2"}))
    detail = await products.read(1)

    assert [item.price for item in listed.items] == [Decimal("1.23"), Decimal("2.00")]
    assert detail.price == Decimal("1.23")


class ProductsWithCategory(CRUDService[Product]):
    model = Product
    schema = WithCategory
    load_options = (selectinload(Product.category),)


async def test_a_schema_with_a_relationship_is_read_from_objects_with_its_relationship(session):
    assert row_reader(Product, WithCategory) is None
    listed = await ProductsWithCategory(session).list(ListQuery(limit=3))

    assert [item.category.name if item.category else None for item in listed.items] == [
        "Lamps",
        "Lamps",
        "Lamps",
    ]


def test_schemas_that_need_more_than_columns_are_read_from_objects():
    Product.label = property(lambda self: f"{self.name} ({self.sku})")  # type: ignore[attr-defined]
    try:
        assert row_reader(Product, WithProperty) is None
    finally:
        del Product.label  # type: ignore[attr-defined]
    assert row_reader(Product, Checked) is None
    assert row_reader(Category, CategoryOut) is not None
    assert row_reader(Product, ProductOut) is not None


async def test_fast_reads_off_loads_objects(session, loaded):
    await ObjectProducts(session).list(ListQuery(limit=2))

    assert len(loaded) == 2


def test_the_row_reader_is_worked_out_once_per_model_and_schema():
    assert row_reader(Product, ProductOut) is row_reader(Product, ProductOut)


async def test_an_aware_timestamp_filter_gives_the_same_rows(session):
    query = ProductService.parse_query(
        {"created_at__lt": datetime(2999, 1, 1, tzinfo=UTC).isoformat()}
    )
    fast = await ProductService(session).list(query)
    slow = await ObjectProducts(session).list(query)

    assert dumped(fast) == dumped(slow)
    assert fast.total == 6
