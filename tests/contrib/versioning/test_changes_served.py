"""A route written once for the newest version serves older ones through its changes: requests
of old clients are upgraded before validation, responses downgraded after serialization, and
validation errors name the fields as the old client sent them."""

from __future__ import annotations

from tests.contrib.versioning.conftest import client_of


async def test_responses_take_each_versions_shape(build):
    async with client_of(build()) as client:
        v1 = await client.get("/v1/users/7")
        v2 = await client.get("/v2/users/7")
        v3 = await client.get("/v3/users/7")
    assert v1.json() == {"id": 7, "full_name": "Alice", "fax": ""}
    assert v2.json() == {"id": 7, "name": "Alice"}
    assert v3.json() == {"id": 7, "name": "Alice", "nickname": "al"}
    assert int(v1.headers["content-length"]) == len(v1.content)


async def test_requests_of_old_clients_are_upgraded_before_validation(build):
    async with client_of(build()) as client:
        v1 = await client.post("/v1/users", json={"full_name": "Bob", "fax": "+1 555"})
        v2 = await client.post("/v2/users", json={"name": "Bob", "nickname": "ignored?"})
        v3 = await client.post("/v3/users", json={"name": "Bob", "nickname": "bobby"})
    assert v1.status_code == 201, v1.text
    assert v1.json() == {"id": 2, "full_name": "Bob", "fax": ""}
    # v2 knew no nickname: the request's default is filled in, and the response drops it
    assert v2.json() == {"id": 2, "name": "Bob"}
    assert v3.json() == {"id": 2, "name": "Bob", "nickname": "bobby"}


async def test_a_validation_error_names_the_field_the_old_client_sent(build):
    async with client_of(build()) as client:
        v1 = await client.post("/v1/users", json={"full_name": 42})
        v3 = await client.post("/v3/users", json={"name": 42})
    assert v1.status_code == v3.status_code == 422
    assert [error["loc"] for error in v1.json()["errors"]] == [["body", "full_name"]]
    assert [error["loc"] for error in v3.json()["errors"]] == [["body", "name"]]


async def test_a_body_that_is_not_json_gets_the_routes_own_answer(build):
    headers = {"content-type": "application/json"}
    async with client_of(build()) as client:
        old = await client.post("/v1/users", content=b"{not json", headers=headers)
        new = await client.post("/v3/users", content=b"{not json", headers=headers)
    assert old.status_code == new.status_code == 400
    assert old.headers["content-type"] == "application/problem+json"
    assert old.json()["detail"] == new.json()["detail"]


async def test_problems_are_never_rewritten(build):
    async with client_of(build()) as client:
        response = await client.get("/v1/users/not-a-number")
    assert response.status_code == 404
    assert "full_name" not in response.text


async def test_header_selection_serves_the_same_changes(build):
    async with client_of(build(API_VERSIONING=["header"])) as client:
        v1 = await client.get("/users/5", headers={"Accept-Version": "v1"})
        latest = await client.get("/users/5")
    assert v1.json() == {"id": 5, "full_name": "Alice", "fax": ""}
    assert latest.json() == {"id": 5, "name": "Alice", "nickname": "al"}
