"""API keys over a real socket: uvicorn serving the project and httpx as the client, on SQLite
and PostgreSQL. A good key passes; a wrong secret, a typo, and expired, revoked, wrong-scope and
rotated-out keys are each refused with their problem document."""

from __future__ import annotations

from datetime import timedelta

import httpx2
import pytest

from kwik.contrib.security.apikeys import PROBLEM_TYPES, ParsedKey, parse_key
from kwik.db import database
from tests.contrib.security.apikeys.helpers import age, make_key, rotate, set_columns
from tests.contrib.security.apikeys.helpers import now_plus as later
from tests.support import serve

pytestmark = pytest.mark.slow


async def test_each_kind_of_bad_key_is_refused_with_its_problem_over_http(app):
    good = await make_key("good", ("orders:read",))
    reader = await make_key("reader", ("orders:read",))
    expired = await make_key("expired", ("orders:read",), ttl=timedelta(hours=1))
    await age(expired.row.key_id, hours=2)
    revoked = await make_key("revoked", ("orders:read",))
    await set_columns(revoked.row.key_id, revoked_at=later())
    rotated = await make_key("rotated", ("orders:read",))
    current = await rotate(rotated.row.key_id, timedelta(minutes=5))
    await age(rotated.row.key_id, minutes=6)
    parsed = parse_key(good.key)
    assert parsed is not None
    wrong_secret = ParsedKey(parsed.prefix, parsed.key_id, "W" * 32).text
    cases = {
        "invalid": ("GET", wrong_secret, 401),
        "malformed": ("GET", good.key[:-1] + ("x" if good.key[-1] != "x" else "y"), 401),
        "expired": ("GET", expired.key, 401),
        "revoked": ("GET", revoked.key, 401),
        "insufficient_scope": ("POST", reader.key, 403),
        "rotated": ("GET", rotated.key, 401),
    }
    await database().dispose()  # the server's event loop opens its own connections

    with serve(app) as base_url, httpx2.Client(base_url=base_url) as http:
        ok = http.get("/keyed/orders", headers={"X-API-Key": good.key})
        renewed = http.get("/keyed/orders", headers={"X-API-Key": current.key})
        answers = {
            name: http.request(method, "/keyed/orders", headers={"X-API-Key": key})
            for name, (method, key, _) in cases.items()
        }

    assert (ok.status_code, ok.json()) == (200, ["order-1"])
    assert renewed.status_code == 200
    for name, (_, _, status) in cases.items():
        answer = answers[name]
        assert answer.status_code == status, (name, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == PROBLEM_TYPES[name]
        assert answer.headers["www-authenticate"].startswith('APIKey header="X-API-Key"')
