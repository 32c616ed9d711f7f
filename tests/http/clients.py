"""The client the HTTP tests share: a Kwik application over one router's routes."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from kwik.http import Kwik, Router


def client_for(router: Router, **options: Any) -> TestClient:
    """A test client for `router`; server errors answer 500 instead of raising in the test."""
    return TestClient(Kwik(routes=router.routes, **options), raise_server_exceptions=False)


def problem(response: Any) -> dict[str, Any]:
    """The problem document of `response`, checking that it is one."""
    assert response.headers["content-type"] == "application/problem+json", response.text
    body = response.json()
    assert body["status"] == response.status_code
    return body
