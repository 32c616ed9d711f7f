"""A key's rate-limit tier (API_KEY_RATE_LIMIT_TIERS) is enforced per key wherever the key
authenticates: each key has its own allowance, a rotation doesn't reset it, and a key past it is
answered 429 with Retry-After."""

from __future__ import annotations

import pytest

from tests.contrib.security.apikeys.helpers import header, make_key, rotate, set_columns


@pytest.fixture
def key_settings() -> dict[str, object]:
    return {"API_KEY_RATE_LIMIT_TIERS": {"free": "2/minute", "pro": "100/minute"}}


async def statuses(client, key: str, count: int, path: str = "/keyed/orders") -> list[int]:
    return [(await client.get(path, headers=header(key))).status_code for _ in range(count)]


async def test_a_key_past_its_tier_gets_a_429_problem_with_retry_after(client):
    issued = await make_key(tier="free")

    assert await statuses(client, issued.key, 2) == [200, 200]
    refused = await client.get("/keyed/orders", headers=header(issued.key))

    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0


async def test_the_allowance_is_per_key_across_routes(client):
    first = await make_key("first", tier="free")
    second = await make_key("second", tier="free")

    assert await statuses(client, first.key, 1, "/keyed/whoami") == [200]
    assert await statuses(client, first.key, 2) == [200, 429]
    assert await statuses(client, second.key, 2) == [200, 200]


async def test_a_rotation_does_not_reset_the_allowance(client):
    old = await make_key(tier="free")
    assert await statuses(client, old.key, 2) == [200, 200]

    new = await rotate(old.row.key_id)

    assert await statuses(client, new.key, 1) == [429]


async def test_a_key_without_a_tier_or_with_a_tier_the_settings_dropped_is_not_limited(client):
    untiered = await make_key("untiered")
    dropped = await make_key("dropped", tier="free")
    await set_columns(dropped.row.key_id, tier="gone")

    assert await statuses(client, untiered.key, 4) == [200] * 4
    assert await statuses(client, dropped.key, 4) == [200] * 4


async def test_a_bigger_tier_allows_more(client):
    issued = await make_key(tier="pro")

    assert await statuses(client, issued.key, 5) == [200] * 5


async def test_a_refused_key_is_not_counted_against_its_tier(client):
    issued = await make_key(tier="free")
    wrong = issued.key[:-1] + ("x" if issued.key[-1] != "x" else "y")

    assert await statuses(client, wrong, 3) == [401] * 3
    assert await statuses(client, issued.key, 2) == [200, 200]


async def test_openapi_documents_the_429_of_key_protected_routes(client):
    document = (await client.get("/openapi.json")).json()

    assert "429" in document["paths"]["/keyed/orders"]["get"]["responses"]
    assert "429" in document["paths"]["/keyed/whoami"]["get"]["responses"]


async def test_an_allowed_response_carries_the_tiers_ratelimit_headers(client):
    issued = await make_key(tier="free")

    response = await client.get("/keyed/orders", headers=header(issued.key))

    assert response.status_code == 200
    assert "free" in response.headers["ratelimit-policy"]
    assert "ratelimit" in response.headers
