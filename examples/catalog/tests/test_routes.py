"""The catalog API, through kwik's async test client; each test's rows are rolled back."""

from __future__ import annotations

from decimal import Decimal

from catalog.models import Category, Product


async def add_products(db, *prices: str) -> None:
    category = Category(name="Lighting")
    db.add(category)
    await db.flush()
    for number, price in enumerate(prices, start=1):
        db.add(
            Product(
                name=f"Lamp {number}",
                sku=f"L-{number}",
                price=Decimal(price),
                category_id=category.id,
            )
        )
    await db.flush()


async def test_products_are_listed_with_a_total(client, db):
    await add_products(db, "10.00", "25.50", "99.99")

    response = await client.get("/catalog/products?price__gte=20&sort=-price")

    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 2
    assert [item["price"] for item in page["items"]] == ["99.99", "25.50"]


async def test_a_product_is_created_read_updated_and_deleted(client):
    created = await client.post(
        "/catalog/products", json={"name": "Desk", "sku": "D-1", "price": "120.00"}
    )
    assert created.status_code == 201
    product_id = created.json()["id"]

    updated = await client.patch(f"/catalog/products/{product_id}", json={"price": "99.00"})
    assert updated.json()["price"] == "99.00"

    assert (await client.delete(f"/catalog/products/{product_id}")).status_code == 204
    assert (await client.get(f"/catalog/products/{product_id}")).status_code == 404


async def test_a_duplicate_sku_is_a_conflict_naming_the_field(client, db):
    await add_products(db, "10.00")

    response = await client.post(
        "/catalog/products", json={"name": "Other", "sku": "L-1", "price": "5.00"}
    )

    assert response.status_code == 409
    assert "sku" in response.json()["detail"]


async def test_filtering_on_a_field_that_is_not_allowed_is_a_bad_request(client):
    response = await client.get("/catalog/products?sku=L-1")

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
