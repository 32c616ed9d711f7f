"""Versions compile into the application's one routing table: no sub-applications, so
middleware, dependency overrides and the lifespan are the same for every version."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from kwik.contrib.versioning.selection import VERSION_KEY
from tests.contrib.versioning.conftest import client_of
from tests.contrib.versioning.users.routes import current_user

SEEN: list[tuple[str, str | None]] = []


class Recorder:
    """Project middleware: it sees every request, and the version after routing chose one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            version = scope.get(VERSION_KEY)
            SEEN.append((scope["path"], version.name if version else None))


async def test_dependency_overrides_apply_to_every_version(build):
    app = build(API_VERSIONING=["url", "header"])
    app.dependency_overrides[current_user] = lambda: "mallory"
    async with client_of(app) as client:
        answers = [
            (await client.get("/v1/me")).json(),
            (await client.get("/v3/me")).json(),
            (await client.get("/me", headers={"Accept-Version": "v2"})).json(),
        ]
    assert answers == [
        {"user": "mallory", "served_by": "v1 handler"},
        {"user": "mallory", "served_by": "v3 handler"},
        {"user": "mallory", "served_by": "v1 handler"},
    ]


async def test_project_middleware_wraps_every_version(build):
    SEEN.clear()
    app = build(API_VERSIONING=["url", "header"])
    app.user_middleware.append(Middleware(Recorder))
    app.middleware_stack = None
    async with client_of(app) as client:
        await client.get("/v1/me")
        await client.get("/me", headers={"Accept-Version": "v3"})
        await client.get("/health")
    assert SEEN == [("/v1/me", "v1"), ("/me", "v3"), ("/health", "v3")]


def test_the_table_holds_one_route_per_version_and_no_mounts(build):
    from starlette.routing import Mount

    app = build(API_VERSIONING=["url"])
    names = [getattr(route, "name", None) for route in app.routes]
    assert not any(isinstance(route, Mount) for route in app.routes)
    assert [n for n in names if n and n.endswith(":users:read_user")] == [
        "v1:users:read_user",
        "v2:users:read_user",
        "v3:users:read_user",
    ]
