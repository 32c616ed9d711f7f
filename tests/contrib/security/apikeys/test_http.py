"""API keys through real HTTP requests to a project's app (SQLite and PostgreSQL): every key
that can't be used is refused with its problem document, a key without a required scope gets a
403 naming it, and a good key passes however the route requires it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest

from kwik.contrib.security.apikeys import PROBLEM_TYPES, parse_key
from tests.contrib.security.apikeys.helpers import (
    age,
    header,
    make_key,
    rotate,
    set_columns,
    statements,
)
from tests.contrib.security.apikeys.helpers import now_plus as later

CHALLENGE = 'APIKey header="X-API-Key"'
INVALID_CHALLENGE = 'APIKey header="X-API-Key", error="invalid_key"'


def problem(response: httpx2.Response, status: int, reason: str) -> dict[str, Any]:
    """The response's problem document, checked to be the one for `reason`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["status"]) == (PROBLEM_TYPES[reason], status)
    return body


async def test_a_good_key_reaches_the_handler_and_is_put_in_the_scope(client):
    issued = await make_key("billing", ("orders:read",))

    response = await client.get("/keyed/whoami", headers=header(issued.key))

    assert response.json() == {
        "key_id": issued.row.key_id,
        "name": "billing",
        "scopes": ["orders:read"],
        "in_scope": True,
    }


@pytest.mark.parametrize("sent", [{}, {"X-API-Key": ""}])
async def test_a_request_without_a_key_is_401_naming_the_header(client, sent):
    response = await client.get("/keyed/orders", headers=sent)

    body = problem(response, 401, "missing")
    assert body["detail"] == "This needs an API key in the X-API-Key header"
    assert response.headers["www-authenticate"] == CHALLENGE


@pytest.mark.parametrize(
    "mangle",
    [
        lambda key: key[:-1],
        lambda key: key[:20] + ("A" if key[20] != "A" else "B") + key[21:],
        lambda key: "ghp_" + key[4:],
        lambda key: "Bearer " + key,
        lambda key: "x" * 5000,
    ],
    ids=["truncated", "typo", "other-service", "with-scheme", "garbage"],
)
async def test_a_malformed_key_is_401_saying_so(client, mangle):
    issued = await make_key()

    response = await client.get("/keyed/orders", headers=header(mangle(issued.key)))

    body = problem(response, 401, "malformed")
    assert "prefix, length or checksum is wrong" in body["detail"]
    assert response.headers["www-authenticate"] == INVALID_CHALLENGE


async def test_an_unknown_key_and_a_wrong_secret_get_the_same_answer(client):
    issued = await make_key()
    parsed = parse_key(issued.key)
    assert parsed is not None
    unknown = type(parsed)(parsed.prefix, "Z" * 12, parsed.secret).text
    wrong = type(parsed)(parsed.prefix, parsed.key_id, "Q" * 32).text

    answers = [await client.get("/keyed/orders", headers=header(key)) for key in (unknown, wrong)]

    bodies = [problem(answer, 401, "invalid") for answer in answers]
    assert (
        bodies[0]
        == bodies[1]
        == {
            "type": PROBLEM_TYPES["invalid"],
            "title": "Invalid API key",
            "status": 401,
            "detail": "The API key is not valid",
        }
    )
    assert answers[0].headers["www-authenticate"] == answers[1].headers["www-authenticate"]


async def test_an_expired_key_is_401_saying_it_expired(client):
    issued = await make_key(ttl=timedelta(hours=1))
    assert (await client.get("/keyed/orders", headers=header(issued.key))).status_code == 200

    await age(issued.row.key_id, hours=2)
    response = await client.get("/keyed/orders", headers=header(issued.key))

    body = problem(response, 401, "expired")
    assert body["detail"].startswith("The API key expired at ")
    assert response.headers["www-authenticate"] == INVALID_CHALLENGE


async def test_a_revoked_key_is_401_saying_it_was_revoked(client):
    issued = await make_key()
    await set_columns(issued.row.key_id, revoked_at=later())

    response = await client.get("/keyed/orders", headers=header(issued.key))

    assert problem(response, 401, "revoked")["title"] == "Revoked API key"


