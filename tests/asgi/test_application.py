"""get_application(): one Starlette app from the settings and the app registry."""

from __future__ import annotations

import httpx2
import pytest
from starlette.testclient import TestClient

import kwik
from kwik.asgi import get_application, get_routes
from kwik.exceptions import ImproperlyConfigured
from tests.support import serve

PROJECT_URLS = """
from kwik.http import Router

router = Router()


@router.get("/")
async def home() -> dict[str, str]:
    return {"at": "home"}
"""

APP_ROUTES = """
from kwik.http import Router

router = Router()


@router.get("/")
async def index() -> dict[str, str]:
    return {"at": "{label}"}
"""

RECORDING_APP = """
from kwik.apps import AppConfig
from events import log


class Config(AppConfig):
    async def startup(self) -> None:
        log.append("start " + self.label)

    async def shutdown(self) -> None:
        log.append("stop " + self.label)
"""


def make_app(project, label: str, **files: str) -> None:
    project.package(label, {"routes.py": APP_ROUTES.replace("{label}", label), **files})


def test_project_routes_mount_at_the_root_and_app_routes_at_their_prefix(project):
    project.package("proj", {"urls.py": PROJECT_URLS})
    make_app(project, "catalog")
    make_app(project, "blog", **{"apps.py": RECORDING_APP.replace("Config", "BlogConfig")})
    project.write(
        "blog/apps.py",
        """
        from kwik.apps import AppConfig


        class BlogConfig(AppConfig):
            route_prefix = "/articles"
        """,
    )
    project.settings(
        'INSTALLED_APPS = ["catalog", "blog"]\nROOT_URLCONF = "proj.urls"\n',
    )
    kwik.setup("proj.settings")

    with TestClient(get_application()) as client:
        assert client.get("/").json() == {"at": "home"}
        assert client.get("/catalog/").json() == {"at": "catalog"}
        assert client.get("/articles/").json() == {"at": "blog"}
        assert client.get("/blog/").status_code == 404
    assert [route.name for route in get_routes()] == ["home", "catalog:index", "blog:index"]


def test_root_urlconf_without_a_router_is_refused(project):
    project.package("proj", {"urls.py": "routes = []\n"})
    project.settings('ROOT_URLCONF = "proj.urls"\n')
    kwik.setup("proj.settings")

    with pytest.raises(
        ImproperlyConfigured, match=r"ROOT_URLCONF: 'proj\.urls' has no attribute 'router'"
    ):
        get_application()


def test_middleware_from_settings_wraps_the_app_in_the_listed_order(project):
    project.package(
        "mw",
        {
            "__init__.py": """
            class Tag:
                name = "?"

                def __init__(self, app):
                    self.app = app

                async def __call__(self, scope, receive, send):
                    async def tagged(message):
                        if message["type"] == "http.response.start":
                            message["headers"].append((b"x-trail", self.name.encode()))
                        await send(message)

                    await self.app(scope, receive, tagged)


            class Outer(Tag):
                name = "outer"


            class Inner(Tag):
                name = "inner"
            """
        },
    )
    project.package("proj", {"urls.py": PROJECT_URLS})
    project.settings('ROOT_URLCONF = "proj.urls"\nMIDDLEWARE = ["mw.Outer", "mw.Inner"]\n')
    kwik.setup("proj.settings")

    response = TestClient(get_application()).get("/")

    assert response.headers.get_list("x-trail") == ["inner", "outer"]


def test_a_middleware_that_cannot_be_imported_names_the_setting(project):
    project.settings('MIDDLEWARE = ["nowhere.Middleware"]\n')
    kwik.setup("proj.settings")

    with pytest.raises(ImproperlyConfigured, match=r"^MIDDLEWARE: cannot import 'nowhere'"):
        get_application()


HANDLERS = """
from kwik.http import JSONResponse


class OutOfStock(Exception):
    pass


class BackOrdered(OutOfStock):
    pass


def from_app(request, exc):
    return JSONResponse({"handled_by": "app"}, status_code=409)


def from_settings(request, exc):
    return JSONResponse({"handled_by": "settings"}, status_code=409)


def not_found(request, exc):
    return JSONResponse({"handled_by": "404 handler"}, status_code=404)
"""

