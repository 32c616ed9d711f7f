"""Route and router options: tags, documentation, deprecation, declared responses, schema
inclusion, route and router dependencies, and the RouteSpec each route carries."""

from __future__ import annotations

from typing import Annotated, Any

import annotated_types
import pytest
from pydantic import BaseModel, Field

from kwik.exceptions import ImproperlyConfigured
from kwik.http import Depends, Header, HTTPError, Query, Route, Router, Security
from kwik.http.specs import ResponseSpec, SecuritySpec
from tests.http.clients import client_for

events: list[str] = []


class ItemIn(BaseModel):
    name: str = Field(min_length=1)


class ItemOut(BaseModel):
    id: int
    name: str


class Problem(BaseModel):
    detail: str


def record(name: str) -> Any:
    def dependency() -> str:
        events.append(name)
        return name

    dependency.__name__ = name
    return dependency


def verify_key(x_api_key: Annotated[str, Header()]) -> None:
    if x_api_key != "secret":
        raise HTTPError(401, "Bad key")


def current_user(x_api_key: Annotated[str, Header()]) -> str:
    return "ada"


current_user.security_spec = SecuritySpec(  # type: ignore[attr-defined]
    "apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"}
)


@pytest.fixture(autouse=True)
def clear_events() -> None:
    events.clear()


def only_route(router: Router) -> Route:
    (route,) = router.routes
    assert isinstance(route, Route)
    return route


def test_route_dependencies_run_before_the_handler_and_their_results_are_unused():
    router = Router()

    @router.get("/items", dependencies=[Depends(record("audit"))])
    async def items() -> list[str]:
        events.append("handler")
        return []

    client_for(router).get("/items")

    assert events == ["audit", "handler"]


def test_a_route_dependency_can_refuse_the_request():
    router = Router()

    @router.get("/private", dependencies=[Depends(verify_key)])
    async def private() -> dict[str, str]:
        return {"ok": "yes"}

    client = client_for(router)

    assert client.get("/private", headers={"x-api-key": "wrong"}).status_code == 401
    assert client.get("/private", headers={"x-api-key": "secret"}).json() == {"ok": "yes"}


def test_router_dependencies_run_for_each_of_its_routes_before_route_dependencies():
    router = Router(dependencies=[Depends(record("router"))])

    @router.get("/a", dependencies=[Depends(record("route"))])
    async def a() -> dict[str, str]:
        events.append("handler")
        return {}

    client_for(router).get("/a")

    assert events == ["router", "route", "handler"]


def test_include_router_puts_the_outer_dependencies_first():
    inner = Router(dependencies=[Depends(record("inner"))])

    @inner.get("/x")
    async def x() -> dict[str, str]:
        events.append("handler")
        return {}

    outer = Router(dependencies=[Depends(record("outer"))])
    outer.include_router(inner, prefix="/v1", dependencies=[Depends(record("include"))])

    client_for(outer).get("/v1/x")

    assert events == ["outer", "include", "inner", "handler"]


def test_tags_combine_router_include_and_route_tags_in_that_order():
    inner = Router(tags=["items"])

    @inner.get("/", tags=["read", "items"])
    async def items() -> list[str]:
        return []

    outer = Router(tags=["api"])
    outer.include_router(inner, prefix="/items", tags=["v1"])

    assert only_route(outer).spec.tags == ("api", "v1", "items", "read")


def test_description_defaults_to_the_handlers_docstring():
    router = Router()

    @router.get("/items", summary="List items")
    async def items() -> list[str]:
        """Every item, newest first.

        Archived items are left out.
        """
        return []

    spec = only_route(router).spec

    assert spec.summary == "List items"
    assert spec.description == "Every item, newest first.\n\nArchived items are left out."


def test_an_explicit_description_wins_over_the_docstring():
    router = Router()

    @router.get("/items", description="From the decorator")
    async def items() -> list[str]:
        """From the docstring."""
        return []

    assert only_route(router).spec.description == "From the decorator"


def test_deprecated_and_include_in_schema_are_recorded():
    router = Router()

    @router.get("/old", deprecated=True, include_in_schema=False)
    async def old() -> list[str]:
        return []

    route = only_route(router)

    assert (route.spec.deprecated, route.spec.include_in_schema) == (True, False)
    assert route.include_in_schema is False


