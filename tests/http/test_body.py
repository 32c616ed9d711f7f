"""JSON bodies: a Pydantic model parameter, or Body() for other types, validated from the bytes."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Field

from kwik.exceptions import ImproperlyConfigured
from kwik.http import Body, Depends, Router
from tests.http.clients import client_for, problem


class Dimensions(BaseModel):
    width: float = Field(gt=0)
    height: float = Field(gt=0)


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    price: float = Field(gt=0)
    tags: list[str] = []
    dimensions: Dimensions | None = None


def price_of(item: Item) -> float:
    return item.price


def test_a_parameter_annotated_with_a_model_is_the_json_body():
    router = Router()

    @router.post("/items", status_code=201)
    async def create(item: Item) -> Item:
        return item

    response = client_for(router).post("/items", json={"name": "Lamp", "price": 20})

    assert response.status_code == 201
    assert response.json() == {"name": "Lamp", "price": 20.0, "tags": [], "dimensions": None}


def test_the_body_comes_with_path_and_query_parameters():
    router = Router()

    @router.put("/items/{item_id:int}")
    async def replace(item_id: int, item: Item, notify: bool = False) -> dict[str, object]:
        return {"id": item_id, "name": item.name, "notify": notify}

    response = client_for(router).put("/items/4?notify=true", json={"name": "Desk", "price": 120})

    assert response.json() == {"id": 4, "name": "Desk", "notify": True}


def test_every_invalid_field_of_the_body_is_reported_with_its_location():
    router = Router()

    @router.post("/items")
    async def create(item: Item) -> Item:
        return item

    response = client_for(router).post(
        "/items", json={"name": "", "price": -1, "dimensions": {"width": 0, "height": 2}}
    )

    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {
            "loc": ["body", "name"],
            "msg": "String should have at least 1 character",
            "type": "string_too_short",
        },
        {"loc": ["body", "price"], "msg": "Input should be greater than 0", "type": "greater_than"},
        {
            "loc": ["body", "dimensions", "width"],
            "msg": "Input should be greater than 0",
            "type": "greater_than",
        },
    ]


def test_a_missing_required_body_is_a_422():
    router = Router()

    @router.post("/items")
    async def create(item: Item) -> Item:
        return item

    assert problem(client_for(router).post("/items"))["errors"] == [
        {"loc": ["body"], "msg": "Field required", "type": "missing"}
    ]


def test_a_body_with_a_default_is_optional():
    router = Router()

    @router.post("/preview")
    async def preview(item: Item | None = None) -> dict[str, str | None]:
        return {"name": item.name if item else None}

    client = client_for(router)

    assert client.post("/preview").json() == {"name": None}
    assert client.post("/preview", json={"name": "Lamp", "price": 1}).json() == {"name": "Lamp"}


def test_body_marks_a_non_model_type_as_the_body_with_constraints():
    router = Router()

    @router.post("/batch")
    async def batch(ids: Annotated[list[int], Body(min_length=1, max_length=3)]) -> dict[str, int]:
        return {"count": len(ids)}

    client = client_for(router)

    assert client.post("/batch", json=[1, 2]).json() == {"count": 2}
    assert problem(client.post("/batch", json=[1, 2, 3, 4]))["errors"][0]["loc"] == ["body"]
    assert problem(client.post("/batch", json=[1, "x"]))["errors"][0]["loc"] == ["body", 1]


def test_a_list_of_models_is_a_body_without_a_marker():
    router = Router()

    @router.post("/items/bulk")
    async def bulk(items: list[Item]) -> dict[str, int]:
        return {"count": len(items)}

    response = client_for(router).post("/items/bulk", json=[{"name": "a", "price": 1}] * 2)

    assert response.json() == {"count": 2}


def test_a_json_media_type_with_a_suffix_is_accepted():
    router = Router()

    @router.post("/items")
    async def create(item: Item) -> dict[str, str]:
        return {"name": item.name}

    response = client_for(router).post(
        "/items",
        content=b'{"name": "Lamp", "price": 2}',
        headers={"content-type": "application/merge-patch+json; charset=utf-8"},
    )

    assert response.json() == {"name": "Lamp"}


def test_a_body_without_a_content_type_is_read_as_json():
    router = Router()

    @router.post("/items")
    async def create(item: Item) -> dict[str, str]:
        return {"name": item.name}

    response = client_for(router).post("/items", content=b'{"name": "Lamp", "price": 2}')

    assert response.json() == {"name": "Lamp"}


def test_a_dependency_may_read_the_body_too():
    router = Router()

    @router.post("/quote")
    async def quote(item: Item, price: Annotated[float, Depends(price_of)]) -> dict[str, float]:
        return {"price": price}

    assert client_for(router).post("/quote", json={"name": "a", "price": 3}).json() == {
        "price": 3.0
    }


def test_two_body_parameters_are_refused_at_declaration():
    router = Router()

    async def create(item: Item, other: Dimensions) -> dict[str, str]:
        return {}

    with pytest.raises(ImproperlyConfigured, match="'item' and 'other' both read the JSON body"):
        router.post("/x")(create)


def test_the_body_is_validated_from_the_bytes_without_decoding_it_first(monkeypatch):
    import json

    router = Router()

    @router.post("/items")
    async def create(item: Item) -> dict[str, str]:
        return {"name": item.name}

    def no_loads(*args: object, **kwargs: object) -> object:
        raise AssertionError("the body was decoded with json.loads")

    monkeypatch.setattr(json, "loads", no_loads)

    assert client_for(router).post("/items", json={"name": "a", "price": 1}).status_code == 200


def test_body_embed_is_refused_with_what_to_do_instead():
    with pytest.raises(ImproperlyConfigured, match=r"Body\(embed=\.\.\.\) is not supported.*model"):
        Body(embed=True)  # type: ignore[call-arg]
