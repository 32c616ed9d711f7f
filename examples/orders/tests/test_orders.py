"""Orders through kwik's test client, with keys made for each test (rolled back after it)."""

from __future__ import annotations

from kwik.contrib.security.apikeys import create_api_key


async def key(db, *scopes: str) -> dict[str, str]:
    """The header of a new key granted `scopes`."""
    issued = await create_api_key(db, "partner", scopes)
    return {"X-API-Key": issued.key}


async def test_a_writer_places_an_order_and_a_reader_lists_it(client, db):
    placed = await client.post(
        "/orders/", json={"item": "lamp", "quantity": 2}, headers=await key(db, "orders:write")
    )
    listed = await client.get("/orders/", headers=await key(db, "orders:read"))

    assert placed.status_code == 201
    assert placed.json()["placed_by"] == "partner"
    assert [order["item"] for order in listed.json()] == ["lamp"]


async def test_a_reader_cannot_place_orders(client, db):
    response = await client.post(
        "/orders/", json={"item": "lamp", "quantity": 2}, headers=await key(db, "orders:read")
    )

    assert response.status_code == 403
    assert response.json()["missing_scopes"] == ["orders:write"]


async def test_orders_star_grants_both(client, db):
    headers = await key(db, "orders:*")

    assert (await client.get("/orders/", headers=headers)).status_code == 200
    placed = await client.post("/orders/", json={"item": "desk", "quantity": 1}, headers=headers)
    assert placed.status_code == 201


async def test_without_a_key_the_answer_is_401(client):
    response = await client.get("/orders/")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
