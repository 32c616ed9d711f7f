"""End to end over a real socket: list, cursor, detail, create, update and delete endpoints
written with a Router and the service dependency, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx2
import pytest

import kwik
from kwik.asgi import get_application
from kwik.db import database, session
from tests.db.crud_app.support import create_tables, seed_catalog
from tests.support import serve

pytestmark = pytest.mark.slow


async def prepare() -> None:
    await create_tables(database().engine)
    async with session() as current:
        await seed_catalog(current)
    await database().dispose()


@pytest.fixture
def client(project, database_url) -> Iterator[httpx2.Client]:
    """A client of the catalog endpoints served by uvicorn, on a seeded database."""
    project.settings(
        f"""
        ROOT_URLCONF = "tests.db.crud_app.urls"
        DATABASE_URL = {database_url!r}
        """
    )
    kwik.setup("proj.settings")
    asyncio.run(prepare())
    with serve(get_application()) as base_url, httpx2.Client(base_url=base_url) as client:
        yield client


def test_the_list_endpoint_filters_sorts_and_pages_from_the_query_string(client):
    response = client.get(
        "/products",
        params={"price__gte": "10", "name__icontains": "lamp", "sort": "-price,name", "limit": 1},
    )

    assert response.status_code == 200
    body = response.json()
    assert [item["name"] for item in body["items"]] == ["Floor LAMP"]
    assert (body["total"], body["limit"], body["offset"]) == (2, 1, 0)
    assert body["items"][0]["price"] == "49.50"


def test_the_list_endpoint_takes_in_isnull_and_offset(client):
    response = client.get(
        "/products?status__in=new,paid&released_on__isnull=false&sort=name&limit=2&offset=1"
    )

    body = response.json()
    assert [item["name"] for item in body["items"]] == ["Gift card", "Oak chair"]
    assert body["total"] == 3


def test_the_cursor_endpoint_pages_to_the_end(client):
    names, cursor = [], None
    while True:
        params = {"sort": "-price", "limit": 4} | ({"cursor": cursor} if cursor else {})
        body = client.get("/products/feed", params=params).json()
        names += [item["name"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert names == ["Floor LAMP", "Oak chair", "Gift card", "Desk lamp", "Stool", "Lampshade 100%"]


def test_a_bad_list_query_is_a_400_problem_listing_each_bad_parameter(client):
    response = client.get("/products?colour=red&limit=500")

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Invalid list query"
    assert [error["loc"] for error in body["errors"]] == [["query", "colour"], ["query", "limit"]]


def test_a_tampered_cursor_is_a_400_problem(client):
    cursor = client.get("/products/feed?limit=2").json()["next_cursor"]

    response = client.get("/products/feed", params={"cursor": cursor[:-3] + "xyz"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["type"] == "invalid_cursor"


def test_the_detail_endpoint_returns_the_row(client):
    response = client.get("/products/3")

    assert response.status_code == 200
    assert response.json()["name"] == "Lampshade 100%"


def test_the_detail_of_a_missing_row_is_a_404_problem(client):
    response = client.get("/products/99")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Product with id=99 does not exist"


def test_create_commits_the_row_and_answers_201_with_it(client):
    response = client.post("/products", json={"name": "Sofa", "sku": "S-1", "price": "299.00"})

    assert response.status_code == 201
    created = response.json()
    assert (created["id"], created["status"], created["active"]) == (7, "new", True)
    assert client.get("/products/7").json()["price"] == "299.00"


def test_a_duplicate_create_is_a_409_problem_naming_the_field(client):
    response = client.post("/products", json={"name": "Lamp", "sku": "L-1", "price": "1"})

    assert response.status_code == 409
    body = response.json()
    assert (body["reason"], body["fields"]) == ("unique", ["sku"])
    assert client.get("/products?sku=L-1").json()["total"] == 1


def test_a_create_with_a_missing_category_is_a_409_and_writes_nothing(client):
    response = client.post(
        "/products", json={"name": "Sofa", "sku": "S-1", "price": "1", "category_id": 99}
    )

    assert response.status_code == 409
    assert response.json()["fields"] == ["category_id"]
    assert client.get("/products?sku=S-1").json()["total"] == 0


def test_update_changes_only_the_fields_sent(client):
    response = client.patch("/products/1", json={"price": "17.50"})

    assert response.status_code == 200
    stored = client.get("/products/1").json()
    assert (stored["price"], stored["name"], stored["stock"]) == ("17.50", "Desk lamp", 5)


def test_update_of_a_missing_row_is_a_404_problem(client):
    assert client.patch("/products/99", json={"price": "1"}).status_code == 404


def test_delete_answers_204_and_the_row_is_gone(client):
    response = client.delete("/products/2")

    assert response.status_code == 204
    assert client.get("/products/2").status_code == 404
    assert client.get("/products").json()["total"] == 5
