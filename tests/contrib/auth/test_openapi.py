"""What OpenAPI says about auth: the bearer and cookie schemes as alternatives on every route
that authenticates, 401 and 403 documented where they can happen, no security on the public
endpoints, and a valid document."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

EITHER = [{"bearerAuth": []}, {"sessionCookie": []}]


@pytest.fixture
async def document(client) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operation(document: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    return document["paths"][path][method]


async def test_the_document_is_valid_openapi(document):
    validate(document)


async def test_the_schemes_are_a_bearer_token_and_the_session_cookie(document):
    assert document["components"]["securitySchemes"] == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /auth/login",
        },
        "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "kwik_session"},
    }


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/auth/me", "get"),
        ("/auth/logout", "post"),
        ("/auth/password", "post"),
        ("/shop/mine", "get"),
        ("/shop/public", "get"),
        ("/shop/groups", "get"),
        ("/shop/groups", "post"),
        ("/shop/audit", "get"),
        ("/shop/staff/report", "get"),
        ("/shop/superusers-only", "get"),
    ],
)
async def test_authenticated_routes_take_either_scheme(document, path, method):
    assert operation(document, path, method)["security"] == EITHER


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/auth/register", "post"),
        ("/auth/login", "post"),
        ("/auth/password-reset", "post"),
        ("/auth/password-reset/confirm", "post"),
        ("/auth/session", "post"),
        ("/auth/session", "delete"),
    ],
)
async def test_public_endpoints_need_no_credentials(document, path, method):
    assert "security" not in operation(document, path, method)


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/auth/me", "get", {"401"}),
        ("/shop/mine", "get", {"401"}),
        ("/shop/groups", "get", {"401", "403"}),
        ("/shop/groups", "post", {"401", "403"}),
        ("/shop/staff/report", "get", {"401", "403"}),
        ("/shop/superusers-only", "get", {"401", "403"}),
        ("/auth/login", "post", {"401"}),
        ("/auth/session", "post", {"401", "403"}),
        ("/auth/password-reset/confirm", "post", {"400"}),
        ("/auth/register", "post", {"403"}),
    ],
)
async def test_refusals_are_documented_as_problems(document, path, method, statuses):
    responses = operation(document, path, method)["responses"]

    assert statuses <= set(responses)
    for status in statuses:
        assert "application/problem+json" in responses[status]["content"]


async def test_login_documents_its_body_and_token(document):
    login = operation(document, "/auth/login", "post")
    schemas = document["components"]["schemas"]

    body = login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body == "#/components/schemas/Credentials"
    assert schemas["Credentials"]["required"] == ["email", "password"]
    assert schemas["Credentials"]["properties"]["password"]["format"] == "password"
    assert set(schemas["TokenOut"]["properties"]) == {"access_token", "token_type", "expires_at"}


async def test_the_user_schema_has_no_password(document):
    properties = document["components"]["schemas"]["UserOut"]["properties"]

    assert "password" not in properties
    assert not [name for name in properties if "password" in name or "hash" in name]


async def test_the_accepted_answers_are_documented(document):
    for path in ("/auth/register", "/auth/password-reset"):
        responses = operation(document, path, "post")["responses"]
        assert responses["202"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Message"
        }
