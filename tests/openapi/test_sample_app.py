"""The document of real kwik routes (tests/openapi/sample_app): what handlers declare is what
the document says, and it validates."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from starlette.testclient import TestClient

import kwik
from kwik.asgi import get_application
from tests.openapi.sample_app import routes as sample

SAMPLE_SETTINGS = 'INSTALLED_APPS = ["tests.openapi.sample_app"]\nOPENAPI_TITLE = "Sample"\n'


@pytest.fixture
def document(project) -> dict:
    project.settings(SAMPLE_SETTINGS)
    kwik.setup("proj.settings")
    sample.ITEMS.clear()
    with TestClient(get_application()) as client:
        served = client.get("/openapi.json").json()
    validate(served)
    return served


def params_of(document: dict, path: str, method: str) -> dict[str, dict]:
    return {p["name"]: p for p in document["paths"][path][method].get("parameters", [])}


def test_every_route_is_an_operation_named_after_its_route(document):
    operations = {
        (path, method): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }

    assert operations == {
        ("/api/items/", "get"): "sample.list_items",
        ("/api/items/", "post"): "sample.create_item",
        ("/api/items/{item_id}", "get"): "sample.read_item",
        ("/api/items/{item_id}", "put"): "sample.replace_item",
        ("/api/items/{item_id}", "delete"): "sample.delete_item",
        ("/api/items/{item_id}/notes", "post"): "sample.add_note",
        ("/api/items/{item_id}/image", "put"): "sample.upload_image",
    }
    assert document["tags"] == [{"name": "items"}]


def test_query_constraints_defaults_and_lists_come_from_the_markers(document):
    params = params_of(document, "/api/items/", "get")

    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 50,
        "default": 10,
    }
    assert params["q"] == {
        "name": "q",
        "in": "query",
        "required": False,
        "description": "Part of the name",
        "schema": {"type": "string", "maxLength": 20},
    }
    assert (params["tag"]["explode"], params["tag"]["schema"]["type"]) == (True, "array")


def test_path_header_and_cookie_parameters_are_documented(document):
    params = params_of(document, "/api/items/{item_id}/notes", "post")

    assert params["item_id"]["schema"] == {"type": "integer", "minimum": 1}
    assert params["item_id"]["required"] is True
    assert params["x-request-id"]["in"] == "header"
    assert params["x-request-id"]["schema"] == {"type": "string", "maxLength": 64}
    assert params["session"]["in"] == "cookie"


def test_bodies_refer_to_shared_components(document):
    create = document["paths"]["/api/items/"]["post"]["requestBody"]
    replace = document["paths"]["/api/items/{item_id}"]["put"]["requestBody"]
    note = document["paths"]["/api/items/{item_id}/notes"]["post"]["requestBody"]

    assert create == replace
    assert create["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ItemIn"
    }
    [form] = note["content"].values()
    assert list(note["content"]) == ["application/x-www-form-urlencoded"]
    text = document["components"]["schemas"][form["schema"]["$ref"].rpartition("/")[2]]
    assert text["properties"]["text"]["maxLength"] == 200


def test_an_uploaded_file_is_a_binary_part_of_a_multipart_body(document):
    body = document["paths"]["/api/items/{item_id}/image"]["put"]["requestBody"]

    [(media_type, content)] = body["content"].items()
    assert media_type == "multipart/form-data"
    form = document["components"]["schemas"][content["schema"]["$ref"].rpartition("/")[2]]
    assert form["required"] == ["image"]
    assert form["properties"]["image"]["type"] == "string"
    assert form["properties"]["image"]["contentMediaType"] == "application/octet-stream"


def test_an_optional_form_field_is_its_type_alone_never_null(document):
    body = document["paths"]["/api/items/{item_id}/image"]["put"]["requestBody"]
    [content] = body["content"].values()
    form = document["components"]["schemas"][content["schema"]["$ref"].rpartition("/")[2]]

    assert form["properties"]["caption"] == {
        "type": "string",
        "maxLength": 100,
        "title": "Caption",
    }


def test_components_are_deduplicated_and_carry_constraints(document):
    schemas = document["components"]["schemas"]

    assert {"Item", "ItemIn", "Dimensions", "Note", "Problem", "ValidationProblem"} <= set(schemas)
    item_in = schemas["ItemIn"]
    assert item_in["properties"]["name"]["maxLength"] == 40
    assert item_in["properties"]["price"]["exclusiveMinimum"] == 0
    refs = [
        operation["responses"]["200"]["content"]["application/json"]["schema"]
        for operation in document["paths"]["/api/items/{item_id}"].values()
        if "200" in operation["responses"]
    ]
    assert refs == [{"$ref": "#/components/schemas/Item"}] * 2


def test_success_errors_and_problem_responses(document):
    create = document["paths"]["/api/items/"]["post"]["responses"]
    delete = document["paths"]["/api/items/{item_id}"]["delete"]["responses"]
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

    assert list(create) == ["201", "422", "default"]
    assert create["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Item"
    }
    assert list(delete) == ["204", "404", "422", "default"]
    assert delete["204"] == {"description": "No Content"}
    assert delete["404"] == {"description": "No item has this id", "content": problem}
    assert delete["default"]["content"] == problem


def test_security_declared_by_a_dependency(document):
    assert document["components"]["securitySchemes"] == {
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    }
    assert document["paths"]["/api/items/{item_id}"]["delete"]["security"] == [{"apiKey": []}]
    assert "security" not in document["paths"]["/api/items/{item_id}"]["get"]


def test_a_validation_error_matches_the_documented_problem(project):
    from jsonschema import Draft202012Validator

    project.settings(SAMPLE_SETTINGS)
    kwik.setup("proj.settings")
    with TestClient(get_application()) as client:
        served = client.get("/openapi.json").json()
        response = client.get("/api/items/", params={"limit": 500})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    # The document as the root, so the problem schema's references resolve inside it.
    schema = {**served, "$ref": "#/components/schemas/ValidationProblem"}
    Draft202012Validator(schema).validate(response.json())
