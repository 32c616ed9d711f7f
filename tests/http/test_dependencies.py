"""Depends: dependencies resolved per request, cached, torn down, and overridable in tests.

No `from __future__ import annotations` here: the dependencies are local to each test, and
string annotations can only name module-level objects (as in FastAPI).
"""

import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import pytest
from starlette.testclient import TestClient

from kwik.exceptions import ImproperlyConfigured
from kwik.http import Depends, Header, HTTPError, Kwik, Query, Request, Router, StreamingResponse


def client_for(router: Router) -> TestClient:
    return TestClient(Kwik(routes=router.routes), raise_server_exceptions=False)


def test_a_dependency_result_is_passed_to_the_handler():
    router = Router()

    async def page_size(request: Request) -> int:
        return int(request.query_params.get("size", "20"))

    @router.get("/items")
    async def items(size: Annotated[int, Depends(page_size)]) -> dict[str, int]:
        return {"size": size}

    assert client_for(router).get("/items?size=5").json() == {"size": 5}


def test_a_dependency_may_be_given_as_the_default_value():
    router = Router()

    def answer() -> int:
        return 42

    @router.get("/answer")
    async def show(value: int = Depends(answer)) -> dict[str, int]:
        return {"value": value}

    assert client_for(router).get("/answer").json() == {"value": 42}


def test_dependencies_take_path_parameters_and_other_dependencies():
    router = Router()

    def tenant(request: Request) -> str:
        return request.headers["x-tenant"]

    def item_key(item_id: int, owner: Annotated[str, Depends(tenant)]) -> str:
        return f"{owner}/{item_id}"

    @router.get("/items/{item_id:int}")
    async def show(key: Annotated[str, Depends(item_key)]) -> dict[str, str]:
        return {"key": key}

    assert client_for(router).get("/items/7", headers={"x-tenant": "acme"}).json() == {
        "key": "acme/7"
    }


def test_a_dependency_used_twice_in_one_request_runs_once():
    router = Router()
    calls: list[str] = []

    def current_user() -> str:
        calls.append("user")
        return "alice"

    def audit(user: Annotated[str, Depends(current_user)]) -> str:
        return f"audit:{user}"

    @router.get("/me")
    async def me(
        user: Annotated[str, Depends(current_user)], trail: Annotated[str, Depends(audit)]
    ) -> dict[str, str]:
        return {"user": user, "trail": trail}

    client = client_for(router)
    client.get("/me")
    client.get("/me")

    assert calls == ["user", "user"]  # once per request


def test_use_cache_false_runs_the_dependency_each_time_it_is_asked_for():
    router = Router()
    counter = iter(range(100))

    def ticket() -> int:
        return next(counter)

    @router.get("/tickets")
    async def tickets(
        first: Annotated[int, Depends(ticket, use_cache=False)],
        second: Annotated[int, Depends(ticket, use_cache=False)],
    ) -> list[int]:
        return [first, second]

    assert client_for(router).get("/tickets").json() == [0, 1]


def test_generator_teardown_runs_after_the_handler_and_before_the_response_is_sent():
    router = Router()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        events.append("open")
        yield "r"
        events.append("close")

    @router.get("/use")
    async def use(value: Annotated[str, Depends(resource)]) -> dict[str, list[str]]:
        events.append("handler")
        return {"seen": list(events)}

    response = client_for(router).get("/use")

    assert response.json() == {"seen": ["open", "handler"]}
    assert events == ["open", "handler", "close"]


def test_a_generator_dependency_sees_the_handlers_exception():
    router = Router()
    outcome: list[str] = []

    async def unit_of_work() -> AsyncIterator[None]:
        try:
            yield
            outcome.append("commit")
        except HTTPError:
            outcome.append("rollback")
            raise

    @router.post("/orders")
    async def create(work: Annotated[None, Depends(unit_of_work)]) -> dict[str, str]:
        raise HTTPError(409, "duplicate")

    response = client_for(router).post("/orders")

    assert response.status_code == 409
    assert outcome == ["rollback"]


def test_sync_generator_dependencies_are_torn_down_too():
    router = Router()
    events: list[str] = []

    def handle() -> Iterator[str]:
        events.append("open")
        yield "h"
        events.append("close")

    @router.get("/sync")
    async def use(value: Annotated[str, Depends(handle)]) -> dict[str, str]:
        return {"value": value}

    assert client_for(router).get("/sync").json() == {"value": "h"}
    assert events == ["open", "close"]