async def test_a_rotated_keys_old_secret_works_during_the_overlap_then_is_401(client):
    old = await make_key()
    new = await rotate(old.row.key_id, timedelta(minutes=30))

    during = await client.get("/keyed/orders", headers=header(old.key))
    await age(old.row.key_id, minutes=31)
    after = await client.get("/keyed/orders", headers=header(old.key))
    fresh = await client.get("/keyed/orders", headers=header(new.key))

    assert during.status_code == 200
    body = problem(after, 401, "rotated")
    assert body["detail"].endswith("; use the new key")
    assert fresh.status_code == 200


async def test_a_key_without_the_scope_is_403_listing_what_is_missing(client):
    issued = await make_key("reader", ("orders:read",))

    response = await client.post("/keyed/orders", headers=header(issued.key))

    body = problem(response, 403, "insufficient_scope")
    assert body["missing_scopes"] == ["orders:write"]
    assert body["detail"] == "The API key lacks the scope orders:write"
    assert response.headers["www-authenticate"] == (
        'APIKey header="X-API-Key", error="insufficient_scope", scope="orders:write"'
    )


async def test_the_scope_as_a_parameter_passes_the_key_to_the_handler(client):
    issued = await make_key("writer", ("orders:write",))

    response = await client.post("/keyed/orders", headers=header(issued.key))

    assert (response.status_code, response.json()) == (201, {"created_by": "writer"})


async def test_a_routers_required_scope_applies_to_each_of_its_routes(client):
    reader = await make_key("reader", ("orders:read",))
    admin = await make_key("admin", ("admin",))

    refused = await client.get("/keyed/admin/stats", headers=header(reader.key))
    allowed = await client.get("/keyed/admin/stats", headers=header(admin.key))

    assert problem(refused, 403, "insufficient_scope")["missing_scopes"] == ["admin"]
    assert allowed.json() == {"keys": 1}


async def test_security_with_scopes_written_out_is_enforced_too(client):
    issued = await make_key("reader", ("orders:read",))

    response = await client.get("/keyed/reports", headers=header(issued.key))

    assert problem(response, 403, "insufficient_scope")["missing_scopes"] == ["reports:read"]


async def test_every_scope_a_route_requires_is_checked(client):
    orders_only = await make_key("orders", ("orders:read",))
    reports_only = await make_key("reports", ("reports:read",))
    both = await make_key("both", ("orders:read", "reports:read"))

    answers = [
        await client.get("/keyed/audit", headers=header(issued.key))
        for issued in (orders_only, reports_only, both)
    ]

    assert problem(answers[0], 403, "insufficient_scope")["missing_scopes"] == ["reports:read"]
    assert problem(answers[1], 403, "insufficient_scope")["missing_scopes"] == ["orders:read"]
    assert answers[2].json() == {"same": True}


async def test_a_key_is_looked_up_once_per_request_however_many_checks(client):
    issued = await make_key("both", ("orders:read", "reports:read"))
    await client.get("/keyed/audit", headers=header(issued.key))  # last_used_at written

    with statements() as seen:
        response = await client.get("/keyed/audit", headers=header(issued.key))

    assert response.status_code == 200
    assert len([s for s in seen if "FROM security_apikey" in s]) == 1
    assert [s for s in seen if s.startswith("UPDATE")] == []


@pytest.mark.parametrize(
    ("granted", "allowed"),
    [
        (("orders:*",), [True, True, False]),
        (("*",), [True, True, True]),
        (("orders:read",), [True, False, False]),
    ],
)
async def test_wildcards_grant_every_scope_under_them(client, granted, allowed):
    issued = await make_key("wild", granted)
    sent = header(issued.key)

    answers = [
        await client.get("/keyed/orders", headers=sent),
        await client.post("/keyed/orders", headers=sent),
        await client.get("/keyed/admin/stats", headers=sent),
    ]

    assert [answer.status_code < 400 for answer in answers] == allowed


async def test_a_key_with_no_scopes_passes_only_where_none_is_required(client):
    issued = await make_key("bare", ())

    whoami = await client.get("/keyed/whoami", headers=header(issued.key))
    orders = await client.get("/keyed/orders", headers=header(issued.key))

    assert whoami.status_code == 200
    assert orders.status_code == 403
