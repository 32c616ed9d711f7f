"""The problem documents of a request kwik refuses before the handler runs: 422, 400, 415."""

from __future__ import annotations

import time
from typing import Annotated

from pydantic import BaseModel, Field

from kwik.http import (
    Body,
    Depends,
    Header,
    JSONResponse,
    Query,
    Request,
    RequestValidationError,
    Router,
)
from kwik.http.errors import MAX_REPORTED_ERRORS
from tests.http.clients import client_for, problem


class Item(BaseModel):
    name: str = Field(min_length=1)
    price: float = Field(gt=0)


calls: list[str] = []


async def opens_a_session() -> str:
    calls.append("session")
    return "session"


def page_size(size: Annotated[int, Query(le=50)] = 20) -> int:
    return size


def test_a_422_problem_lists_each_bad_value_with_its_location():
    router = Router()

    @router.get("/items")
    async def items(page: Annotated[int, Query(ge=1)]) -> dict[str, int]:
        return {"page": page}

    response = client_for(router).get("/items?page=0")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:kwik:problem:validation-error",
        "title": "Invalid request",
        "status": 422,
        "detail": "query.page: Input should be greater than or equal to 1",
        "errors": [
            {
                "loc": ["query", "page"],
                "msg": "Input should be greater than or equal to 1",
                "type": "greater_than_equal",
            }
        ],
    }


def test_every_problem_of_a_request_is_reported_at_once():
    router = Router()

    @router.post("/items/{item_id:int}")
    async def update(
        item_id: int,
        item: Item,
        notify: bool,
        x_version: Annotated[int, Header()],
    ) -> dict[str, str]:
        return {}

    response = client_for(router).post(
        "/items/1?notify=maybe", json={"name": "", "price": 2}, headers={"x-version": "v2"}
    )

    assert [error["loc"] for error in problem(response)["errors"]] == [
        ["query", "notify"],
        ["header", "x-version"],
        ["body", "name"],
    ]


def test_problems_from_dependencies_are_reported_with_the_handlers():
    router = Router()

    @router.get("/items")
    async def items(
        page: Annotated[int, Query(ge=1)], size: Annotated[int, Depends(page_size)]
    ) -> dict[str, int]:
        return {}

    response = client_for(router).get("/items?page=0&size=99")

    assert [error["loc"] for error in problem(response)["errors"]] == [
        ["query", "page"],
        ["query", "size"],
    ]


def test_no_dependency_runs_for_a_request_that_fails_validation():
    router = Router()
    calls.clear()

    @router.get("/items")
    async def items(
        session: Annotated[str, Depends(opens_a_session)], page: Annotated[int, Query(ge=1)]
    ) -> dict[str, int]:
        return {"page": page}

    client = client_for(router)

    assert client.get("/items?page=0").status_code == 422
    assert calls == []
    assert client.get("/items?page=1").status_code == 200
    assert calls == ["session"]


def test_malformed_json_is_a_400_saying_where_parsing_stopped():
    router = Router()

    @router.post("/items")
    async def create(item: Item) -> Item:
        return item

    response = client_for(router).post(
        "/items", content=b'{"name": "Lamp",}', headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert problem(response) == {
        "type": "urn:kwik:problem:malformed-json",
        "title": "Malformed JSON",
        "status": 400,
        "detail": "The request body is not valid JSON: trailing comma at line 1 column 17",
    }


def test_a_body_in_another_format_is_a_415():
    router = Router()

    @router.post("/items")
    async def create(item: Item) -> Item:
        return item

    response = client_for(router).post(
        "/items", content=b"name=Lamp", headers={"content-type": "text/plain; charset=utf-8"}
    )

    assert response.status_code == 415
    assert problem(response) == {
        "type": "about:blank",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": "This endpoint reads application/json; the request's Content-Type is text/plain",
    }


def test_validation_errors_can_be_given_a_handler_of_their_own():
    router = Router()

    @router.get("/items")
    async def items(page: int) -> dict[str, int]:
        return {"page": page}

    async def short_errors(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"bad": [error["loc"][-1] for error in exc.errors]}, 400)

    client = client_for(router, exception_handlers={RequestValidationError: short_errors})
    response = client.get("/items")

    assert (response.status_code, response.json()) == (400, {"bad": ["page"]})


def test_a_422_lists_at_most_100_entries_and_counts_the_rest():
    router = Router()

    @router.post("/ids")
    async def ids(ids: Annotated[list[int], Body()]) -> dict[str, int]:
        return {"count": len(ids)}

    response = client_for(router).post("/ids", json=["x"] * 250)

    body = problem(response)
    assert len(body["errors"]) == MAX_REPORTED_ERRORS == 100
    assert body["errors"][-1]["loc"] == ["body", 99]
    assert body["omitted_errors"] == 150
    assert body["detail"].endswith("; and 150 more")


def test_a_422_with_few_entries_has_no_omitted_count():
    router = Router()

    @router.post("/ids")
    async def ids(ids: Annotated[list[int], Body()]) -> dict[str, int]:
        return {"count": len(ids)}

    body = problem(client_for(router).post("/ids", json=["x", 1, "y"]))

    assert [error["loc"] for error in body["errors"]] == [["body", 0], ["body", 2]]
    assert "omitted_errors" not in body


def test_many_validation_errors_are_collected_in_linear_time():
    entries = [
        {"loc": ["body", index], "msg": "bad", "type": "int_parsing"} for index in range(50_000)
    ]

    started = time.perf_counter()
    error = RequestValidationError([*entries, *entries])  # each one reported twice

    assert time.perf_counter() - started < 1  # a list `in` check took minutes here
    assert len(error.errors) == MAX_REPORTED_ERRORS
    assert error.omitted == 50_000 - MAX_REPORTED_ERRORS
