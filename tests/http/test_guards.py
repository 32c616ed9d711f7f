"""Guards: route dependencies marked `guard = True` that take only the request run first, as a
plain call, before the route's parameters are validated (kwik.http.plans.split_guards)."""

from __future__ import annotations

from typing import Annotated

from starlette.testclient import TestClient

from kwik.http import Depends, HTTPError, Kwik, Query, Request, Router


class Gate:
    """A guard that records the requests it sees and refuses those marked `x-blocked`."""

    guard = True

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def __call__(self, request: Request) -> None:
        self.seen.append(request.url.path)
        if "x-blocked" in request.headers:
            raise HTTPError(403, "Blocked")


def _app(*routers: Router) -> Kwik:
    return Kwik(routes=[route for router in routers for route in router.routes])


def test_a_guard_runs_before_the_parameters_are_validated():
    gate = Gate()
    router = Router(dependencies=[Depends(gate)])

    @router.get("/items")
    async def items(limit: Annotated[int, Query(le=10)]) -> dict[str, int]:
        return {"limit": limit}

    client = TestClient(_app(router))

    assert client.get("/items?limit=3").json() == {"limit": 3}
    assert client.get("/items?limit=99").status_code == 422
    assert client.get("/items?limit=3", headers={"x-blocked": "1"}).status_code == 403
    assert gate.seen == ["/items", "/items", "/items"]  # the invalid request was seen too


def test_an_ordinary_dependency_runs_only_for_valid_requests():
    seen: list[str] = []

    async def audit(request: Request) -> None:  # no `guard` attribute: an ordinary dependency
        seen.append(request.url.path)

    router = Router(dependencies=[Depends(audit)])

    @router.get("/items")
    async def items(limit: Annotated[int, Query(le=10)]) -> dict[str, int]:
        return {"limit": limit}

    client = TestClient(_app(router))
    assert client.get("/items?limit=99").status_code == 422
    assert seen == []


def test_a_guard_listed_twice_runs_once():
    gate = Gate()
    router = Router(dependencies=[Depends(gate)])

    @router.get("/items", dependencies=[Depends(gate)])
    async def items() -> list[int]:
        return []

    TestClient(_app(router)).get("/items")

    assert gate.seen == ["/items"]


SHARED_GATE = Gate()


def test_a_guard_also_used_deeper_is_an_ordinary_dependency_cached_once():
    router = Router(dependencies=[Depends(SHARED_GATE)])

    @router.get("/items")
    async def items(_: Annotated[None, Depends(SHARED_GATE)]) -> list[int]:
        return []

    TestClient(_app(router)).get("/items")

    assert SHARED_GATE.seen == ["/items"]


def test_a_guard_that_reads_more_than_the_request_is_an_ordinary_dependency():
    seen: list[str | None] = []

    async def tagged(request: Request, tag: Annotated[str | None, Query()] = None) -> None:
        seen.append(tag)

    tagged.guard = True  # type: ignore[attr-defined]
    router = Router(dependencies=[Depends(tagged)])

    @router.get("/items")
    async def items() -> list[int]:
        return []

    TestClient(_app(router)).get("/items?tag=a")

    assert seen == ["a"]


def test_dependency_overrides_replace_a_guard_like_any_dependency():
    gate = Gate()
    router = Router(dependencies=[Depends(gate)])

    @router.get("/items")
    async def items() -> list[int]:
        return []

    app = _app(router)
    replaced: list[str] = []

    async def stand_in(request: Request) -> None:
        replaced.append(request.url.path)

    app.dependency_overrides[gate] = stand_in
    TestClient(app).get("/items", headers={"x-blocked": "1"})

    assert gate.seen == []
    assert replaced == ["/items"]
