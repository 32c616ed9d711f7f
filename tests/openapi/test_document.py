"""The document's shape: paths, operations and their metadata, from RouteSpecs alone."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field
from starlette.routing import Route

from kwik.exceptions import ImproperlyConfigured
from kwik.http.openapi import openapi_document
from kwik.http.specs import ResponseSpec, SecuritySpec
from tests.openapi.builders import document, operation, route


async def _endpoint(request: object) -> None:  # pragma: no cover - never called
    return None


def test_the_document_is_openapi_3_1_with_the_given_info():
    built = document(
        route("/ping"),
        title="Shop",
        description="Buy things",
        servers=[{"url": "https://api.example.com"}],
    )

    assert built["openapi"] == "3.1.0"
    assert built["info"] == {"title": "Shop", "version": "1.0", "description": "Buy things"}
    assert built["servers"] == [{"url": "https://api.example.com"}]


def test_no_routes_give_a_valid_empty_document():
    assert document()["paths"] == {}


def test_path_converters_are_left_out_of_path_templates():
    built = document(route("/items/{item_id:int}/parts/{slug}"))

    assert list(built["paths"]) == ["/items/{item_id}/parts/{slug}"]


def test_path_variables_the_handler_does_not_take_are_documented_from_their_converter():
    built = document(route("/items/{item_id:int}/{key:uuid}/{rest:path}"))

    params = {p["name"]: p for p in operation(built, "/items/{item_id}/{key}/{rest}")["parameters"]}
    assert params["item_id"]["schema"] == {"type": "integer", "minimum": 0}
    assert params["key"]["schema"] == {"type": "string", "format": "uuid"}
    assert params["rest"]["schema"] == {"type": "string"}
    assert all(p["in"] == "path" and p["required"] for p in params.values())


def test_operations_carry_id_tags_summary_description_and_deprecation():
    built = document(
        route(
            "/items",
            operation_id="list_items",
            summary="List items",
            description="Every item, newest first.",
            tags=("items", "catalog"),
            deprecated=True,
        )
    )

    assert operation(built, "/items") == {
        "tags": ["items", "catalog"],
        "summary": "List items",
        "description": "Every item, newest first.",
        "operationId": "list_items",
        "responses": operation(built, "/items")["responses"],
        "deprecated": True,
    }
    assert built["tags"] == [{"name": "items"}, {"name": "catalog"}]


def test_head_is_not_listed_beside_get():
    built = document(route("/items", ("GET", "HEAD")), route("/ping", ("HEAD",)))

    assert list(built["paths"]["/items"]) == ["get"]
    assert list(built["paths"]["/ping"]) == ["head"]


def test_operations_of_one_path_are_in_openapi_method_order():
    built = document(
        route("/items", ("POST",), operation_id="create"),
        route("/items", ("GET",), operation_id="list"),
        route("/items", ("PATCH", "DELETE"), operation_id="change"),
    )

    assert list(built["paths"]["/items"]) == ["get", "post", "delete", "patch"]


def test_a_route_with_several_methods_gets_one_operation_id_per_method():
    built = document(route("/items", ("GET", "POST"), operation_id="items"))

    assert operation(built, "/items", "get")["operationId"] == "items_get"
    assert operation(built, "/items", "post")["operationId"] == "items_post"


def test_repeated_operation_ids_are_made_unique_in_route_order():
    built = document(
        route("/a", operation_id="read"),
        route("/b", operation_id="read"),
        route("/c", operation_id="read"),
    )

    ids = [item["get"]["operationId"] for item in built["paths"].values()]
    assert ids == ["read", "read_2", "read_3"]


def test_a_second_route_on_the_same_method_and_path_is_left_out_as_unreachable():
    built = document(
        route("/items/{item_id:int}", operation_id="first"),
        route("/items/{pk:int}", operation_id="second"),
        route("/items/{item_id:int}", operation_id="first_again"),
    )

    assert operation(built, "/items/{item_id}")["operationId"] == "first"
    assert operation(built, "/items/{pk}")["operationId"] == "second"


def test_routes_excluded_from_the_schema_are_left_out():
    hidden_by_spec = route("/hidden", include_in_schema=False)
    hidden_route = Route("/hidden-route", _endpoint, include_in_schema=False)
    hidden_route.spec = route("/hidden-route")  # type: ignore[attr-defined]

    built = document(hidden_by_spec, hidden_route, route("/shown"))

    assert list(built["paths"]) == ["/shown"]


def test_routes_are_read_through_their_spec_and_routes_without_one_are_skipped():
    with_spec = Route("/items", _endpoint)
    with_spec.spec = route("/items", operation_id="items")  # type: ignore[attr-defined]
    without_spec = Route("/plain", _endpoint)

    built = document(with_spec, without_spec)

    assert list(built["paths"]) == ["/items"]


def test_a_subset_of_routes_is_a_document_of_its_own():
    routes = [route("/v1/items", tags=("v1",)), route("/v2/items", tags=("v2",))]

    built = document(*[spec for spec in routes if "v2" in spec.tags])

    assert list(built["paths"]) == ["/v2/items"]


def test_security_schemes_are_components_and_operations_list_their_requirements():
    bearer = SecuritySpec("bearer", {"type": "http", "scheme": "bearer"}, ("orders:read",))
    api_key = SecuritySpec("apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
    built = document(
        route("/orders", security=(bearer, api_key)),
        route("/public"),
    )

    assert built["components"]["securitySchemes"] == {
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "bearer": {"type": "http", "scheme": "bearer"},
    }
    assert operation(built, "/orders")["security"] == [{"bearer": ["orders:read"], "apiKey": []}]
    assert "security" not in operation(built, "/public")


def test_scopes_of_one_scheme_used_twice_by_a_route_are_merged():
    first = SecuritySpec("oauth", {"type": "oauth2", "flows": {}}, ("a", "b"))
    second = SecuritySpec("oauth", {"type": "oauth2", "flows": {}}, ("b", "c"))

    built = openapi_document([route("/x", security=(first, second))], title="T", version="1")

    assert operation(built, "/x")["security"] == [{"oauth": ["a", "b", "c"]}]


def test_one_scheme_name_declared_differently_is_refused():
    bearer = SecuritySpec("auth", {"type": "http", "scheme": "bearer"})
    basic = SecuritySpec("auth", {"type": "http", "scheme": "basic"})

    with pytest.raises(ImproperlyConfigured, match="'auth' is declared twice, differently"):
        openapi_document(
            [route("/a", security=(bearer,)), route("/b", security=(basic,))],
            title="T",
            version="1",
        )


class Item(BaseModel):
    name: str = Field(max_length=50)
    labels: dict[str, str] = {}


def test_the_same_routes_give_the_same_bytes():
    def build() -> str:
        specs = [
            route("/items", ("GET", "POST"), responses=(ResponseSpec(200, list[Item]),)),
            route("/items/{item_id:int}", responses=(ResponseSpec(200, Item),)),
        ]
        return json.dumps(openapi_document(specs, title="T", version="1"))

    assert build() == build()
