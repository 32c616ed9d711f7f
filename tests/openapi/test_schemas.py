"""Schemas: parameters with their constraints, bodies, responses, and shared components."""

from __future__ import annotations

import datetime
import enum
from typing import Annotated

from pydantic import BaseModel, Field, computed_field, create_model
from starlette.datastructures import UploadFile

from kwik.http.openapi import Problem
from kwik.http.specs import ResponseSpec
from tests.openapi.builders import body, document, operation, param, parameter, route


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    price: float = Field(gt=0)
    tags: list[str] = []


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Priced(BaseModel):
    net: float

    @computed_field  # type: ignore[prop-decorator]
    @property
    def gross(self) -> float:
        return self.net * 1.2


def _other_item_model() -> type[BaseModel]:
    """Another model named Item, from another module."""
    return create_model("Item", __module__="shop.legacy", sku=(str, ...))


# Parameters


def test_a_parameter_has_its_wire_name_source_and_requiredness():
    built = document(
        route(
            "/items/{item_id:int}",
            params=(
                param("item_id", int, "path"),
                param("q", str, required=False, default=None),
                param("x_token", str, "header", alias="x-token"),
                param("session", str, "cookie", required=False, default=None),
            ),
        )
    )

    located = [
        (p["name"], p["in"], p["required"])
        for p in operation(built, "/items/{item_id}")["parameters"]
    ]
    assert located == [
        ("item_id", "path", True),
        ("q", "query", False),
        ("x-token", "header", True),
        ("session", "cookie", False),
    ]


def test_constraints_come_from_the_field():
    built = document(
        route(
            "/search",
            params=(
                param("q", str, min_length=2, max_length=20, pattern=r"^\w+$"),
                param("page", int, ge=1, le=100, default=1, required=False),
                param("ratio", float, gt=0, lt=1, multiple_of=0.25),
            ),
        )
    )

    assert parameter(built, "/search", "q")["schema"] == {
        "type": "string",
        "minLength": 2,
        "maxLength": 20,
        "pattern": r"^\w+$",
    }
    assert parameter(built, "/search", "page")["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 1,
    }
    assert parameter(built, "/search", "ratio")["schema"] == {
        "type": "number",
        "exclusiveMinimum": 0,
        "exclusiveMaximum": 1,
        "multipleOf": 0.25,
    }


def test_description_examples_and_deprecation_of_a_parameter():
    built = document(
        route(
            "/search",
            params=(
                param(
                    "q",
                    str,
                    description="Words to look for",
                    examples=["lamp"],
                    deprecated=True,
                ),
            ),
        )
    )

    q = parameter(built, "/search", "q")
    assert q["description"] == "Words to look for"
    assert q["deprecated"] is True
    assert q["schema"]["examples"] == ["lamp"]


def test_an_optional_parameter_is_documented_without_null():
    built = document(route("/search", params=(param("q", str | None, default=None),)))

    assert parameter(built, "/search", "q") == {
        "name": "q",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
    }


def test_a_list_query_parameter_is_exploded():
    built = document(
        route("/items", params=(param("tag", list[str] | None, default=None),)),
    )

    tag = parameter(built, "/items", "tag")
    assert tag["schema"] == {"type": "array", "items": {"type": "string"}}
    assert (tag["style"], tag["explode"]) == ("form", True)


def test_defaults_are_written_as_json():
    built = document(
        route(
            "/events",
            params=(
                param("since", datetime.date, default=datetime.date(2026, 1, 2), required=False),
                param("color", Color, default=Color.RED, required=False),
            ),
        )
    )

    assert parameter(built, "/events", "since")["schema"]["default"] == "2026-01-02"
    assert parameter(built, "/events", "color")["schema"] == {
        "$ref": "#/components/schemas/Color",
        "default": "red",
    }
    assert built["components"]["schemas"]["Color"]["enum"] == ["red", "blue"]


def test_json_schema_extra_of_a_field_is_kept():
    built = document(
        route("/x", params=(param("q", str, json_schema_extra={"x-internal": True}),)),
    )

    assert parameter(built, "/x", "q")["schema"]["x-internal"] is True


# Request bodies


def test_a_json_body_refers_to_its_model_in_validation_mode():
    built = document(route("/items", ("POST",), body=body(Item, description="The new item")))

    assert operation(built, "/items", "post")["requestBody"] == {
        "description": "The new item",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
        "required": True,
    }
    item = built["components"]["schemas"]["Item"]
    assert item["required"] == ["name", "price"]
    assert item["properties"]["name"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 50,
        "title": "Name",
    }
    assert item["properties"]["price"]["exclusiveMinimum"] == 0


def test_a_body_that_is_not_a_model_carries_its_constraints_inline():
    built = document(
        route("/ids", ("POST",), body=body(Annotated[list[int], Field(max_length=100)]))
    )

    schema = operation(built, "/ids", "post")["requestBody"]["content"]["application/json"]
    assert schema["schema"] == {"type": "array", "items": {"type": "integer"}, "maxItems": 100}


def test_form_bodies_keep_their_media_type():
    class Login(BaseModel):
        username: str
        password: str

    built = document(
        route("/login", ("POST",), body=body(Login, "application/x-www-form-urlencoded")),
    )

    content = operation(built, "/login", "post")["requestBody"]["content"]
    assert content == {
        "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/Login"}}
    }


