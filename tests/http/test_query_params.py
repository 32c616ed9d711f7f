"""Query parameters: scalars converted and constrained, defaults, aliases, lists, grouped models."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

import pytest
from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field

from kwik.exceptions import ImproperlyConfigured
from kwik.http import Query, Request, Route, Router
from tests.http.clients import client_for, problem


class Color(StrEnum):
    RED = "red"
    BLUE = "blue"


class Connection:
    """Not something a query string can carry."""


class Filters(BaseModel):
    limit: int = Field(10, ge=1, le=100)
    tags: list[str] = []
    search: str | None = Field(None, alias="q")


class StrictFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = 10


def test_a_parameter_not_in_the_path_is_read_from_the_query_and_converted():
    router = Router()

    @router.get("/items")
    async def items(page: int, ratio: float, active: bool) -> dict[str, object]:
        return {"page": page, "ratio": ratio, "active": active}

    response = client_for(router).get("/items?page=3&ratio=0.5&active=true")

    assert response.json() == {"page": 3, "ratio": 0.5, "active": True}


def test_a_required_query_parameter_that_is_missing_is_a_422_naming_it():
    router = Router()

    @router.get("/items")
    async def items(page: int) -> dict[str, int]:
        return {"page": page}

    response = client_for(router).get("/items")

    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"loc": ["query", "page"], "msg": "Field required", "type": "missing"}
    ]


def test_a_value_of_the_wrong_type_is_a_422_naming_the_parameter():
    router = Router()

    @router.get("/items")
    async def items(page: int) -> dict[str, int]:
        return {"page": page}

    errors = problem(client_for(router).get("/items?page=two"))["errors"]

    assert errors == [
        {
            "loc": ["query", "page"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]


def test_a_default_makes_a_query_parameter_optional():
    router = Router()

    @router.get("/items")
    async def items(page: int = 1, q: str | None = None) -> dict[str, object]:
        return {"page": page, "q": q}

    assert client_for(router).get("/items").json() == {"page": 1, "q": None}


def test_query_constraints_are_enforced():
    router = Router()

    @router.get("/items")
    async def items(limit: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, int]:
        return {"limit": limit}

    client = client_for(router)

    assert client.get("/items?limit=100").json() == {"limit": 100}
    assert problem(client.get("/items?limit=101"))["errors"] == [
        {
            "loc": ["query", "limit"],
            "msg": "Input should be less than or equal to 100",
            "type": "less_than_equal",
        }
    ]


def test_string_constraints_are_enforced():
    router = Router()

    @router.get("/search")
    async def search(
        q: Annotated[str, Query(min_length=2, max_length=5, pattern="^[a-z]+$")],
    ) -> dict[str, str]:
        return {"q": q}

    client = client_for(router)

    assert client.get("/search?q=lamp").json() == {"q": "lamp"}
    assert problem(client.get("/search?q=a"))["errors"][0]["type"] == "string_too_short"
    assert problem(client.get("/search?q=Lamp1"))["errors"][0]["type"] == "string_pattern_mismatch"


def test_a_marker_may_be_the_default_value_and_carry_the_default():
    router = Router()

    @router.get("/items")
    async def items(page: int = Query(1, ge=1)) -> dict[str, int]:
        return {"page": page}

    client = client_for(router)

    assert client.get("/items").json() == {"page": 1}
    assert client.get("/items?page=0").status_code == 422


def test_an_alias_is_the_name_in_the_query_string():
    router = Router()

    @router.get("/items")
    async def items(
        item_query: Annotated[str, Query(alias="item-query")],
    ) -> dict[str, str]:
        return {"value": item_query}

    client = client_for(router)

    assert client.get("/items?item-query=lamp").json() == {"value": "lamp"}
    assert problem(client.get("/items?item_query=lamp"))["errors"][0]["loc"] == [
        "query",
        "item-query",
    ]


def test_a_list_parameter_takes_every_value():
    router = Router()

    @router.get("/items")
    async def items(tag: list[str] = [], ids: list[int] | None = None) -> dict[str, object]:  # noqa: B006
        return {"tag": tag, "ids": ids}

    client = client_for(router)

    assert client.get("/items?tag=a&tag=b&ids=1&ids=2").json() == {
        "tag": ["a", "b"],
        "ids": [1, 2],
    }
    assert client.get("/items").json() == {"tag": [], "ids": None}


def test_any_collection_parameter_takes_every_value():
    router = Router()

    @router.get("/recent")
    async def recent(
        ids: Annotated[deque[int], Query()], tags: Sequence[str] = ()
    ) -> dict[str, object]:
        return {"ids": list(ids), "tags": list(tags)}

    response = client_for(router).get("/recent?ids=1&ids=2&tags=a&tags=b")

    assert response.json() == {"ids": [1, 2], "tags": ["a", "b"]}


def test_a_bad_item_of_a_list_is_located_by_its_index():
    router = Router()

    @router.get("/items")
    async def items(ids: list[int]) -> list[int]:
        return ids

    errors = problem(client_for(router).get("/items?ids=1&ids=x"))["errors"]

    assert [error["loc"] for error in errors] == [["query", "ids", 1]]


def test_an_enum_parameter_accepts_only_its_values():
    router = Router()

    @router.get("/paint")
    async def paint(color: Color) -> dict[str, str]:
        return {"color": color.value}

    client = client_for(router)

    assert client.get("/paint?color=red").json() == {"color": "red"}
    assert problem(client.get("/paint?color=green"))["errors"][0]["type"] == "enum"


def test_a_model_annotated_query_groups_parameters():
    router = Router()

    @router.get("/items")
    async def items(filters: Annotated[Filters, Query()]) -> Filters:
        return filters

    response = client_for(router).get("/items?limit=5&tags=a&tags=b&q=lamp")

    assert response.json() == {"limit": 5, "tags": ["a", "b"], "q": "lamp"}  # by alias


def test_a_grouped_parameter_is_located_by_its_own_name():
    router = Router()

    @router.get("/items")
    async def items(filters: Annotated[Filters, Query()]) -> Filters:
        return filters

    errors = problem(client_for(router).get("/items?limit=0"))["errors"]

    assert errors == [
        {
            "loc": ["query", "limit"],
            "msg": "Input should be greater than or equal to 1",
            "type": "greater_than_equal",
        }
    ]


def test_a_grouped_model_that_forbids_extra_fields_refuses_unknown_parameters():
    router = Router()

    @router.get("/items")
    async def items(filters: Annotated[StrictFilters, Query()]) -> StrictFilters:
        return filters

    client = client_for(router)

    assert client.get("/items?limit=3").json() == {"limit": 3}
    assert problem(client.get("/items?limit=3&color=red"))["errors"] == [
        {
            "loc": ["query", "color"],
            "msg": "Extra inputs are not permitted",
            "type": "extra_forbidden",
        }
    ]


class Search(BaseModel):
    words: str = Field(validation_alias=AliasChoices("q", "query"), max_length=20)
    page: int = 1


class Nested(BaseModel):
    first: str = Field(validation_alias=AliasPath("tags", 0))


def test_a_grouped_field_with_alias_choices_reads_the_first_name_present():
    router = Router()

    @router.get("/search")
    async def search(search: Annotated[Search, Query()]) -> dict[str, object]:
        return search.model_dump()

    client = client_for(router)

    assert client.get("/search?q=lamp").json() == {"words": "lamp", "page": 1}
    assert client.get("/search?query=desk").json() == {"words": "desk", "page": 1}
    assert client.get("/search?query=desk&q=lamp").json() == {"words": "lamp", "page": 1}
    assert problem(client.get("/search?words=lamp"))["errors"][0]["loc"] == ["query", "q"]


def test_a_grouped_field_with_alias_choices_is_documented_by_its_first_name():
    router = Router()

    @router.get("/search")
    async def search(search: Annotated[Search, Query()]) -> dict[str, object]:
        return search.model_dump()

    route = router.routes[0]
    assert isinstance(route, Route)
    assert [(param.alias, param.source) for param in route.spec.params] == [
        ("q", "query"),
        ("page", "query"),
    ]


def test_a_grouped_field_with_an_alias_path_is_refused_when_the_route_is_declared():
    router = Router()

    async def nested(values: Annotated[Nested, Query()]) -> dict[str, str]:
        return {}

    with pytest.raises(
        ImproperlyConfigured,
        match=r"nested: field 'first' of Nested \(parameter 'values'\) has an AliasPath",
    ):
        router.get("/nested")(nested)


def test_regex_is_refused_with_the_name_pydantic_uses():
    with pytest.raises(ImproperlyConfigured, match=r"Query\(regex=\.\.\.\) .* use pattern="):
        Query(regex="^[a-z]+$")  # type: ignore[call-arg]


def test_an_unknown_constraint_is_refused_instead_of_being_ignored():
    with pytest.raises(ImproperlyConfigured, match=r"Query\(lte=\.\.\.\) .* use le="):
        Query(lte=5)  # type: ignore[call-arg]
    with pytest.raises(ImproperlyConfigured, match=r"Did you mean max_length\?"):
        Query(maxlength=5)  # type: ignore[call-arg]


def test_a_parameter_named_like_a_pydantic_attribute_still_works():
    router = Router()

    @router.get("/export")
    async def export(json: bool = False, model_id: int = 0) -> dict[str, object]:
        return {"json": json, "model_id": model_id}

    assert client_for(router).get("/export?json=1&model_id=4").json() == {
        "json": True,
        "model_id": 4,
    }


def test_the_request_still_gives_the_raw_query_string():
    router = Router()

    @router.get("/raw")
    async def raw(request: Request, q: str) -> dict[str, str]:
        return {"q": q, "raw": request.url.query}

    assert client_for(router).get("/raw?q=x&other=y").json() == {"q": "x", "raw": "q=x&other=y"}


def test_a_type_that_cannot_come_from_a_query_string_is_refused_at_declaration():
    router = Router()

    async def handler(db: Connection) -> dict[str, str]:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"parameter 'db' is read from the query"):
        router.get("/x")(handler)
