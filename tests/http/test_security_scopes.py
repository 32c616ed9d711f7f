"""SecurityScopes: a dependency receives the scopes every `Security(..., scopes=[...])` on the way
from the route down to it requires, merged; they are worked out when the route is compiled, and
OpenAPI lists the same scopes.

No `from __future__ import annotations` here: the dependencies are local to each test, and
string annotations can only name module-level objects (as in FastAPI).
"""

from typing import Annotated

from starlette.testclient import TestClient

from kwik.http import (
    Depends,
    HTTPError,
    Kwik,
    Request,
    Router,
    Security,
    SecurityScopes,
    WebSocket,
)
from kwik.http.openapi import openapi_document
from kwik.http.specs import SecuritySpec

KEY_SCHEME = SecuritySpec("apiKey", {"type": "apiKey", "in": "header", "name": "X-Key"})


def client_for(router: Router) -> TestClient:
    return TestClient(Kwik(routes=router.routes), raise_server_exceptions=False)


def granted_by(request: Request) -> set[str]:
    """The scopes a test client holds: `X-Scopes: a b`."""
    return set(request.headers.get("x-scopes", "").split())


def scoped_key(request: Request, required: SecurityScopes) -> list[str]:
    """A key dependency that checks what is required where it runs; returns what was asked."""
    missing = [scope for scope in required.scopes if scope not in granted_by(request)]
    if missing:
        raise HTTPError(403, "missing " + " ".join(missing))
    return required.scopes


scoped_key.security_spec = KEY_SCHEME  # type: ignore[attr-defined]


def test_a_dependency_receives_the_scopes_of_its_security_marker():
    router = Router()

    @router.get("/orders")
    async def orders(
        asked: Annotated[list[str], Security(scoped_key, scopes=["orders:read"])],
    ) -> list[str]:
        return asked

    client = client_for(router)

    assert client.get("/orders", headers={"x-scopes": "orders:read"}).json() == ["orders:read"]
    assert client.get("/orders").status_code == 403


def test_scope_str_joins_the_scopes_with_spaces():
    router = Router()

    def as_text(required: SecurityScopes) -> str:
        return required.scope_str

    @router.get("/text")
    async def text(value: Annotated[str, Security(as_text, scopes=["a:read", "b:write"])]) -> str:
        return value

    assert client_for(router).get("/text").json() == "a:read b:write"


def test_scopes_above_a_dependency_are_merged_outer_first_and_once_each():
    router = Router()

    def seller(key: Annotated[list[str], Security(scoped_key, scopes=["orders:read", "me"])]):
        return key

    @router.get("/sales")
    async def sales(
        asked: Annotated[list[str], Security(seller, scopes=["me", "sales:write"])],
    ) -> list[str]:
        return asked

    response = client_for(router).get("/sales", headers={"x-scopes": "me sales:write orders:read"})

    assert response.json() == ["me", "sales:write", "orders:read"]


def test_a_plain_depends_passes_the_scopes_above_it_through():
    router = Router()

    def middleman(key: Annotated[list[str], Depends(scoped_key)]) -> list[str]:
        return key

    @router.get("/through")
    async def through(
        asked: Annotated[list[str], Security(middleman, scopes=["reports:read"])],
    ) -> list[str]:
        return asked

    assert client_for(router).get("/through", headers={"x-scopes": "reports:read"}).json() == [
        "reports:read"
    ]
    assert client_for(router).get("/through").status_code == 403


def test_a_dependency_with_no_scopes_above_it_receives_an_empty_list():
    router = Router()

    @router.get("/open")
    async def open_(asked: Annotated[list[str], Depends(scoped_key)]) -> list[str]:
        return asked

    assert client_for(router).get("/open").json() == []


def test_route_dependencies_receive_the_scopes_of_their_security_marker():
    router = Router(dependencies=[Security(scoped_key, scopes=["admin"])])

    @router.get("/admin")
    async def admin() -> str:
        return "ok"

    client = client_for(router)

    assert client.get("/admin").status_code == 403
    assert client.get("/admin", headers={"x-scopes": "admin"}).json() == "ok"


def test_each_set_of_scopes_on_one_route_is_checked_not_served_from_the_cache():
    router = Router()
    calls: list[list[str]] = []

    def counted(required: SecurityScopes, request: Request) -> list[str]:
        calls.append(required.scopes)
        return scoped_key(request, required)

    @router.get("/both", dependencies=[Security(counted, scopes=["orders:read"])])
    async def both(
        asked: Annotated[list[str], Security(counted, scopes=["orders:write"])],
        again: Annotated[list[str], Security(counted, scopes=["orders:write"])],
    ) -> list[str]:
        return asked

    client = client_for(router)

    assert client.get("/both").status_code == 403
    assert calls == [["orders:read"]]  # refused at the first set; the second was never checked
    calls.clear()
    assert client.get("/both", headers={"x-scopes": "orders:read orders:write"}).status_code == 200
    assert calls == [["orders:read"], ["orders:write"]]  # the same scopes twice: checked once


def test_a_dependency_that_reads_no_scopes_is_shared_whatever_the_scopes_above_it():
    router = Router()
    opened: list[str] = []

    def connection() -> str:
        opened.append("connection")
        return "db"

    def checker(db: Annotated[str, Depends(connection)], required: SecurityScopes) -> str:
        return db

    @router.get("/shared")
    async def shared(
        first: Annotated[str, Security(checker, scopes=["a"])],
        second: Annotated[str, Security(checker, scopes=["b"])],
        db: Annotated[str, Depends(connection)],
    ) -> str:
        return db

    assert client_for(router).get("/shared").status_code == 200
    assert opened == ["connection"]


def test_a_handler_may_take_security_scopes_and_receives_none():
    router = Router()

    @router.get("/plain")
    async def plain(required: SecurityScopes) -> list[str]:
        return required.scopes

    assert client_for(router).get("/plain").json() == []


def test_an_override_receives_the_scopes_of_the_dependency_it_replaces():
    router = Router()

    @router.get("/orders")
    async def orders(
        asked: Annotated[list[str], Security(scoped_key, scopes=["orders:read"])],
    ) -> list[str]:
        return asked

    def fake_key(required: SecurityScopes) -> list[str]:
        return ["fake", *required.scopes]

    app = Kwik(routes=router.routes)
    app.dependency_overrides[scoped_key] = fake_key

    assert TestClient(app).get("/orders").json() == ["fake", "orders:read"]


def test_openapi_lists_every_scope_required_of_the_scheme_on_the_way_down():
    router = Router()

    def seller(key: Annotated[list[str], Security(scoped_key, scopes=["orders:read"])]):
        return key

    @router.get("/sales", dependencies=[Depends(scoped_key)])
    async def sales(
        asked: Annotated[list[str], Security(seller, scopes=["sales:write"])],
    ) -> list[str]:
        return asked

    built = openapi_document(router.routes, title="T", version="1")

    assert built["paths"]["/sales"]["get"]["security"] == [
        {"apiKey": ["sales:write", "orders:read"]}
    ]
    assert built["components"]["securitySchemes"]["apiKey"] == KEY_SCHEME.scheme


def test_security_scopes_reach_websocket_dependencies():
    router = Router()

    @router.websocket("/feed")
    async def feed(
        websocket: WebSocket, asked: Annotated[list[str], Security(scoped_key, scopes=["feed"])]
    ) -> None:
        await websocket.accept()
        await websocket.send_json(asked)
        await websocket.close()

    client = client_for(router)

    with client.websocket_connect("/feed", headers={"x-scopes": "feed"}) as websocket:
        assert websocket.receive_json() == ["feed"]
