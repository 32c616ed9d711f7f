"""Rate limits on routes, over HTTP: what a limited client gets (a 429 problem with Retry-After
and the IETF RateLimit headers), who counts apart from whom (addresses, routes, API keys,
users, everyone on an endpoint), costs, several limits, settings, and OpenAPI.

The project (conftest) installs auth, security and the `limited` app, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from kwik.contrib.security.apikeys.keys import generate_key
from kwik.contrib.security.ratelimit import RATE_LIMITED

PASSWORD = "violet-kumquat-harbour-42"


async def statuses(client, path: str, times: int, method: str = "GET", **options) -> list[int]:
    return [(await client.request(method, path, **options)).status_code for _ in range(times)]


async def test_a_route_allows_its_limit_then_refuses(client_at):
    client = client_at()
    assert await statuses(client, "/limited/ip", 5) == [200, 200, 200, 429, 429]


async def test_a_refused_request_gets_a_problem_document_with_retry_after(client_at):
    client = client_at()
    await statuses(client, "/limited/ip", 3)
    refused = await client.get("/limited/ip")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json() == {
        "type": RATE_LIMITED,
        "title": "Too many requests",
        "status": 429,
        "detail": "At most 3/minute; retry in 20 seconds",
        "violated-policies": ["ip:3/minute"],
    }
    assert refused.headers["retry-after"] == "20"  # GCRA: one of 3 units comes back per 20 s
    assert refused.headers["ratelimit-policy"] == '"ip:3/minute";q=3;w=60'
    assert refused.headers["ratelimit"] == '"ip:3/minute";r=0;t=20'


async def test_allowed_responses_say_how_much_is_left(client_at):
    client = client_at()
    first = await client.get("/limited/ip")
    second = await client.get("/limited/ip")
    assert first.headers["ratelimit-policy"] == '"ip:3/minute";q=3;w=60'
    assert first.headers["ratelimit"] == '"ip:3/minute";r=2;t=20'
    assert second.headers["ratelimit"] == '"ip:3/minute";r=1;t=40'


async def test_an_unlimited_route_sends_no_ratelimit_headers(client_at):
    response = await client_at().get("/limited/ping")
    assert "ratelimit" not in response.headers
    assert "ratelimit-policy" not in response.headers


async def test_each_client_address_counts_apart(client_at):
    first, second = client_at("203.0.113.1"), client_at("203.0.113.2")
    assert await statuses(first, "/limited/ip", 4) == [200, 200, 200, 429]
    assert await statuses(second, "/limited/ip", 4) == [200, 200, 200, 429]


async def test_each_route_counts_apart(client_at):
    client = client_at()
    assert await statuses(client, "/limited/ip", 4) == [200, 200, 200, 429]
    assert await statuses(client, "/limited/ip-too", 4) == [200, 200, 200, 429]


async def test_a_router_limit_counts_each_of_its_routes_apart(client_at):
    client = client_at()
    assert await statuses(client, "/limited/group/one", 3) == [200, 200, 429]
    assert await statuses(client, "/limited/group/two", 3) == [200, 200, 429]


async def handshake(app, path: str) -> list[str]:
    """Open a WebSocket on `app` (plain ASGI messages, this event loop); what the app sent."""
    incoming = [{"type": "websocket.connect"}]
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("203.0.113.1", 40000),
        "server": ("testserver", 80),
        "subprotocols": [],
    }
    await app(scope, receive, send)
    return [message["type"] for message in sent]


async def test_a_router_limit_leaves_its_websocket_routes_alone(app):
    opened = ["websocket.accept", "websocket.send", "websocket.close"]
    for _ in range(3):
        assert await handshake(app, "/limited/group/live") == opened


async def test_a_named_limit_is_shared_by_the_routes_it_is_on(client_at):
    client = client_at()
    assert await statuses(client, "/limited/shared-a", 2) == [200, 200]
    assert await statuses(client, "/limited/shared-b", 2) == [200, 429]
    assert (
        (await client.get("/limited/shared-a"))
        .headers["ratelimit-policy"]
        .startswith('"shared:3/minute"')
    )


async def test_an_endpoint_limit_counts_every_client_together(client_at):
    assert await statuses(client_at("203.0.113.1"), "/limited/endpoint", 2) == [200, 200]
    assert await statuses(client_at("203.0.113.2"), "/limited/endpoint", 2) == [200, 429]


async def test_an_api_key_limit_counts_each_key_apart(client_at):
    client = client_at()
    alpha, beta = {"X-API-Key": generate_key().text}, {"X-API-Key": generate_key().text}
    assert await statuses(client, "/limited/apikey", 4, headers=alpha) == [200, 200, 200, 429]
    assert await statuses(client, "/limited/apikey", 1, headers=beta) == [200]
    assert await statuses(client, "/limited/apikey", 1) == [200]  # no key: by address


async def test_an_api_key_limit_follows_the_key_across_addresses(client_at):
    key = {"X-API-Key": generate_key().text}
    assert await statuses(client_at("203.0.113.1"), "/limited/apikey", 3, headers=key) == [200] * 3
    assert await statuses(client_at("203.0.113.2"), "/limited/apikey", 1, headers=key) == [429]


async def test_requests_without_a_well_formed_key_count_by_address(client_at):
    client = client_at()
    genuine = generate_key().text
    forged = genuine[:-1] + ("x" if genuine[-1] != "x" else "y")  # a broken checksum
    assert await statuses(client, "/limited/apikey", 2, headers={"X-API-Key": forged}) == [200] * 2
    assert await statuses(client, "/limited/apikey", 1, headers={"X-API-Key": "junk"}) == [200]
    assert await statuses(client, "/limited/apikey", 1) == [429]
    other = {"X-API-Key": generate_key().text}
    assert await statuses(client, "/limited/apikey", 1, headers=other) == [200]


async def bearer(client, email: str) -> dict[str, str]:
    credentials = {"email": email, "password": PASSWORD}
    assert (await client.post("/auth/register", json=credentials)).status_code == 202
    token = (await client.post("/auth/login", json=credentials)).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


async def test_a_user_limit_counts_each_user_apart_wherever_they_call_from(client_at):
    office, home = client_at("203.0.113.1"), client_at("203.0.113.2")
    ada = await bearer(office, "ada@example.com")
    bob = await bearer(office, "bob@example.com")
    assert await statuses(office, "/limited/user", 2, headers=ada) == [200, 200]
    assert await statuses(home, "/limited/user", 2, headers=ada) == [200, 429]
    assert await statuses(office, "/limited/user", 3, headers=bob) == [200, 200, 200]


async def test_a_user_limit_counts_anonymous_requests_by_address(client_at):
    office, home = client_at("203.0.113.1"), client_at("203.0.113.2")
    ada = await bearer(office, "ada@example.com")
    assert await statuses(office, "/limited/user", 4) == [200, 200, 200, 429]
    assert await statuses(home, "/limited/user", 1) == [200]
    assert await statuses(office, "/limited/user", 1, headers=ada) == [200]


async def test_a_user_limit_refuses_a_bad_token_before_counting(client_at):
    client = client_at()
    bad = {"Authorization": "Bearer not-a-token"}
    assert await statuses(client, "/limited/user", 4, headers=bad) == [401] * 4
    assert await statuses(client, "/limited/user", 3) == [200, 200, 200]


@pytest.mark.parametrize("path", ["/limited/tenant", "/limited/async-tenant"])
async def test_a_key_function_decides_the_counter(client_at, path):
    client = client_at()
    acme, globex = {"X-Tenant": "acme"}, {"X-Tenant": "globex"}
    assert await statuses(client, path, 4, headers=acme) == [200, 200, 200, 429]
    assert await statuses(client, path, 1, headers=globex) == [200]


async def test_a_costly_route_spends_its_cost_per_request(client_at):
    client = client_at()
    assert await statuses(client, "/limited/export", 3, method="POST") == [200, 200, 429]


async def test_with_several_limits_the_headers_report_the_most_restrictive(client_at):
    client = client_at()
    first = await client.get("/limited/several")
    assert first.headers["ratelimit-policy"] == ('"ip:5/second";q=5;w=1, "ip:3/hour";q=3;w=3600')
    assert first.headers["ratelimit"] == '"ip:3/hour";r=2;t=1200'
    await statuses(client, "/limited/several", 2)
    refused = await client.get("/limited/several")
    assert refused.json()["violated-policies"] == ["ip:3/hour"]
    assert refused.headers["retry-after"] == "1200"


async def test_a_fixed_window_limit_waits_for_the_next_window(client_at):
    client = client_at()
    assert await statuses(client, "/limited/fixed", 3) == [200, 200, 200]
    refused = await client.get("/limited/fixed")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_limited_routes_document_429_in_openapi(client_at):
    document = (await client_at().get("/openapi.json")).json()
    limited = document["paths"]["/limited/ip"]["get"]["responses"]
    assert "429" in limited
    assert "Retry-After" in limited["429"]["description"]
    schema_ref = limited["429"]["content"]["application/problem+json"]["schema"]["$ref"]
    assert schema_ref.endswith("/RateLimitedProblem")
    schema = document["components"]["schemas"]["RateLimitedProblem"]
    assert "violated-policies" in schema["properties"]
    assert "429" in document["paths"]["/limited/group/one"]["get"]["responses"]
    assert "429" not in document["paths"]["/limited/ping"]["get"]["responses"]


# Settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("project_settings", [{"RATE_LIMIT_ENABLED": False}])
async def test_rate_limit_enabled_off_limits_nothing(client_at):
    client = client_at()
    assert await statuses(client, "/limited/ip", 5) == [200] * 5
    assert "ratelimit" not in (await client.get("/limited/ip")).headers


@pytest.mark.parametrize("project_settings", [{"RATE_LIMIT_HEADERS": False}])
async def test_without_headers_a_refusal_still_says_when_to_retry(client_at):
    client = client_at()
    allowed = await client.get("/limited/ip")
    assert "ratelimit" not in allowed.headers
    await statuses(client, "/limited/ip", 2)
    refused = await client.get("/limited/ip")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "20"
    assert "ratelimit" not in refused.headers


BY_NAME = {
    "limited:from_*": "2/minute",
    "limited:ping": {"limit": "1/minute", "key": "endpoint"},
}


@pytest.mark.parametrize("project_settings", [{"RATE_LIMIT_ROUTES": BY_NAME}])
async def test_settings_limit_routes_by_name_with_globs(client_at):
    first, second = client_at("203.0.113.1"), client_at("203.0.113.2")
    assert await statuses(first, "/limited/from-settings", 3) == [200, 200, 429]
    assert await statuses(second, "/limited/from-settings", 1) == [200]
    assert await statuses(first, "/limited/ping", 1) == [200]
    assert await statuses(second, "/limited/ping", 1) == [429]
    assert await statuses(first, "/limited/ip", 3) == [200, 200, 200]  # its own limit only


@pytest.mark.parametrize("project_settings", [{"RATE_LIMIT_ROUTES": {"limited:by_ip": "1/minute"}}])
async def test_a_settings_limit_adds_to_the_routes_own(client_at):
    client = client_at()
    response = await client.get("/limited/ip")
    assert response.headers["ratelimit-policy"] == (
        '"ip:1/minute";q=1;w=60, "ip:3/minute";q=3;w=60'
    )
    refused = await client.get("/limited/ip")
    assert refused.json()["violated-policies"] == ["ip:1/minute"]


@pytest.mark.parametrize("project_settings", [{"RATE_LIMIT_DEFAULT": "2/minute"}])
async def test_the_default_limit_covers_every_request_per_address(client_at):
    first, second = client_at("203.0.113.1"), client_at("203.0.113.2")
    allowed = await first.get("/limited/ping")
    assert allowed.status_code == 200
    assert (await first.get("/no/such/page")).status_code == 404  # counted too
    refused = await first.get("/limited/ping")
    assert refused.status_code == 429
    assert refused.headers["ratelimit-policy"] == '"default:2/minute";q=2;w=60'
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["violated-policies"] == ["default:2/minute"]
    assert refused.headers["retry-after"] == "30"
    assert refused.headers["x-content-type-options"] == "nosniff"  # security headers too
    assert await statuses(second, "/limited/ping", 1) == [200]


@pytest.mark.parametrize("project_settings", [{"RATE_LIMIT_DEFAULT": "100/minute"}])
async def test_only_a_routes_own_limits_send_headers_on_allowed_responses(client_at):
    # The default limit is a safety net: it reports itself on its 429 only, so clients pace
    # themselves by the route's limits, and the hot path formats no header for it.
    response = await client_at().get("/limited/ip")
    assert response.headers["ratelimit-policy"] == '"ip:3/minute";q=3;w=60'
    assert "ratelimit-policy" not in (await client_at().get("/limited/ping")).headers


@pytest.mark.parametrize("project_settings", [{"RATE_LIMIT_BACKEND": "database"}])
async def test_a_user_limit_counts_in_the_database_too(client_at):
    client = client_at()
    ada = await bearer(client, "ada@example.com")
    assert await statuses(client, "/limited/user", 4, headers=ada) == [200, 200, 200, 429]
    assert await statuses(client, "/limited/user", 1) == [200]
