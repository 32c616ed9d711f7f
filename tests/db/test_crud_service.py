"""The CRUD service's reads and writes on SQLite and PostgreSQL: get, get-or-404, create (from a
schema or a dict), bulk create, partial update, delete."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from kwik.db import InvalidData, ObjectNotFound
from kwik.http.problems import http_exception_handler
from tests.db.crud_app.models import Category, Product, Status
from tests.db.crud_app.services import (
    CategoryService,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductService,
)
from tests.db.crud_app.support import catalog_session, product


def problem(exc: Exception) -> dict[str, Any]:
    return json.loads(http_exception_handler(None, exc).body)  # type: ignore[arg-type]


@pytest.fixture
async def session(database_url):
    async with catalog_session(database_url) as session:
        yield session


@pytest.fixture
def products(session):
    return ProductService(session)


async def stored(session, product_id: int) -> Product:
    """The row as the database has it now (not the session's copy)."""
    session.expire_all()
    return (await session.execute(select(Product).where(Product.id == product_id))).scalar_one()


# get and get_or_404


async def test_get_returns_the_row_with_that_primary_key(products):
    created = await products.create(product(1))

    assert await products.get(created.id) is created


async def test_get_returns_none_when_no_row_has_that_key(products):
    assert await products.get(404) is None


async def test_get_or_404_raises_a_404_naming_the_model_and_key(products):
    with pytest.raises(ObjectNotFound) as caught:
        await products.get_or_404(404)

    assert problem(caught.value) == {
        "type": "urn:kwik:problem:not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "Product with id=404 does not exist",
        "model": "Product",
        "key": {"id": 404},
    }


async def test_a_key_given_as_text_is_converted_to_the_key_type(products):
    created = await products.create(product(1))

    assert await products.get_or_404(str(created.id)) is created


async def test_a_text_key_that_does_not_convert_is_missing_not_an_error(products):
    with pytest.raises(ObjectNotFound) as caught:
        await products.get_or_404("abc")

    assert caught.value.detail == "Product with id='abc' does not exist"
    assert await products.get("abc") is None


async def test_read_returns_the_row_as_the_schema(products):
    created = await products.create(product(1, stock=3))

    read = await products.read(created.id)

    assert isinstance(read, ProductOut)
    assert (read.id, read.name, read.price, read.stock) == (created.id, "Product 1", 1, 3)


async def test_read_of_a_missing_row_is_a_404(products):
    with pytest.raises(ObjectNotFound):
        await products.read(404)


# create


async def test_create_from_a_schema_flushes_so_the_id_and_defaults_exist(products, session):
    created = await products.create(ProductIn(name="Lamp", sku="L-1", price=Decimal("9.90")))

    assert created.id is not None
    assert created.created_at.tzinfo is UTC
    assert created.status is Status.NEW
    row = await stored(session, created.id)
    assert (row.name, row.price, row.active) == ("Lamp", Decimal("9.90"), True)


async def test_create_from_a_schema_uses_the_schemas_defaults(products):
    created = await products.create(ProductIn(name="Lamp", sku="L-1", price=Decimal(1)))

    assert (created.active, created.stock) == (True, 0)


async def test_create_from_a_dict(products, session):
    created = await products.create({"name": "Lamp", "sku": "L-1", "price": Decimal("2.50")})

    assert (await stored(session, created.id)).price == Decimal("2.50")


async def test_create_takes_a_relationship_as_well_as_its_key(products, session):
    category = Category(name="Lamps")
    created = await products.create({**product(1), "category": category})

    assert created.category_id == category.id is not None


async def test_create_with_unknown_fields_is_a_422_naming_them(products):
    with pytest.raises(InvalidData) as caught:
        await products.create({**product(1), "colour": "red", "size": 3})

    body = problem(caught.value)
    assert body["status"] == 422
    assert body["type"] == "urn:kwik:problem:invalid-data"
    assert body["detail"].startswith("Product has no writable fields colour, size; writable")
    assert [error["loc"] for error in body["errors"]] == [["colour"], ["size"]]


async def test_nothing_is_written_when_the_data_has_unknown_fields(products, session):
    with pytest.raises(InvalidData):
        await products.create({**product(1), "colour": "red"})

    assert await session.scalar(select(func.count()).select_from(Product)) == 0


async def test_a_client_may_not_choose_the_primary_key_by_default(products):
    with pytest.raises(InvalidData) as caught:
        await products.create({**product(1), "id": 7})

    assert caught.value.unknown == ["id"]


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
async def test_a_client_may_not_set_the_timestamps_kwik_keeps_by_default(products, field):
    created = await products.create(product(1))

    with pytest.raises(InvalidData) as caught:
        await products.update(created, {field: datetime(2020, 1, 1, tzinfo=UTC)})

    assert caught.value.unknown == [field]


def test_by_default_every_column_and_relationship_but_those_kwik_sets_is_writable():
    assert ProductService.writable == {
        "name", "sku", "price", "active", "stock", "status", "released_on", "code",
        "category_id", "category",
    }  # fmt: skip
    assert CategoryService.writable == {"name", "picture", "products"}


async def test_writable_fields_may_name_the_primary_key(session):
    class ChosenKeys(ProductService):
        writable_fields = ("id", "name", "sku", "price")

    created = await ChosenKeys(session).create({**product(1), "id": 7})

    assert created.id == 7


async def test_writable_fields_limits_what_create_and_update_accept(session):
    class NamesOnly(ProductService):
        writable_fields = ("name", "sku", "price")

    with pytest.raises(InvalidData) as caught:
        await NamesOnly(session).create({**product(1), "stock": 5})

    assert caught.value.detail == (
        "Product has no writable field stock; writable fields: name, price, sku"
    )


# bulk_create


async def test_bulk_create_writes_every_row_and_gives_each_an_id(products, session):
    created = await products.bulk_create([product(n) for n in range(1, 6)])

    assert [row.id for row in created] == [1, 2, 3, 4, 5]
    assert await session.scalar(select(func.count()).select_from(Product)) == 5


async def test_bulk_create_takes_schemas_and_dicts(products):
    created = await products.bulk_create(
        [ProductIn(name="A", sku="A", price=Decimal(1)), {"name": "B", "sku": "B", "price": 2}]
    )

    assert [row.name for row in created] == ["A", "B"]


async def test_bulk_create_of_nothing_writes_nothing(products):
    assert await products.bulk_create([]) == []


async def test_bulk_create_with_an_unknown_field_writes_nothing(products, session):
    with pytest.raises(InvalidData):
        await products.bulk_create([product(1), {**product(2), "colour": "red"}])

    assert await session.scalar(select(func.count()).select_from(Product)) == 0


# update


async def test_update_changes_only_the_fields_the_schema_was_given(products, session):
    created = await products.create(product(1, stock=7, active=False))

    await products.update(created.id, ProductPatch(name="Renamed"))

    row = await stored(session, created.id)
    assert (row.name, row.stock, row.active, row.price) == ("Renamed", 7, False, Decimal(1))


async def test_update_sets_a_field_the_schema_was_given_as_none(products, session):
    created = await products.create(product(1, released_on=datetime(2024, 1, 1).date()))

    await products.update(created.id, ProductPatch(released_on=None))

    assert (await stored(session, created.id)).released_on is None


async def test_update_from_a_dict_changes_the_keys_it_has(products, session):
    created = await products.create(product(1))

    await products.update(created.id, {"price": Decimal("3.30"), "status": Status.PAID})

    row = await stored(session, created.id)
    assert (row.price, row.status, row.name) == (Decimal("3.30"), Status.PAID, "Product 1")


async def test_update_takes_the_object_itself(products):
    created = await products.create(product(1))

    updated = await products.update(created, {"stock": 9})

    assert updated is created
    assert created.stock == 9


async def test_update_moves_updated_at_forward(products):
    created = await products.create(product(1))
    before = created.updated_at

    await products.update(created, {"stock": 9})

    assert created.updated_at > before


async def test_update_of_a_missing_row_is_a_404(products):
    with pytest.raises(ObjectNotFound):
        await products.update(404, {"stock": 1})


async def test_update_with_unknown_fields_is_a_422_and_changes_nothing(products, session):
    created = await products.create(product(1))

    with pytest.raises(InvalidData):
        await products.update(created.id, {"stock": 5, "colour": "red"})

    assert (await stored(session, created.id)).stock == 0


# delete


async def test_delete_removes_the_row(products, session):
    created = await products.create(product(1))

    await products.delete(created.id)

    assert await session.scalar(select(func.count()).select_from(Product)) == 0


async def test_delete_takes_the_object_itself(products):
    created = await products.create(product(1))

    await products.delete(created)

    assert await products.get(1) is None


async def test_delete_of_a_missing_row_is_a_404(products):
    with pytest.raises(ObjectNotFound) as caught:
        await products.delete(404)

    assert caught.value.detail == "Product with id=404 does not exist"


# the service's session


async def test_writes_belong_to_the_sessions_transaction(session):
    await ProductService(session).create(product(1))

    await session.rollback()

    assert await ProductService(session).get(1) is None


async def test_services_of_different_models_share_one_session(session):
    category = await CategoryService(session).create({"name": "Lamps"})
    created = await ProductService(session).create(product(1, category_id=category.id))

    assert created.category_id == category.id
