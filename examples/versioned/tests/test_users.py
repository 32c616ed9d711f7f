"""The users API through kwik's test client, as a v1 and as a v2 client sees it. The
directory is seeded again for each test (the application starts with each client).

The lifecycle tests set API_VERSIONS themselves, so they don't depend on today's date."""

from __future__ import annotations

import pytest

UPGRADE_GUIDE = "https://example.com/docs/upgrading-to-v2"


async def test_a_v1_client_reads_a_user_under_the_old_field_names(client):
    response = await client.get("/v1/users/1")

    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "full_name": "Ada Lovelace",
        "email": "ada@example.com",
        "newsletter": False,
    }


async def test_a_v2_client_reads_the_same_user_in_the_new_shape(client):
    response = await client.get("/v2/users/1")

    assert response.json() == {
        "id": 1,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "locale": "en",
    }


async def test_a_user_created_by_a_v1_client_gets_the_default_locale(client):
    created = await client.post(
        "/v1/users",
        json={"full_name": "Alan Turing", "email": "alan@example.com", "newsletter": True},
    )
    seen_by_v2 = await client.get(f"/v2/users/{created.json()['id']}")

    assert created.status_code == 201
    assert created.json() == {
        "id": 3,
        "full_name": "Alan Turing",
        "email": "alan@example.com",
        "newsletter": False,
    }
    assert seen_by_v2.json()["name"] == "Alan Turing"
    assert seen_by_v2.json()["locale"] == "en"


async def test_a_v1_validation_error_names_the_field_v1_sent(client):
    response = await client.post("/v1/users", json={"full_name": "", "email": "x@example.com"})

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [["body", "full_name"]]


async def test_each_version_lists_users_with_its_own_handler(client):
    v1 = await client.get("/v1/users")
    v2 = await client.get("/v2/users")

    assert [user["full_name"] for user in v1.json()] == ["Ada Lovelace", "Grace Hopper"]
    assert v2.json()["total"] == 2
    assert [user["name"] for user in v2.json()["items"]] == ["Ada Lovelace", "Grace Hopper"]


async def test_deleting_is_new_in_v2(client):
    in_v1 = await client.delete("/v1/users/2")
    in_v2 = await client.delete("/v2/users/2")

    assert in_v1.status_code == 404
    assert in_v1.json()["type"] == "urn:kwik:problem:not-in-api-version"
    assert in_v1.json()["versions"] == ["v2"]
    assert in_v2.status_code == 204
    assert (await client.get("/v2/users/2")).status_code == 404


@pytest.fixture
def v1_retiring(settings):
    settings.API_VERSIONS = {
        "v1": {"deprecated": "2026-06-01", "sunset": "2099-12-31", "link": UPGRADE_GUIDE},
        "v2": {},
    }


@pytest.fixture
def v1_retired(settings):
    settings.API_VERSIONS = {
        "v1": {"deprecated": "2026-06-01", "sunset": "2026-09-30", "link": UPGRADE_GUIDE},
        "v2": {},
    }


async def test_v1_answers_say_it_is_deprecated_when_it_retires_and_where_to_go(v1_retiring, client):
    v1 = await client.get("/v1/users/1")
    v2 = await client.get("/v2/users/1")

    assert v1.headers["Deprecation"] == "@1780272000"  # 2026-06-01T00:00:00Z
    assert v1.headers["Sunset"] == "Thu, 31 Dec 2099 00:00:00 GMT"
    assert v1.headers["Link"] == (
        f'<{UPGRADE_GUIDE}>; rel="deprecation", <{UPGRADE_GUIDE}>; rel="sunset"'
    )
    assert "Deprecation" not in v2.headers


async def test_after_its_sunset_v1_answers_410_gone(v1_retired, client):
    v1 = await client.get("/v1/users/1")
    v2 = await client.get("/v2/users/1")

    assert v1.status_code == 410
    assert v1.json()["type"] == "urn:kwik:problem:api-sunset"
    assert v1.json()["sunset"] == "2026-09-30"
    assert v2.status_code == 200
