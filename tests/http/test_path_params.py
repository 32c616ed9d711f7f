"""Path parameters: converters (int, float, uuid, slug, path), constraints, and typed values."""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import Annotated

import pytest
from starlette import convertors

from kwik.exceptions import ImproperlyConfigured
from kwik.http import Path, Router
from tests.http.clients import client_for, problem


class Kind(StrEnum):
    BOOK = "book"
    LAMP = "lamp"


def test_the_slug_converter_is_registered_with_starlette():
    assert "slug" in convertors.CONVERTOR_TYPES


def test_a_slug_path_parameter_matches_letters_digits_hyphens_and_underscores():
    router = Router()

    @router.get("/posts/{slug:slug}")
    async def post(slug: str) -> dict[str, str]:
        return {"slug": slug}

    client = client_for(router)

    assert client.get("/posts/my-first_post-2").json() == {"slug": "my-first_post-2"}
    assert client.get("/posts/not.a.slug").status_code == 404


def test_a_path_converter_takes_the_rest_of_the_path():
    router = Router()

    @router.get("/files/{name:path}")
    async def file(name: str) -> dict[str, str]:
        return {"name": name}

    assert client_for(router).get("/files/a/b/c.txt").json() == {"name": "a/b/c.txt"}


def test_a_float_path_parameter_arrives_as_a_float():
    router = Router()

    @router.get("/scale/{factor:float}")
    async def scale(factor: float) -> dict[str, float]:
        return {"factor": factor}

    assert client_for(router).get("/scale/1.5").json() == {"factor": 1.5}


def test_path_constraints_are_enforced():
    router = Router()

    @router.get("/items/{item_id:int}")
    async def item(item_id: Annotated[int, Path(ge=1)]) -> dict[str, int]:
        return {"id": item_id}

    client = client_for(router)

    assert client.get("/items/1").json() == {"id": 1}
    assert problem(client.get("/items/0"))["errors"] == [
        {
            "loc": ["path", "item_id"],
            "msg": "Input should be greater than or equal to 1",
            "type": "greater_than_equal",
        }
    ]


def test_a_path_parameter_may_have_a_type_the_converter_does_not_give():
    router = Router()

    @router.get("/archive/{day}/{kind}")
    async def archive(day: datetime.date, kind: Kind) -> dict[str, str]:
        return {"day": day.isoformat(), "kind": kind.value}

    client = client_for(router)

    assert client.get("/archive/2026-01-31/book").json() == {"day": "2026-01-31", "kind": "book"}
    errors = problem(client.get("/archive/2026-02-31/car"))["errors"]
    assert [error["loc"] for error in errors] == [["path", "day"], ["path", "kind"]]


def test_path_marks_a_parameter_named_differently_through_its_alias():
    router = Router()

    @router.get("/users/{user_id:int}")
    async def user(uid: Annotated[int, Path(alias="user_id")]) -> dict[str, int]:
        return {"uid": uid}

    assert client_for(router).get("/users/5").json() == {"uid": 5}


def test_a_path_marker_for_a_name_the_path_lacks_is_refused():
    router = Router()

    async def user(uid: Annotated[int, Path()]) -> dict[str, int]:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"'uid' is declared Path\(\) but the path has"):
        router.get("/users/{user_id:int}")(user)


def test_a_prefix_with_a_path_parameter_gives_it_to_the_handler():
    inner = Router()

    @inner.get("/orders/{order_id:int}")
    async def order(shop_id: int, order_id: int) -> dict[str, int]:
        return {"shop": shop_id, "order": order_id}

    outer = Router()
    outer.include_router(inner, prefix="/shops/{shop_id:int}")

    assert client_for(outer).get("/shops/3/orders/9").json() == {"shop": 3, "order": 9}