def test_declared_responses_follow_the_success_response():
    router = Router()

    @router.get(
        "/items/{item_id:int}",
        responses={
            404: {"description": "No such item", "model": Problem},
            200: {"description": "The item"},
        },
    )
    async def item(item_id: int) -> ItemOut:
        return ItemOut(id=item_id, name="x")

    assert only_route(router).spec.responses == (
        ResponseSpec(200, ItemOut, "application/json", "The item"),
        ResponseSpec(404, Problem, "application/json", "No such item"),
    )


def test_a_responses_entry_with_an_unknown_key_is_refused_at_declaration():
    router = Router()

    async def item() -> ItemOut:
        return ItemOut(id=1, name="x")

    with pytest.raises(ImproperlyConfigured, match=r"responses\[404\] has unknown key\(s\) descr"):
        router.get("/x", responses={404: {"descr": "typo"}})(item)


def test_dependencies_must_be_depends_markers():
    router = Router()

    async def item() -> ItemOut:
        return ItemOut(id=1, name="x")

    with pytest.raises(ImproperlyConfigured, match=r"dependencies= takes Depends\(callable\)"):
        router.get("/x", dependencies=[verify_key])(item)  # type: ignore[list-item]


def test_a_204_route_documents_no_body():
    router = Router()

    @router.delete("/items/{item_id:int}", status_code=204)
    async def delete(item_id: int) -> None:
        return None

    assert only_route(router).spec.responses == (ResponseSpec(204, None, "", "No Content"),)


def test_security_declared_by_a_dependency_is_listed_with_its_scopes():
    router = Router()

    @router.post("/orders")
    async def order(
        user: Annotated[str, Security(current_user, scopes=["orders:write"])],
    ) -> dict[str, str]:
        return {"user": user}

    assert only_route(router).spec.security == (
        SecuritySpec(
            "apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"}, ("orders:write",)
        ),
    )


def _param(spec: Any) -> dict[str, Any]:
    return {
        "name": spec.name,
        "source": spec.source,
        "alias": spec.alias,
        "annotation": spec.annotation,
        "required": spec.required,
        "default": spec.field.default,
        "metadata": spec.field.metadata,
        "description": spec.field.description,
    }


def test_the_spec_of_a_mounted_route_describes_everything_the_request_path_validates():
    inner = Router(prefix="/items", tags=["items"], dependencies=[Depends(verify_key)])

    @inner.put("/{item_id:int}", status_code=200, summary="Replace an item")
    async def replace_item(
        item_id: int,
        item: ItemIn,
        notify: Annotated[bool, Query(description="Tell the watchers")] = False,
    ) -> ItemOut:
        """Replace the item with `item_id`."""
        return ItemOut(id=item_id, name=item.name)

    outer = Router()
    outer.include_router(inner, prefix="/shop", namespace="shop")
    spec = only_route(outer).spec

    assert (spec.path, spec.methods, spec.operation_id) == (
        "/shop/items/{item_id:int}",
        ("PUT",),
        "shop.replace_item",
    )
    assert (spec.summary, spec.description, spec.tags, spec.deprecated) == (
        "Replace an item",
        "Replace the item with `item_id`.",
        ("items",),
        False,
    )
    assert [_param(param) for param in spec.params] == [
        {
            "name": "item_id",
            "source": "path",
            "alias": "item_id",
            "annotation": int,
            "required": True,
            "default": spec.params[0].field.default,
            "metadata": [],
            "description": None,
        },
        {
            "name": "notify",
            "source": "query",
            "alias": "notify",
            "annotation": bool,
            "required": False,
            "default": False,
            "metadata": [],
            "description": "Tell the watchers",
        },
        {
            "name": "x_api_key",
            "source": "header",
            "alias": "x-api-key",
            "annotation": str,
            "required": True,
            "default": spec.params[2].field.default,
            "metadata": [],
            "description": None,
        },
    ]
    assert spec.body is not None
    assert (spec.body.annotation, spec.body.media_type, spec.body.required) == (
        ItemIn,
        "application/json",
        True,
    )
    assert spec.responses == (ResponseSpec(200, ItemOut, "application/json", "OK"),)
    assert spec.security == ()


def test_constraints_are_in_the_params_field_as_pydantic_validates_them():
    router = Router()

    @router.get("/items")
    async def items(limit: Annotated[int, Query(ge=1, le=100, alias="max")] = 10) -> list[int]:
        return []

    (param,) = only_route(router).spec.params

    assert (param.name, param.alias, param.required) == ("limit", "max", False)
    assert param.field.metadata == [annotated_types.Ge(1), annotated_types.Le(100)]
