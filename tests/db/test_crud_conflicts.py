"""Integrity errors are 409 problems naming the field, on SQLite (from its messages) and
PostgreSQL (from the constraint asyncpg names). A write opens no SAVEPOINT: a conflict ends the
transaction, unless the caller wrapped the write in one (`session.begin_nested()`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError, PendingRollbackError

from kwik.db import Conflict
from kwik.http.problems import http_exception_handler
from tests.db.crud_app.models import Product
from tests.db.crud_app.services import CategoryService, ProductService
from tests.db.crud_app.support import catalog_session, product


@pytest.fixture
async def session(database_url):
    async with catalog_session(database_url) as session:
        yield session


@pytest.fixture
def products(session):
    return ProductService(session)


@pytest.fixture
def on_postgresql(database_url) -> bool:
    return database_url.startswith("postgresql")


async def conflict(call: Any) -> dict[str, Any]:
    """The problem document of the Conflict `call` raises."""
    with pytest.raises(Conflict) as caught:
        await call
    return json.loads(http_exception_handler(None, caught.value).body)  # type: ignore[arg-type]


async def conflict_in_a_savepoint(session, call: Any) -> dict[str, Any]:
    """The problem document of the Conflict `call` raises inside a SAVEPOINT, as a handler that
    catches Conflict and carries on makes the call."""

    async def in_savepoint() -> None:
        async with session.begin_nested():
            await call

    return await conflict(in_savepoint())


async def count(session) -> int:
    return int(await session.scalar(select(func.count()).select_from(Product)))


# Unique


async def test_a_duplicate_unique_value_is_a_409_naming_the_field(products, on_postgresql):
    await products.create(product(1, sku="L-1"))

    body = await conflict(products.create(product(2, sku="L-1")))

    assert body["status"] == 409
    assert body["type"] == "urn:kwik:problem:conflict"
    assert body["detail"] == "A Product with this sku already exists (sku must be unique)"
    assert (body["reason"], body["fields"]) == ("unique", ["sku"])
    assert body.get("constraint") == ("uq_crud_product_sku" if on_postgresql else None)


async def test_an_update_to_a_taken_unique_value_is_a_409(products):
    await products.create(product(1, sku="L-1"))
    second = await products.create(product(2, sku="L-2"))

    body = await conflict(products.update(second, {"sku": "L-1"}))

    assert (body["reason"], body["fields"]) == ("unique", ["sku"])


async def test_a_unique_field_of_another_model_is_named_with_that_model(session):
    categories = CategoryService(session)
    await categories.create({"name": "Lamps"})

    body = await conflict(categories.create({"name": "Lamps"}))

    assert body["detail"] == "A Category with this name already exists (name must be unique)"


# Foreign keys


async def test_a_foreign_key_to_a_missing_row_is_a_409_naming_the_field(products, on_postgresql):
    body = await conflict(products.create(product(1, category_id=999)))

    assert body["detail"] == "category_id=999 refers to a Category that does not exist"
    assert (body["reason"], body["fields"]) == ("foreign_key", ["category_id"])
    expected = "fk_crud_product_category_id_crud_category" if on_postgresql else None
    assert body.get("constraint") == expected


async def test_an_update_to_a_missing_foreign_row_is_a_409(products):
    created = await products.create(product(1))

    body = await conflict(products.update(created, {"category_id": 999}))

    assert (body["reason"], body["fields"]) == ("foreign_key", ["category_id"])


async def test_deleting_a_row_others_still_reference_is_a_409(session, products):
    category = await CategoryService(session).create({"name": "Lamps"})
    await products.create(product(1, category_id=category.id))

    body = await conflict(CategoryService(session).delete(category))

    assert body["detail"] == (
        "This Category is still referenced by Product.category_id; delete or change those rows "
        "first"
    )
    assert (body["reason"], body["fields"]) == ("referenced", [])


# Not null and check constraints


async def test_a_missing_required_value_is_a_409_naming_the_field(products):
    body = await conflict(products.create({"name": "Lamp", "sku": "L-1"}))

    assert body["detail"] == "Product.price is required: it can't be null"
    assert (body["reason"], body["fields"]) == ("not_null", ["price"])


async def test_setting_a_required_field_to_null_is_a_409(products):
    created = await products.create(product(1))

    body = await conflict(products.update(created, {"name": None}))

    assert (body["reason"], body["fields"]) == ("not_null", ["name"])


async def test_a_failed_check_constraint_is_a_409_naming_it(products):
    body = await conflict(products.create(product(1, stock=-1)))

    assert body["detail"] == "Product fails the check ck_crud_product_stock_not_negative"
    assert (body["reason"], body["constraint"]) == ("check", "ck_crud_product_stock_not_negative")


# Bulk create


async def test_bulk_create_with_a_taken_value_is_a_409_and_writes_nothing(products, session):
    await products.create(product(1))

    body = await conflict_in_a_savepoint(
        session, products.bulk_create([product(2), product(3), product(1)])
    )

    assert (body["reason"], body["fields"]) == ("unique", ["sku"])
    assert await count(session) == 1


async def test_bulk_create_with_duplicates_inside_the_batch_is_a_409(products, session):
    body = await conflict_in_a_savepoint(
        session, products.bulk_create([product(1), product(2), product(1)])
    )

    assert body["fields"] == ["sku"]
    assert await count(session) == 0


# The session after a conflict


async def test_a_write_opens_no_savepoint(products, session):
    statements: list[str] = []
    engine = session.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        created = await products.create(product(1))
        await products.update(created, {"stock": 2})
        await products.delete(created)
    finally:
        event.remove(engine, "before_cursor_execute", listener)

    assert [statement.split()[0] for statement in statements if "BEGIN" not in statement] == [
        "INSERT",
        "UPDATE",
        "DELETE",
    ]


async def test_a_conflict_ends_the_transaction(products, session):
    await products.create(product(1))
    await conflict(products.create(product(1)))

    with pytest.raises(PendingRollbackError):
        await products.get(1)
    await session.rollback()

    assert await count(session) == 0


async def test_in_a_savepoint_the_session_stays_usable_after_a_conflict(products, session):
    await products.create(product(1))
    await conflict_in_a_savepoint(session, products.create(product(1)))

    await products.create(product(2))
    await session.commit()

    assert await count(session) == 2


async def test_in_a_savepoint_writes_made_before_a_conflict_are_kept(products, session):
    await products.create(product(1))
    await products.create(product(2))

    await conflict_in_a_savepoint(session, products.create(product(2)))
    await session.commit()

    assert sorted((await session.scalars(select(Product.sku))).all()) == ["P001", "P002"]


async def test_an_update_that_conflicts_in_a_savepoint_leaves_the_row_as_it_was(products, session):
    await products.create(product(1))
    second = await products.create(product(2))

    await conflict_in_a_savepoint(session, products.update(second, {"sku": "P001", "stock": 5}))
    await session.commit()

    await session.refresh(second)
    assert (second.sku, second.stock) == ("P002", 0)


async def test_a_delete_that_conflicts_in_a_savepoint_leaves_the_row_in_place(session, products):
    categories = CategoryService(session)
    category = await categories.create({"name": "Lamps"})
    await products.create(product(1, category_id=category.id))

    await conflict_in_a_savepoint(session, categories.delete(category.id))
    await session.commit()

    assert (await categories.get_or_404(category.id)).name == "Lamps"


async def test_an_error_in_earlier_changes_is_not_reported_as_this_writes_conflict(
    products, session
):
    await products.create(product(1))
    session.add(Product(**product(2, sku="P001")))  # not flushed yet

    with pytest.raises(IntegrityError):
        await products.create(product(3))
