"""What the document says about compiled routes: path converters, collections, statuses without
content, and when a route can answer 422; always what the request path does."""

from __future__ import annotations

from collections import deque
from typing import Annotated, Any

from openapi_spec_validator import validate
from pydantic import BaseModel

from kwik.http import Path, Query, Response, Router
from kwik.http.openapi import openapi_document
from tests.openapi.builders import document, operation, parameter, route


class Item(BaseModel):
    id: int


def document_of(router: Router) -> dict[str, Any]:
    built = openapi_document(router.routes, title="Test", version="1.0")
    validate(built)
    return built


def test_an_int_path_value_has_one_schema_whether_or_not_the_handler_reads_it():
    router = Router()

    @router.get("/items/{item_id:int}")
    async def read(item_id: int) -> Item:
        return Item(id=item_id)

    @router.get("/items/{item_id:int}/ping")
    async def ping() -> dict[str, str]:
        return {}

    built = document_of(router)

    schema = {"type": "integer", "minimum": 0}  # the converter matches digits only
    assert parameter(built, "/items/{item_id}", "item_id")["schema"] == schema
    assert parameter(built, "/items/{item_id}/ping", "item_id")["schema"] == schema


def test_float_and_slug_path_values_carry_their_converters_pattern():
    router = Router()

    @router.get("/prices/{amount:float}/{label:slug}")
    async def price(amount: float, label: str) -> dict[str, str]:
        return {}

    built = document_of(router)

    assert parameter(built, "/prices/{amount}/{label}", "amount")["schema"] == {
        "type": "number",
        "minimum": 0,
        "pattern": "^[0-9]+(\\.[0-9]+)?$",
    }
    assert parameter(built, "/prices/{amount}/{label}", "label")["schema"] == {
        "type": "string",
        "pattern": "^[-a-zA-Z0-9_]+$",
    }


def test_a_path_variable_missing_from_a_hand_built_spec_uses_the_same_schemas():
    built = document(route("/prices/{amount:float}/{label:slug}/{n:int}"))

    assert parameter(built, "/prices/{amount}/{label}/{n}", "amount")["schema"]["pattern"] == (
        "^[0-9]+(\\.[0-9]+)?$"
    )
    assert parameter(built, "/prices/{amount}/{label}/{n}", "label")["schema"]["pattern"] == (
        "^[-a-zA-Z0-9_]+$"
    )
    assert parameter(built, "/prices/{amount}/{label}/{n}", "n")["schema"] == {
        "type": "integer",
        "minimum": 0,
    }


def test_a_route_reading_only_converted_path_values_documents_no_422():
    router = Router()

    @router.get("/items/{item_id:int}")
    async def read(item_id: int) -> Item:
        return Item(id=item_id)

    responses = operation(document_of(router), "/items/{item_id}")["responses"]

    assert list(responses) == ["200", "default"]


def test_a_path_value_with_constraints_of_its_own_can_be_a_422():
    router = Router()

    @router.get("/items/{item_id:int}")
    async def read(item_id: Annotated[int, Path(ge=1)], q: str | None = None) -> Item:
        return Item(id=item_id)

    responses = operation(document_of(router), "/items/{item_id}")["responses"]

    assert list(responses) == ["200", "422", "default"]


def test_a_deque_query_parameter_is_documented_as_the_array_it_is_read_as():
    router = Router()

    @router.get("/recent")
    async def recent(ids: Annotated[deque[int], Query()]) -> dict[str, int]:
        return {}

    ids = parameter(document_of(router), "/recent", "ids")

    assert (ids["schema"]["type"], ids["style"], ids["explode"]) == ("array", "form", True)


def test_a_205_success_is_documented_without_content_as_it_is_sent():
    router = Router()

    @router.post("/form", status_code=205)
    async def reset(response: Response) -> dict[str, str]:
        return {"status": "reset"}

    success = operation(document_of(router), "/form", "post")["responses"]["205"]

    assert success == {"description": "Reset Content"}


def test_the_422_schema_says_how_many_entries_it_lists_and_counts_the_rest():
    router = Router()

    @router.get("/search")
    async def search(q: str) -> dict[str, str]:
        return {}

    schema = document_of(router)["components"]["schemas"]["ValidationProblem"]

    assert schema["properties"]["errors"]["maxItems"] == 100
    assert schema["properties"]["omitted_errors"]["type"] == "integer"
