"""Declaring versions: on routes and routers, inherited and overridden, and every mistake a
declaration can hold refused at start-up with a message naming the route and the fix."""

from __future__ import annotations

import pytest

import kwik
from kwik.exceptions import ImproperlyConfigured
from kwik.http import Router
from tests.contrib.versioning.conftest import client_of

HANDLER = "async def handler() -> dict[str, int]:\n    return {}\n"


def routes(declaration: str) -> str:
    return (
        "from kwik.contrib.versioning import renamed\nfrom kwik.http import Router\n"
        f"router = Router()\n\n@router.get('/thing', {declaration})\n{HANDLER}"
    )


def test_a_router_gives_its_version_to_routes_that_name_none():
    router = Router(prefix="/items", version="v2+")

    @router.get("/")
    async def listing() -> list[int]:
        return []

    @router.get("/old", version="v1")
    async def old() -> list[int]:
        return []

    assert [route.version for route in router.routes] == ["v2+", "v1"]
    outer = Router()
    outer.include_router(router)
    inner = Router()

    @inner.get("/plain")
    async def plain() -> list[int]:
        return []

    outer.include_router(inner, version="v3")
    assert [route.version for route in outer.routes] == ["v2+", "v1", "v3"]


async def test_a_router_version_declared_in_an_app_is_served(build, project):
    project.package(
        "shop",
        {
            "routes.py": (
                "from kwik.http import Router\nrouter = Router(version='v2+')\n\n"
                f"@router.get('/thing')\n{HANDLER}"
            )
        },
    )
    app = build(INSTALLED_APPS=["kwik.contrib.versioning", "shop"])
    async with client_of(app) as client:
        statuses = [(await client.get(f"/{v}/shop/thing")).status_code for v in ("v1", "v2", "v3")]
    assert statuses == [404, 200, 200]


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ("version='v4'", r"version='v4' names 'v4', which is not in API_VERSIONS \(v1, v2, v3\)"),
        ("version='v1,,v2'", "is empty or has an empty item"),
        ("version=' '", "is empty or has an empty item"),
        (
            "version='v1+', changes=[renamed('a', 'b', since='v7')]",
            "a change since 'v7', which is not in API_VERSIONS",
        ),
        (
            "version='v2+', changes=[renamed('a', 'b', since='v2')]",
            "never applies: the route's oldest version is v2",
        ),
        ("changes=[renamed('a', 'b', since='v2')]", "changes= needs version="),
        ("version='v1', changes=[42]", "42"),
        ("version='v1', sunset='someday'", "'someday' is not an ISO 8601 date"),
    ],
)
def test_a_wrong_declaration_stops_start_up_naming_the_route(build, project, declaration, message):
    project.package("shop", {"routes.py": routes(declaration)})
    with pytest.raises(ImproperlyConfigured, match=message):
        build(INSTALLED_APPS=["kwik.contrib.versioning", "shop"])


def test_version_options_without_the_versioning_app_stop_start_up(project):
    from kwik.asgi import get_application

    project.package("shop", {"routes.py": routes("version='v1'")})
    project.settings('INSTALLED_APPS = ["shop"]\n')
    kwik.setup("proj.settings")
    with pytest.raises(
        ImproperlyConfigured,
        match=r"Route 'shop:handler' \(/shop/thing\) "
        "declares API-version options.*add it to INSTALLED_APPS",
    ):
        get_application()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"API_VERSIONS": []}, "API_VERSIONS is empty"),
        ({"API_VERSIONS": ["v1", "v1"]}, "'v1' is listed twice"),
        ({"API_VERSIONS": ["v1", "v2+"]}, "'v2\\+' can't be a version name"),
        ({"API_DEFAULT_VERSION": "v9"}, "API_DEFAULT_VERSION: 'v9' is not in API_VERSIONS"),
        ({"API_VERSIONING": []}, "API_VERSIONING is empty"),
        ({"API_VERSIONING": ["cookie"]}, "API_VERSIONING"),
        ({"API_VERSION_URL_PREFIX": "v/{version}"}, "must start with '/'"),
        ({"API_VERSION_URL_PREFIX": "/api"}, "hold {version} once"),
        ({"API_VERSION_OPENAPI_URL": "/openapi/{name}.json"}, "hold {version} once"),
    ],
)
def test_settings_that_cant_work_stop_start_up(build, settings, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        build(**settings)


@pytest.mark.parametrize("strategies", [["url"], ["header"], ["url", "query"]])
def test_separate_handlers_for_separate_versions_of_one_path_pass_kwik_check(build, strategies):
    from kwik.checks.builtin import check_routes

    build(API_VERSIONING=strategies)
    assert check_routes() == []


@pytest.mark.parametrize("strategies", [["url"], ["header"]])
def test_two_handlers_for_one_version_of_one_path_are_reported(build, project, strategies):
    from kwik.checks.builtin import check_routes

    project.package(
        "shop",
        {
            "routes.py": (
                "from kwik.http import Router\nrouter = Router()\n\n"
                f"@router.get('/thing', version='v1+')\n{HANDLER}\n"
                f"@router.get('/thing', version='v2')\nasync def again() -> None: ...\n"
            )
        },
    )
    build(INSTALLED_APPS=["kwik.contrib.versioning", "shop"], API_VERSIONING=strategies)
    [error] = check_routes()
    assert error.id == "kwik.E003"
    assert "routed twice: to " in error.msg
    assert "again" in error.msg