def test_uploaded_files_are_binary_strings():
    class Upload(BaseModel, arbitrary_types_allowed=True):
        title: str
        file: UploadFile
        attachments: list[UploadFile] = []

    built = document(route("/upload", ("POST",), body=body(Upload, "multipart/form-data")))

    properties = built["components"]["schemas"]["Upload"]["properties"]
    binary = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}
    assert {k: properties["file"][k] for k in binary} == binary
    assert properties["attachments"]["items"] == binary
    assert "multipart/form-data" in operation(built, "/upload", "post")["requestBody"]["content"]


def test_an_optional_body_is_not_required():
    built = document(route("/items", ("PUT",), body=body(Item, required=False)))

    assert operation(built, "/items", "put")["requestBody"]["required"] is False


# Responses


def test_the_success_response_has_its_schema_and_status_phrase():
    built = document(route("/items", ("POST",), responses=(ResponseSpec(201, Item),)))

    assert operation(built, "/items", "post")["responses"]["201"] == {
        "description": "Created",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
    }


def test_a_204_response_has_no_content():
    built = document(
        route("/items/{item_id:int}", ("DELETE",), responses=(ResponseSpec(204, None),))
    )

    assert operation(built, "/items/{item_id}", "delete")["responses"]["204"] == {
        "description": "No Content"
    }


def test_a_declared_error_without_a_model_is_a_problem_document():
    built = document(
        route(
            "/items/{item_id:int}",
            responses=(
                ResponseSpec(200, Item),
                ResponseSpec(404, None, description="No such item"),
            ),
        )
    )

    assert operation(built, "/items/{item_id}")["responses"]["404"] == {
        "description": "No such item",
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def test_a_declared_error_with_the_problem_model_uses_the_problem_media_type():
    built = document(route("/orders", ("POST",), responses=(ResponseSpec(409, Problem),)))

    content = operation(built, "/orders", "post")["responses"]["409"]["content"]
    assert list(content) == ["application/problem+json"]


def test_other_media_types_of_a_response_are_kept():
    built = document(
        route("/page", responses=(ResponseSpec(200, str, media_type="text/html"),)),
    )

    assert operation(built, "/page")["responses"]["200"]["content"] == {
        "text/html": {"schema": {"type": "string"}}
    }


def test_a_route_that_validates_anything_documents_422():
    built = document(
        route("/search", params=(param("q", str),)),
        route("/items", ("POST",), body=body(Item)),
        route("/ping"),
    )

    for path, method in (("/search", "get"), ("/items", "post")):
        assert operation(built, path, method)["responses"]["422"]["content"] == {
            "application/problem+json": {
                "schema": {"$ref": "#/components/schemas/ValidationProblem"}
            }
        }
    assert "422" not in operation(built, "/ping")["responses"]


def test_every_operation_documents_other_errors_as_problems():
    built = document(route("/ping"))

    assert operation(built, "/ping")["responses"]["default"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }


def test_responses_are_ordered_by_status_then_default():
    built = document(
        route(
            "/x",
            params=(param("q", str),),
            responses=(ResponseSpec(404, None), ResponseSpec(200, Item), ResponseSpec(201, Item)),
        )
    )

    assert list(operation(built, "/x")["responses"]) == ["200", "201", "404", "422", "default"]


def test_the_problem_schemas_follow_rfc_9457():
    schemas = document(route("/x", params=(param("q", str),)))["components"]["schemas"]

    problem, validation = schemas["Problem"], schemas["ValidationProblem"]
    assert problem["required"] == ["type", "title", "status"]
    assert set(problem["properties"]) == {"type", "title", "status", "detail", "instance"}
    assert problem["additionalProperties"] is True  # extension members are allowed
    entry = validation["properties"]["errors"]["items"]
    assert entry["required"] == ["loc", "msg", "type"]


# Components


def test_a_model_used_by_many_routes_is_one_component():
    built = document(
        route("/items", ("POST",), body=body(Item), responses=(ResponseSpec(201, Item),)),
        route("/items/{item_id:int}", responses=(ResponseSpec(200, Item),)),
        route("/items", responses=(ResponseSpec(200, list[Item]),)),
    )

    assert sorted(built["components"]["schemas"]) == ["Item", "Problem", "ValidationProblem"]
    listed = operation(built, "/items")["responses"]["200"]["content"]["application/json"]
    assert listed["schema"] == {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}


def test_a_model_whose_input_and_output_differ_gets_two_components():
    built = document(
        route("/prices", ("POST",), body=body(Priced), responses=(ResponseSpec(201, Priced),)),
    )

    schemas = built["components"]["schemas"]
    assert "gross" not in schemas["Priced-Input"]["properties"]
    assert "gross" in schemas["Priced-Output"]["properties"]


def test_two_models_with_one_name_get_distinct_deterministic_names():
    other = _other_item_model()
    built = document(
        route("/new", responses=(ResponseSpec(200, Item),)),
        route("/old", responses=(ResponseSpec(200, other),)),
    )

    names = sorted(name for name in built["components"]["schemas"] if "Item" in name)
    assert names == ["shop__legacy__Item", "tests__openapi__test_schemas__Item"]
    refs = {
        path: item["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        for path, item in built["paths"].items()
    }
    assert refs == {
        "/new": "#/components/schemas/tests__openapi__test_schemas__Item",
        "/old": "#/components/schemas/shop__legacy__Item",
    }


def test_components_are_sorted_by_name():
    class Zebra(BaseModel):
        a: int

    built = document(
        route("/z", responses=(ResponseSpec(200, Zebra),)),
        route("/i", responses=(ResponseSpec(200, Item),)),
    )

    names = list(built["components"]["schemas"])
    assert names == sorted(names)
