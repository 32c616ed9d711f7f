"""What a dependency declares about itself reaches the document: security schemes with
alternatives (a bearer token *or* a cookie), and the error responses it may answer."""

from __future__ import annotations

from typing import Annotated

from kwik.http import Depends, HTTPError, Route, Router, Security
from kwik.http.openapi import openapi_document
from kwik.http.specs import SecuritySpec
from tests.openapi.builders import document, operation, route

BEARER = SecuritySpec("bearer", {"type": "http", "scheme": "bearer"})
COOKIE = SecuritySpec("session", {"type": "apiKey", "in": "cookie", "name": "sid"})
API_KEY = SecuritySpec("apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
EITHER = SecuritySpec(BEARER.name, BEARER.scheme, alternatives=(COOKIE,))


def test_a_scheme_with_an_alternative_is_one_requirement_per_choice():
    built = document(route("/me", security=(EITHER,)))

    assert operation(built, "/me")["security"] == [{"bearer": []}, {"session": []}]
    assert set(built["components"]["securitySchemes"]) == {"bearer", "session"}


def test_alternatives_combine_with_the_other_requirements_of_a_route():
    built = document(route("/orders", security=(EITHER, API_KEY)))

    assert operation(built, "/orders")["security"] == [
        {"bearer": [], "apiKey": []},
        {"session": [], "apiKey": []},
    ]


def test_the_same_alternatives_declared_twice_are_listed_once():
    built = document(route("/me", security=(EITHER, EITHER)))

    assert operation(built, "/me")["security"] == [{"bearer": []}, {"session": []}]


async def signed_in() -> str:
    raise HTTPError(401, "Sign in first")


signed_in.security_spec = EITHER  # type: ignore[attr-defined]
signed_in.openapi_responses = {401: {"description": "Not signed in"}}  # type: ignore[attr-defined]


async def staff(user: Annotated[str, Depends(signed_in)]) -> str:
    return user


staff.openapi_responses = {403: {"description": "Not staff"}}  # type: ignore[attr-defined]


def only_route(router: Router) -> Route:
    (found,) = router.routes
    assert isinstance(found, Route)
    return found


def test_scopes_asked_for_apply_to_every_alternative():
    router = Router()

    @router.get("/orders")
    async def orders(user: Annotated[str, Security(signed_in, scopes=["orders:read"])]) -> str:
        return user

    built = openapi_document(router.routes, title="T", version="1")

    assert built["paths"]["/orders"]["get"]["security"] == [
        {"bearer": ["orders:read"]},
        {"session": ["orders:read"]},
    ]


def test_responses_a_dependency_declares_are_documented_on_each_route_using_it():
    router = Router()

    @router.get("/reports", dependencies=[Depends(staff)])
    async def reports() -> list[str]:
        return []

    responses = openapi_document(router.routes, title="T", version="1")["paths"]["/reports"]["get"][
        "responses"
    ]

    assert responses["401"]["description"] == "Not signed in"
    assert responses["403"]["description"] == "Not staff"
    assert "application/problem+json" in responses["403"]["content"]
    assert [r.status_code for r in only_route(router).spec.responses] == [200, 403, 401]


def test_a_response_the_route_declares_wins_over_its_dependencys():
    router = Router()

    @router.get("/reports", responses={403: {"description": "Reports are for staff"}})
    async def reports(user: Annotated[str, Depends(staff)]) -> list[str]:
        return []

    responses = openapi_document(router.routes, title="T", version="1")["paths"]["/reports"]["get"][
        "responses"
    ]

    assert responses["403"]["description"] == "Reports are for staff"


def test_one_dependency_used_with_and_without_scopes_is_one_requirement_per_choice():
    router = Router()

    @router.get("/orders", dependencies=[Depends(signed_in)])
    async def orders(user: Annotated[str, Security(signed_in, scopes=["orders:read"])]) -> str:
        return user

    built = openapi_document(router.routes, title="T", version="1")

    assert built["paths"]["/orders"]["get"]["security"] == [
        {"bearer": ["orders:read"]},
        {"session": ["orders:read"]},
    ]
