"""`get_application()`: one Starlette application built from the settings and the app registry.

A project's `asgi.py` calls it once (`app = get_application()`) for uvicorn or gunicorn; runserver
and the test client call it the same way, so development and production run the same stack.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from kwik.apps import AppConfig, apps
from kwik.bootstrap import setup
from kwik.conf import settings
from kwik.exceptions import ImproperlyConfigured
from kwik.http.application import Kwik
from kwik.http.fixed_paths import FixedPaths
from kwik.http.routing import Route, Router, WebSocketRoute
from kwik.http.staticfiles import MultiStaticFiles
from kwik.imports import import_string

__all__ = ["get_application", "get_exception_handlers", "get_routes"]

ExceptionKey = type[BaseException] | int


def _project_router() -> Router | None:
    if settings.ROOT_URLCONF is None:
        return None
    router = import_string(f"{settings.ROOT_URLCONF}:router", setting="ROOT_URLCONF")
    if not isinstance(router, Router):
        raise ImproperlyConfigured(
            f"ROOT_URLCONF: {settings.ROOT_URLCONF}.router must be a kwik.http.Router, "
            f"not {type(router).__name__}"
        )
    return router


def get_routes() -> list[BaseRoute]:
    """The project's routing table: ROOT_URLCONF's router at the root, then each app's router at
    its `route_prefix`, with route names qualified by the app label (`catalog:product-list`)."""
    apps.check_ready()
    table = Router()
    project = _project_router()
    if project is not None:
        table.include_router(project)
    for config in apps.get_app_configs():
        router = config.router
        if router is not None:
            table.include_router(
                router,
                prefix=config.route_prefix or "",
                namespace=config.label,
                app_label=config.label,
            )
    routes = [_with_app_dependencies(route) for route in table.routes]
    for config in apps.get_app_configs():
        routes = config.rewrite_routes(routes)
    _refuse_unread_versions(routes)
    return routes


def _refuse_unread_versions(routes: list[BaseRoute]) -> None:
    """A route still carrying API-version options after every app rewrote the table would
    serve every version, silently: nothing installed reads them."""
    for route in routes:
        if type(route) is Route and (
            route.version is not None
            or route.sunset is not None
            or route.link is not None
            or route.changes
            or not isinstance(route.deprecated, bool)
        ):
            raise ImproperlyConfigured(
                f"Route {route.name!r} ({route.path}) declares API-version options (version=, "
                "a deprecation date, sunset=, link= or changes=), which kwik.contrib.versioning "
                "reads: add it to INSTALLED_APPS (docs/versioning.md)"
            )


def _with_app_dependencies(route: BaseRoute) -> BaseRoute:
    """`route`, running first the dependencies installed apps add to it (`route_dependencies`)."""
    added = [
        depends for config in apps.get_app_configs() for depends in config.route_dependencies(route)
    ]
    if not added or not isinstance(route, Route | WebSocketRoute):
        return route
    return route.copy_with("", None, None, dependencies=added)


def _static_mount() -> Mount | None:
    folders = [settings.core.resolve(folder) for folder in settings.STATICFILES_DIRS]
    folders += [c.static_dir for c in apps.get_app_configs() if c.static_dir is not None]
    if not folders:
        return None
    return Mount(settings.STATIC_URL.rstrip("/"), MultiStaticFiles(folders), name="static")


def _documentation_routes() -> list[BaseRoute]:
    """The OpenAPI document at OPENAPI_URL and Swagger UI at DOCS_URL (see kwik.http.openapi).

    They go first, so no project route can shadow them; their paths are fixed, so they take
    nothing else from the project, and `kwik check` reports a route they do shadow. Grouped in
    one FixedPaths, they cost a project's requests one dictionary lookup.
    """
    from kwik.http.openapi.project import documentation_routes

    routes = documentation_routes()
    return [FixedPaths(routes)] if routes else []


def get_exception_handlers() -> dict[ExceptionKey, Callable[..., Any]]:
    """The project's exception handlers: each app's, then EXCEPTION_HANDLERS.

    `Kwik` puts them after its own problem+json handlers, which they replace for the same key.
    Later entries win; Starlette picks the handler of the nearest class in the exception's MRO,
    so a handler for a subclass refines rather than replaces a general one.
    """
    handlers: dict[ExceptionKey, Callable[..., Any]] = {}
    for config in apps.get_app_configs():
        handlers.update(config.exception_handlers)
    for key, path in settings.EXCEPTION_HANDLERS.items():
        target: Any = (
            int(key) if key.isdigit() else import_string(key, setting="EXCEPTION_HANDLERS")
        )
        if not isinstance(target, int) and not (
            isinstance(target, type) and issubclass(target, BaseException)
        ):
            raise ImproperlyConfigured(
                f"EXCEPTION_HANDLERS: key {key!r} is neither a status code nor an exception class"
            )
        handlers[target] = import_string(path, setting="EXCEPTION_HANDLERS")
    return handlers


async def _dispose_database() -> None:
    """Close the database's connections, if anything opened the database.

    A project without models that never imports kwik.db never loads SQLAlchemy (about 20 MiB of
    a worker's memory); importing it at shut-down just to close nothing would undo that.
    """
    module = sys.modules.get("kwik.db.database")
    if module is not None:
        await module.database().dispose()


def _lifespan(configs: list[AppConfig]) -> Callable[[Starlette], Any]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if apps.get_models():
                from kwik.db.database import database

                # Connect now, so a wrong DATABASE_URL stops start-up with a clear message
                # instead of failing the first request.
                await database().check_connection()
            stack.push_async_callback(_dispose_database)  # after every app has shut down
            for config in configs:
                await config.startup()
                stack.push_async_callback(config.shutdown)
            yield

    return lifespan


def get_application() -> Kwik:
    """Build the project's ASGI application, loading settings and apps first if needed."""
    setup()
    routes = [*_documentation_routes(), *get_routes()]
    if settings.DEBUG:
        static = _static_mount()
        if static is not None:
            routes.append(static)
    middleware = [
        Middleware(import_string(path, setting="MIDDLEWARE")) for path in settings.MIDDLEWARE
    ]
    outer = [each for config in apps.get_app_configs() for each in config.middleware()]
    return Kwik(
        debug=settings.DEBUG,
        routes=routes,
        middleware=middleware,
        outer_middleware=outer,
        exception_handlers=get_exception_handlers(),
        lifespan=_lifespan(apps.get_app_configs()),
    )
