"""OpenAPI shows the API-key scheme, the scopes each operation requires, and the 401/403 it
may answer."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
async def document(client) -> dict[str, Any]:
    return (await client.get("/openapi.json")).json()


def operation(document: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    return document["paths"][path][method]


async def test_the_scheme_is_an_api_key_in_the_header(document):
    scheme = document["components"]["securitySchemes"]["apiKeyAuth"]

    assert {key: scheme[key] for key in ("type", "in", "name")} == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }


@pytest.mark.parametrize(
    ("path", "method", "scopes"),
    [
        ("/keyed/whoami", "get", []),
        ("/keyed/orders", "get", ["orders:read"]),
        ("/keyed/orders", "post", ["orders:write"]),
        ("/keyed/reports", "get", ["reports:read"]),
        ("/keyed/audit", "get", ["orders:read", "reports:read"]),
        ("/keyed/admin/stats", "get", ["admin"]),
    ],
)
async def test_each_operation_lists_the_scopes_it_requires(document, path, method, scopes):
    assert operation(document, path, method)["security"] == [{"apiKeyAuth": scopes}]


async def test_protected_operations_document_401_and_403_as_problems(document):
    responses = operation(document, "/keyed/orders")["responses"]

    assert set(responses) >= {"200", "401", "403"}
    assert "application/problem+json" in responses["401"]["content"]
    assert "scope" in responses["403"]["description"]


async def test_the_key_header_is_not_documented_as_a_plain_parameter(document):
    parameters = operation(document, "/keyed/orders").get("parameters", [])

    assert [p for p in parameters if p["name"].lower() == "x-api-key"] == []