RAISING_ROUTES = """
from kwik.http import Router
from shop.errors import BackOrdered, OutOfStock

router = Router()


@router.get("/out")
async def out() -> dict[str, str]:
    raise OutOfStock()


@router.get("/back")
async def back() -> dict[str, str]:
    raise BackOrdered()
"""


def test_exception_handlers_chain_from_core_to_apps_to_settings(project):
    project.package(
        "shop",
        {
            "errors.py": HANDLERS,
            "routes.py": RAISING_ROUTES,
            "apps.py": """
            from kwik.apps import AppConfig
            from shop.errors import OutOfStock, from_app


            class ShopConfig(AppConfig):
                route_prefix = ""
                exception_handlers = {OutOfStock: from_app}
            """,
        },
    )
    project.settings(
        """
        INSTALLED_APPS = ["shop"]
        EXCEPTION_HANDLERS = {
            "shop.errors.BackOrdered": "shop.errors.from_settings",
            "404": "shop.errors.not_found",
        }
        """
    )
    kwik.setup("proj.settings")
    client = TestClient(get_application())

    assert client.get("/out").json() == {"handled_by": "app"}
    assert client.get("/back").json() == {"handled_by": "settings"}
    assert client.get("/missing").json() == {"handled_by": "404 handler"}


def test_an_exception_handler_key_that_is_not_an_exception_is_refused(project):
    project.package("shop", {"errors.py": HANDLERS})
    project.settings('EXCEPTION_HANDLERS = {"shop.errors.from_app": "shop.errors.from_app"}\n')
    kwik.setup("proj.settings")

    with pytest.raises(ImproperlyConfigured, match="neither a status code nor an exception class"):
        get_application()


def test_apps_start_in_order_and_stop_in_reverse(project):
    project.write("events.py", "log = []\n")
    for label in ("first", "second"):
        project.package(label, {"apps.py": RECORDING_APP})
    project.settings('INSTALLED_APPS = ["first", "second"]\n')
    kwik.setup("proj.settings")
    from events import log

    with TestClient(get_application()):
        assert log == ["start first", "start second"]
    assert log == ["start first", "start second", "stop second", "stop first"]


def test_a_failed_startup_stops_the_apps_already_started(project):
    project.write("events.py", "log = []\n")
    project.package("first", {"apps.py": RECORDING_APP})
    project.package(
        "broken",
        {
            "apps.py": """
            from kwik.apps import AppConfig


            class BrokenConfig(AppConfig):
                async def startup(self) -> None:
                    raise RuntimeError("no connection")
            """
        },
    )
    project.settings('INSTALLED_APPS = ["first", "broken"]\n')
    kwik.setup("proj.settings")
    from events import log

    with pytest.raises(RuntimeError, match="no connection"), TestClient(get_application()):
        pass
    assert log == ["start first", "stop first"]


def test_static_files_are_served_from_apps_and_staticfiles_dirs_in_debug(project):
    project.package("shop", {"static/shop.css": "body {}\n"})
    project.write("assets/site.js", "let x;\n")
    project.settings(
        """
        from pathlib import Path
        BASE_DIR = Path(__file__).resolve().parent.parent
        INSTALLED_APPS = ["shop"]
        STATICFILES_DIRS = ["assets"]
        """
    )
    kwik.setup("proj.settings")
    client = TestClient(get_application())

    assert client.get("/static/shop.css").text == "body {}\n"
    assert client.get("/static/site.js").text == "let x;\n"


def test_static_files_are_not_served_with_debug_off(project):
    project.package("shop", {"static/shop.css": "body {}\n"})
    project.settings(
        'INSTALLED_APPS = ["shop"]\nSECRET_KEY = "' + "s3cret-K3y!" * 6 + '"\n', debug=False
    )
    kwik.setup("proj.settings")

    assert TestClient(get_application()).get("/static/shop.css").status_code == 404


def test_the_application_serves_over_a_real_socket(project):
    project.package("proj", {"urls.py": PROJECT_URLS})
    project.settings('ROOT_URLCONF = "proj.urls"\n')
    kwik.setup("proj.settings")

    with serve(get_application()) as base_url:
        response = httpx2.get(base_url + "/")
        missing = httpx2.get(base_url + "/missing")

    assert response.json() == {"at": "home"}
    assert missing.headers["content-type"] == "application/problem+json"
