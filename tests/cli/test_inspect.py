"""Commands that show the loaded project: `routes`, `diffsettings` and `shell -c`."""

from __future__ import annotations

import pytest

from kwik.conf import INSECURE_KEY_PREFIX

PROJECT_URLS = """
from kwik.http import Router

router = Router()


@router.get("/")
async def home() -> dict[str, str]:
    return {}


@router.post("/contact")
async def contact() -> dict[str, str]:
    return {}
"""

CATALOG_APPS = """
from kwik.apps import AppConfig


class CatalogConfig(AppConfig):
    route_prefix = "/api/catalog"
"""

CATALOG_ROUTES = """
from kwik.http import Router, WebSocket

router = Router()


@router.get("/products")
async def product_list() -> list[str]:
    return []


@router.put("/products/{pk:int}", name="product-update")
async def update(pk: int) -> dict[str, int]:
    return {}


@router.websocket("/live")
async def live(websocket: WebSocket) -> None:
    await websocket.close()
"""

CATALOG_MODELS = """
from pathlib import Path


class Product:
    pass


class _Draft:
    pass
"""


def table(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines()]


# routes ------------------------------------------------------------------------------------------


def test_routes_of_a_new_project_with_an_app(run, shop):
    run("startapp", "catalog")

    result = run("routes")

    assert result.code == 0
    assert table(result.out) == [
        ["METHOD", "PATH", "NAME", "APP"],
        ["GET", "/", "home", "(project)"],
        ["GET", "/catalog/", "catalog:index", "catalog"],
    ]


def test_routes_shows_app_routes_under_their_prefix_with_qualified_names(run, project):
    project.package(
        "catalog", {"apps.py": CATALOG_APPS, "routes.py": CATALOG_ROUTES, "models.py": ""}
    )
    project.package("proj", {"urls.py": PROJECT_URLS})
    project.settings('INSTALLED_APPS = ["catalog"]\nROOT_URLCONF = "proj.urls"\n')
    project.pyproject("proj.settings")

    result = run("routes")

    assert result.code == 0
    assert table(result.out) == [
        ["METHOD", "PATH", "NAME", "APP"],
        ["GET", "/", "home", "(project)"],
        ["POST", "/contact", "contact", "(project)"],
        ["GET", "/api/catalog/products", "catalog:product_list", "catalog"],
        ["PUT", "/api/catalog/products/{pk:int}", "catalog:product-update", "catalog"],
        ["WS", "/api/catalog/live", "catalog:live", "catalog"],
    ]


def test_routes_columns_are_aligned(run, shop):
    run("startapp", "catalog")

    lines = run("routes").out.splitlines()

    for heading in ("PATH", "NAME", "APP"):
        column = lines[0].index(heading)
        assert all(line[column - 2 : column] == "  " for line in lines)
        assert all(line[column] != " " for line in lines)


def test_routes_of_a_broken_project_is_a_one_line_error(run, project):
    project.settings('ROOT_URLCONF = "proj.nowhere"\n')
    project.pyproject("proj.settings")

    result = run("routes")

    assert result.code == 1
    assert "proj.nowhere" in result.error


# diffsettings ------------------------------------------------------------------------------------


def test_diffsettings_shows_only_values_that_differ_from_the_defaults(run, shop):
    result = run("diffsettings")

    assert result.code == 0
    shown = {line.split(" = ")[0] for line in result.out.splitlines()}
    assert shown == {
        "ASGI_APPLICATION",
        "BASE_DIR",
        "DATABASE_URL",
        "DEBUG",
        "ROOT_URLCONF",
        "SECRET_KEY",
    }
    assert "DEBUG = True  # shop.settings" in result.out.splitlines()
    assert "ROOT_URLCONF = 'shop.urls'  # shop.settings" in result.out.splitlines()


def test_diffsettings_masks_the_secret_key(run, shop):
    result = run("diffsettings")

    assert "SECRET_KEY = '********'  # shop.settings" in result.out.splitlines()
    assert INSECURE_KEY_PREFIX not in result.out


def test_diffsettings_names_an_environment_variable_as_the_source(run, shop, monkeypatch):
    monkeypatch.setenv("KWIK_STATIC_URL", "/assets/")

    result = run("diffsettings")

    assert "STATIC_URL = '/assets/'  # environment variable KWIK_STATIC_URL" in result.out


def test_diffsettings_all_marks_defaults(run, shop):
    result = run("diffsettings", "--all")

    assert result.code == 0
    lines = {line.split(" = ")[0]: line for line in result.out.splitlines()}
    assert {"STATIC_URL", "TEMPLATE_DIRS", "DEBUG", "SECRET_KEY"} <= set(lines)
    assert "###" in lines["STATIC_URL"]
    assert lines["STATIC_URL"].startswith("STATIC_URL = '/static/'  ###")
    assert lines["STATIC_URL"].endswith("# default")
    assert "###" not in lines["DEBUG"]
    assert "###" not in lines["SECRET_KEY"]


# shell -------------------------------------------------------------------------------------------


@pytest.fixture
def catalog_project(project):
    project.package("catalog", {"models.py": CATALOG_MODELS})
    project.settings('INSTALLED_APPS = ["catalog"]\n')
    project.pyproject("proj.settings")
    return project


def test_shell_command_sees_settings_apps_and_model_classes(run, catalog_project):
    source = "print(settings.DEBUG, [c.label for c in apps.get_app_configs()], Product.__name__)"

    result = run("shell", "-c", source)

    assert (result.code, result.out) == (0, "True ['catalog'] Product\n")


def test_shell_leaves_out_names_a_models_module_imports_or_hides(run, catalog_project):
    result = run("shell", "-c", "print('Path' in globals(), '_Draft' in globals())")

    assert result.out == "False False\n"


def test_shell_in_a_new_project_sees_its_settings(run, shop):
    result = run("shell", "-c", "print(settings.ROOT_URLCONF)")

    assert (result.code, result.out) == (0, "shop.urls\n")