def test_sync_dependencies_run_outside_the_event_loop_thread():
    router = Router()

    def where() -> int:
        return threading.get_ident()

    @router.get("/threads")
    async def threads(worker: Annotated[int, Depends(where)]) -> dict[str, bool]:
        return {"same": worker == threading.get_ident()}

    assert client_for(router).get("/threads").json() == {"same": False}


def test_depends_without_a_callable_uses_the_annotated_class():
    router = Router()

    class Pagination:
        def __init__(self, request: Request) -> None:
            self.limit = int(request.query_params.get("limit", "10"))

    @router.get("/list")
    async def listing(pages: Annotated[Pagination, Depends()]) -> dict[str, int]:
        return {"limit": pages.limit}

    assert client_for(router).get("/list?limit=3").json() == {"limit": 3}


def test_overrides_replace_a_dependency_for_the_application():
    router = Router()

    def current_user() -> str:
        return "real user"

    @router.get("/me")
    async def me(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
        return {"user": user}

    app = Kwik(routes=router.routes)
    app.dependency_overrides[current_user] = lambda: "test user"

    assert TestClient(app).get("/me").json() == {"user": "test user"}
    app.dependency_overrides.clear()
    assert TestClient(app).get("/me").json() == {"user": "real user"}


def test_a_dependency_parameter_without_an_annotation_is_refused_when_the_route_is_declared():
    router = Router()

    def broken(limit) -> int:
        return limit

    async def handler(value: Annotated[int, Depends(broken)]) -> dict[str, int]:
        return {}

    with pytest.raises(ImproperlyConfigured, match=r"broken: cannot tell where parameter 'limit'"):
        router.get("/x")(handler)


def test_sync_generator_dependencies_run_outside_the_event_loop_thread():
    router = Router()
    threads: list[int] = []

    def handle() -> Iterator[None]:
        threads.append(threading.get_ident())
        yield
        threads.append(threading.get_ident())

    @router.get("/threads")
    async def use(value: Annotated[None, Depends(handle)]) -> dict[str, int]:
        return {"loop": threading.get_ident()}

    loop = client_for(router).get("/threads").json()["loop"]

    assert len(threads) == 2
    assert loop not in threads


def test_an_override_is_compiled_once_and_its_own_dependencies_resolved():
    router = Router()

    def real() -> str:
        return "real"

    def prefix(request: Request) -> str:
        return request.headers.get("x-prefix", "")

    @router.get("/value")
    async def value(result: Annotated[str, Depends(real)]) -> dict[str, str]:
        return {"value": result}

    app = Kwik(routes=router.routes)

    def fake(start: Annotated[str, Depends(prefix)]) -> str:
        return start + "fake"

    app.dependency_overrides[real] = fake
    client = TestClient(app)

    assert client.get("/value", headers={"x-prefix": "1-"}).json() == {"value": "1-fake"}
    assert client.get("/value", headers={"x-prefix": "2-"}).json() == {"value": "2-fake"}


def test_a_dependency_reads_its_own_query_and_header_parameters():
    router = Router()

    def pagination(limit: Annotated[int, Query(ge=1, le=50)] = 10, offset: int = 0) -> dict:
        return {"limit": limit, "offset": offset}

    def locale(accept_language: Annotated[str, Header()] = "en") -> str:
        return accept_language[:2]

    @router.get("/items")
    async def items(
        page: Annotated[dict, Depends(pagination)], lang: Annotated[str, Depends(locale)]
    ) -> dict:
        return {**page, "lang": lang}

    client = client_for(router)

    assert client.get("/items?limit=5", headers={"accept-language": "fr-CH"}).json() == {
        "limit": 5,
        "offset": 0,
        "lang": "fr",
    }
    assert client.get("/items?limit=500").status_code == 422


def test_a_class_dependency_takes_typed_parameters_through_its_constructor():
    router = Router()

    class Pagination:
        def __init__(self, limit: int = 10, offset: int = 0) -> None:
            self.limit = limit
            self.offset = offset

    @router.get("/list")
    async def listing(pages: Annotated[Pagination, Depends()]) -> dict[str, int]:
        return {"limit": pages.limit, "offset": pages.offset}

    assert client_for(router).get("/list?offset=20").json() == {"limit": 10, "offset": 20}


def test_an_override_reads_its_own_typed_parameters():
    router = Router()

    def current_user() -> str:
        return "real"

    @router.get("/me")
    async def me(user: Annotated[str, Depends(current_user)]) -> dict[str, str]:
        return {"user": user}

    app = Kwik(routes=router.routes)

    def fake_user(as_user: str = "tester") -> str:
        return as_user

    app.dependency_overrides[current_user] = fake_user

    assert TestClient(app).get("/me?as_user=bob").json() == {"user": "bob"}


def test_no_dependency_runs_when_a_later_dependencys_parameter_is_invalid():
    router = Router()
    events: list[str] = []

    async def session() -> AsyncIterator[str]:
        events.append("open")
        yield "session"
        events.append("close")

    def paging(limit: Annotated[int, Query(ge=1)] = 10) -> int:
        events.append("paging")
        return limit

    @router.get("/orders")
    async def orders(
        session: Annotated[str, Depends(session)], limit: Annotated[int, Depends(paging)]
    ) -> dict[str, int]:
        return {"limit": limit}

    client = client_for(router)

    assert client.get("/orders?limit=0").status_code == 422
    assert events == []
    assert client.get("/orders?limit=5").json() == {"limit": 5}
    assert events == ["open", "paging", "close"]


def test_no_dependency_runs_when_a_sub_dependencys_parameter_is_invalid():
    router = Router()
    events: list[str] = []

    def audit() -> None:
        events.append("audit")

    def tenant(x_tenant: Annotated[str, Header(min_length=2)]) -> str:
        events.append("tenant")
        return x_tenant

    def account(owner: Annotated[str, Depends(tenant)]) -> str:
        events.append("account")
        return f"{owner}/main"

    @router.get("/balance", dependencies=[Depends(audit)])
    async def balance(account: Annotated[str, Depends(account)]) -> dict[str, str]:
        return {"account": account}

    client = client_for(router)

    assert client.get("/balance", headers={"x-tenant": "a"}).status_code == 422
    assert events == []
    assert client.get("/balance", headers={"x-tenant": "acme"}).json() == {"account": "acme/main"}
    assert events == ["audit", "tenant", "account"]


def test_a_generator_dependency_swallowing_the_handlers_exception_is_named_as_the_bug():
    router = Router()
    events: list[str] = []

    async def careless() -> AsyncIterator[int]:
        try:
            yield 1
        except HTTPError:
            events.append("rolled back")  # and forgets to raise it again

    @router.get("/orders/{number:int}")
    async def order(number: int, value: Annotated[int, Depends(careless)]) -> dict[str, int]:
        raise HTTPError(404, "No such order")

    client = TestClient(Kwik(routes=router.routes))

    with pytest.raises(RuntimeError, match=r"careless caught HTTPError.*re-raise the exception"):
        client.get("/orders/7")
    assert events == ["rolled back"]


def test_a_sync_generator_dependency_swallowing_the_handlers_exception_is_named_too():
    router = Router()
    events: list[str] = []

    def careless() -> Iterator[int]:
        try:
            yield 1
        except ValueError:
            events.append("rolled back")

    @router.get("/orders")
    async def orders(value: Annotated[int, Depends(careless)]) -> dict[str, int]:
        raise ValueError("broken")

    with pytest.raises(RuntimeError, match=r"careless caught ValueError\(broken\)"):
        TestClient(Kwik(routes=router.routes)).get("/orders")
    assert events == ["rolled back"]
    assert client_for(router).get("/orders").status_code == 500


def test_a_generator_dependency_is_closed_before_a_streaming_response_is_produced():
    router = Router()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        events.append("open")
        yield "resource"
        events.append("close")

    @router.get("/stream")
    async def stream(value: Annotated[str, Depends(resource)]) -> StreamingResponse:
        async def lines() -> AsyncIterator[bytes]:
            events.append("stream")
            yield b"line\n"

        return StreamingResponse(lines(), media_type="text/plain")

    assert client_for(router).get("/stream").text == "line\n"
    assert events == ["open", "close", "stream"]  # so the stream opens what it needs itself


def test_a_stream_opening_its_resource_inside_its_iterator_holds_it_while_streaming():
    router = Router()
    events: list[str] = []

    async def resource() -> AsyncIterator[str]:
        events.append("open")
        yield "resource"
        events.append("close")

    @router.get("/stream")
    async def stream() -> StreamingResponse:
        async def lines() -> AsyncIterator[bytes]:
            async for value in resource():
                events.append(f"stream {value}")
                yield b"line\n"

        return StreamingResponse(lines(), media_type="text/plain")

    assert client_for(router).get("/stream").text == "line\n"
    assert events == ["open", "stream resource", "close"]
