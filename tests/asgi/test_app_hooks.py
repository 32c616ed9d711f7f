"""What an installed app adds to the application through its AppConfig: middleware around
everything, dependencies on routes of the table, names in every template; and dependencies a
decorator attaches to a handler (`kwik.http.attach_dependencies`)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

import kwik
from kwik.asgi import get_application
from kwik.exceptions import ImproperlyConfigured
from kwik.http import Depends, Router, attach_dependencies

TAGGING_APP = """
from kwik.apps import AppConfig
from starlette.middleware import Middleware


class Tag:
    def __init__(self, app, name):
        self.app = app
        self.name = name

    async def __call__(self, scope, receive, send):
        async def tagged(message):
            if message["type"] == "http.response.start":
                message["headers"].append((b"x-trail", self.name.encode()))
            await send(message)

        await self.app(scope, receive, tagged)


class Config(AppConfig):
    def middleware(self):
        return [Middleware(Tag, name=self.label)]
"""

URLS = """
from kwik.http import Router

router = Router()


@router.get("/")
async def home() -> dict[str, str]:
    return {"at": "home"}


@router.get("/boom")
async def boom() -> dict[str, str]:
    raise RuntimeError("boom")


@router.post("/orders")
async def create_order() -> dict[str, str]:
    return {"at": "orders"}
"""


def test_app_middleware_wraps_project_middleware_and_even_server_errors(project):
    project.package("first", {"apps.py": TAGGING_APP})
    project.package("second", {"apps.py": TAGGING_APP})
    project.package(
        "mw",
        {"__init__.py": TAGGING_APP.split("class Config")[0].replace("name):", "name='project'):")},
    )
    project.package("proj", {"urls.py": URLS})
    project.settings(
        'INSTALLED_APPS = ["first", "second"]\nROOT_URLCONF = "proj.urls"\n'
        'MIDDLEWARE = ["mw.Tag"]\nSECRET_KEY = "x" * 64 + "app-hooks-test-secret-key-0123456789"\n',
        debug=False,
    )
    kwik.setup("proj.settings")
    client = TestClient(get_application(), raise_server_exceptions=False)

    assert client.get("/").headers.get_list("x-trail") == ["project", "second", "first"]
    assert client.get("/nowhere").headers.get_list("x-trail") == ["project", "second", "first"]
    failed = client.get("/boom")
    assert failed.status_code == 500
    # The project's middleware runs inside the server-error handler, apps' middleware outside.
    assert failed.headers.get_list("x-trail") == ["second", "first"]


ADDING_APP = """
from kwik.apps import AppConfig
from kwik.http import Depends, Request


async def stamp(request: Request) -> None:
    request.scope.setdefault("trail", []).append("app")


stamp.openapi_responses = {429: {"description": "Slow down"}}


class Config(AppConfig):
    def route_dependencies(self, route):
        if "POST" in getattr(route, "methods", ()):
            return [Depends(stamp)]
        return []
"""

TRAIL_URLS = """
from kwik.http import Depends, Request, Router


async def own(request: Request) -> None:
    request.scope.setdefault("trail", []).append("route")


router = Router()


@router.get("/")
async def home(request: Request) -> list[str]:
    return request.scope.get("trail", [])


@router.post("/orders", dependencies=[Depends(own)])
async def create_order(request: Request) -> list[str]:
    return request.scope["trail"]
"""


def test_route_dependencies_of_an_app_run_before_the_routes_own_and_are_documented(project):
    project.package("adder", {"apps.py": ADDING_APP})
    project.package("proj", {"urls.py": TRAIL_URLS})
    project.settings('INSTALLED_APPS = ["adder"]\nROOT_URLCONF = "proj.urls"\n')
    kwik.setup("proj.settings")
    client = TestClient(get_application())

    assert client.post("/orders").json() == ["app", "route"]
    assert client.get("/").json() == []
    operations = client.get("/openapi.json").json()["paths"]
    assert "429" in operations["/orders"]["post"]["responses"]
    assert "429" not in operations["/"]["get"]["responses"]


def test_template_globals_of_apps_are_in_every_template(project):
    project.package(
        "greeter",
        {
            "apps.py": """
            from kwik.apps import AppConfig


            class Config(AppConfig):
                def template_globals(self):
                    return {"greeting": lambda name: f"Hello, {name}"}
            """,
            "templates/greet.html": "{{ greeting('Ada') }}",
            "routes.py": """
            from kwik.http import HTMLResponse, Request, Router, render

            router = Router()


            @router.get("/")
            async def page(request: Request) -> HTMLResponse:
                return render(request, "greet.html")
            """,
        },
    )
    project.settings('INSTALLED_APPS = ["greeter"]\n')
    kwik.setup("proj.settings")

    assert TestClient(get_application()).get("/greeter/").text == "Hello, Ada"


def _record(name: str):
    async def record(request: kwik.http.Request) -> None:
        request.scope.setdefault("trail", []).append(name)

    return record


def test_attached_dependencies_run_after_the_router_and_route_ones_wherever_it_is_mounted():
    inner = Router(dependencies=[Depends(_record("router"))])

    async def items(request: kwik.http.Request) -> list[str]:
        return request.scope["trail"]

    attach_dependencies(items, Depends(_record("attached")))
    inner.get("/items", dependencies=[Depends(_record("route"))])(items)
    outer = Router()
    outer.include_router(inner, prefix="/v1", dependencies=[Depends(_record("mount"))])
    app = kwik.http.Kwik(routes=outer.routes)

    trail = TestClient(app).get("/v1/items").json()

    assert trail == ["mount", "router", "route", "attached"]


def test_attaching_to_a_handler_that_is_already_routed_is_refused():
    router = Router()

    @router.get("/items")
    async def items() -> list[str]:
        return []

    with pytest.raises(ImproperlyConfigured, match=r"already routed.*below @router\.get"):
        attach_dependencies(items, Depends(_record("late")))
