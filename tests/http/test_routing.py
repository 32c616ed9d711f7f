"""Routers: declaring routes, compiling handlers once, mounting routers under prefixes."""

from __future__ import annotations

import threading
import uuid

import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kwik.exceptions import ImproperlyConfigured
from kwik.http import JSONResponse, PlainTextResponse, Request, Route, Router, WebSocket


def client_for(router: Router) -> TestClient:
    return TestClient(Starlette(routes=router.routes))


class Item(BaseModel):
    id: int
    name: str
    price: float | None = None


def test_each_method_decorator_registers_that_method():
    router = Router()
    for method in ("get", "post", "put", "patch", "delete", "options"):

        async def handler() -> dict[str, str]:
            return {}

        getattr(router, method)(f"/{method}")(handler)

    methods = {route.path: route.methods for route in router.routes}

    assert methods["/get"] == {"GET", "HEAD"}
    assert methods["/post"] == {"POST"}
    assert methods["/delete"] == {"DELETE"}
    assert methods["/options"] == {"OPTIONS"}


def test_a_dict_return_value_becomes_json():
    router = Router()

    @router.get("/ping")
    async def ping() -> dict[str, str]:
        return {"ping": "pong"}

    response = client_for(router).get("/ping")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"ping": "pong"}


def test_a_pydantic_model_return_value_is_serialized_by_pydantic():
    router = Router()

    @router.get("/item")
    async def item() -> Item:
        return Item(id=1, name="lamp")

    response = client_for(router).get("/item")

    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"id": 1, "name": "lamp", "price": None}


def test_a_response_return_value_is_sent_as_it_is():
    router = Router()

    @router.get("/text")
    async def text() -> PlainTextResponse:
        return PlainTextResponse("hello", status_code=202)

    response = client_for(router).get("/text")

    assert (response.status_code, response.text) == (202, "hello")


def test_path_parameters_arrive_converted_by_name():
    router = Router(prefix="/items")

    @router.get("/{item_id:int}/parts/{part}")
    async def part(part: str, item_id: int) -> dict[str, object]:
        return {"item_id": item_id, "part": part}

    response = client_for(router).get("/items/42/parts/lid")

    assert response.json() == {"item_id": 42, "part": "lid"}


def test_a_parameter_annotated_request_receives_the_request():
    router = Router()

    @router.get("/echo")
    async def echo(incoming: Request) -> dict[str, str]:
        return {"q": incoming.query_params["q"]}

    assert client_for(router).get("/echo?q=x").json() == {"q": "x"}


def test_a_sync_handler_runs_outside_the_event_loop_thread():
    router = Router()

    @router.get("/loop")
    async def loop_thread() -> dict[str, int]:
        return {"thread": threading.get_ident()}

    @router.get("/sync")
    def sync_handler() -> dict[str, int]:
        return {"thread": threading.get_ident()}

    with client_for(router) as client:
        loop = client.get("/loop").json()["thread"]
        sync = client.get("/sync").json()["thread"]

    assert sync != loop


def test_status_code_applies_to_returned_data():
    router = Router()

    @router.post("/items", status_code=201)
    async def create() -> dict[str, int]:
        return {"id": 1}

    assert client_for(router).post("/items").status_code == 201


def test_a_parameter_without_an_annotation_is_refused_when_the_route_is_declared():
    router = Router()

    async def handler(page) -> dict[str, int]:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"handler.*parameter 'page' comes from"):
        router.get("/list")(handler)


def test_route_names_default_to_the_handler_name():
    router = Router()

    @router.get("/x")
    async def show_x() -> dict[str, str]:
        return {}

    @router.get("/y", name="why")
    async def show_y() -> dict[str, str]:
        return {}

    assert [route.name for route in router.routes] == ["show_x", "why"]


def test_include_router_prefixes_paths_and_namespaces_names():
    inner = Router(prefix="/items")

    @inner.get("/{item_id:int}")
    async def item_detail(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    outer = Router()
    outer.include_router(inner, prefix="/catalog", namespace="catalog", app_label="catalog")
    route = outer.routes[0]

    assert isinstance(route, Route)
    assert (route.path, route.name, route.app_label) == (
        "/catalog/items/{item_id:int}",
        "catalog:item_detail",
        "catalog",
    )
    assert client_for(outer).get("/catalog/items/7").json() == {"id": 7}


def test_url_for_builds_paths_from_namespaced_names():
    inner = Router()

    @inner.get("/{slug}")
    async def page(request: Request, slug: str) -> dict[str, str]:
        return {"self": str(request.url_for("pages:page", slug=slug))}

    outer = Router()
    outer.include_router(inner, prefix="/pages", namespace="pages")

    assert client_for(outer).get("/pages/about").json() == {"self": "http://testserver/pages/about"}


def test_a_root_path_under_a_prefix_keeps_its_trailing_slash():
    inner = Router()

    @inner.get("/")
    async def index() -> dict[str, str]:
        return {"at": "index"}

    outer = Router()
    outer.include_router(inner, prefix="/blog")

    assert outer.routes[0].path == "/blog/"  # type: ignore[attr-defined]


def test_a_prefix_must_start_with_a_slash():
    with pytest.raises(ValueError, match="must start with '/'"):
        Router(prefix="items")


def test_include_router_refuses_routes_it_cannot_remount():
    from starlette.routing import Route as StarletteRoute

    inner = Router()
    inner.routes.append(StarletteRoute("/raw", lambda request: JSONResponse({})))

    with pytest.raises(TypeError, match="only re-mount kwik routes"):
        Router().include_router(inner, prefix="/x")


def test_websocket_routes_accept_connections():
    router = Router(prefix="/ws")

    @router.websocket("/echo")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(await websocket.receive_text())
        await websocket.close()

    with client_for(router).websocket_connect("/ws/echo") as connection:
        connection.send_text("hi")
        assert connection.receive_text() == "hi"


def test_an_annotation_that_cannot_be_resolved_is_reported_at_declaration(project):
    project.write(
        "late.py",
        """
        from __future__ import annotations

        from kwik.http import Router

        router = Router()


        def declare():
            class Local:
                pass

            @router.get("/x")
            async def handler(request: Local) -> dict[str, str]:
                return {}
        """,
    )
    import late

    with pytest.raises(ImproperlyConfigured, match=r"an annotation can't be resolved .*'Local'"):
        late.declare()


def test_a_path_parameter_typed_unlike_its_converter_is_refused_with_the_fix():
    router = Router()

    async def item(item_id: int) -> dict[str, int]:
        return {}

    with pytest.raises(
        ImproperlyConfigured,
        match=r"'item_id' is annotated int but the path gives str; declare it as \{item_id:int\}",
    ):
        router.get("/items/{item_id}")(item)


def test_a_uuid_path_parameter_arrives_as_a_uuid():
    router = Router()

    @router.get("/orders/{order_id:uuid}")
    async def order(order_id: uuid.UUID) -> dict[str, str]:
        return {"type": type(order_id).__name__}

    response = client_for(router).get("/orders/6f1c2a9e-3b1d-4c8e-9a51-2d4f0b7c8e11")

    assert response.json() == {"type": "UUID"}


def test_mounting_a_router_reuses_each_compiled_endpoint():
    inner = Router()

    @inner.get("/")
    async def index() -> dict[str, str]:
        return {}

    outer = Router()
    outer.include_router(inner, prefix="/a")
    outer.include_router(inner, prefix="/b")

    assert {route.endpoint for route in outer.routes} == {inner.routes[0].endpoint}  # type: ignore[attr-defined]
