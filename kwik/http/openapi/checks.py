"""System checks for OpenAPI: the document builds, and its URLs don't fight the project's routes.

kwik.E006: a project route has the exact path of OPENAPI_URL, DOCS_URL or a docs file, so it is
never reached (kwik's routes come first). kwik.W002: a project route's pattern (`/{slug}`) also
matches one of those URLs, which kwik answers instead for that one value. kwik.E007: the document
can't be built, so OPENAPI_URL would answer 500.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Match, Route

from kwik.conf import settings
from kwik.exceptions import ImproperlyConfigured
from kwik.http.openapi.operations import openapi_path

if TYPE_CHECKING:
    from kwik.checks.messages import CheckMessage

__all__ = ["check_openapi"]


def _answers_get(route: BaseRoute, path: str) -> bool:
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "path_params": {}}
    match, _ = route.matches(scope)
    return match is Match.FULL


def _clashes(ours: list[Route], theirs: list[BaseRoute]) -> list[CheckMessage]:
    from kwik.checks.messages import Error, Warning

    found = []
    for route in theirs:
        name = getattr(route, "name", None) or repr(route)
        obj = getattr(route, "app_label", None) or "project"
        for own in ours:
            url = own.path
            if not _answers_get(route, url):
                continue
            if openapi_path(getattr(route, "path", "")) == url:
                found.append(
                    Error(
                        f"GET {url} is kwik's ({own.name}) and also routed to {name}, which is "
                        "never reached",
                        id="kwik.E006",
                        hint="Change the route's path, or set OPENAPI_URL / DOCS_URL to another "
                        "path (or None)",
                        obj=obj,
                    )
                )
            else:
                found.append(
                    Warning(
                        f"Route {name} ({getattr(route, 'path', '?')}) also matches GET {url}, "
                        f"which kwik answers itself ({own.name})",
                        id="kwik.W002",
                        hint="Set OPENAPI_URL / DOCS_URL to a path the route doesn't match",
                        obj=obj,
                    )
                )
    return found


def check_openapi() -> list[CheckMessage]:
    """The served document builds, and OPENAPI_URL and DOCS_URL don't clash with routes."""
    if settings.OPENAPI_URL is None:
        return []
    from kwik.asgi import get_routes
    from kwik.checks.messages import Error
    from kwik.http.openapi.project import api_documents, documentation_routes, project_document

    try:
        ours = documentation_routes()
    except ImproperlyConfigured as exc:  # Swagger UI is missing
        return [Error(str(exc), id="kwik.E007", obj="settings")]
    try:
        routes = get_routes()
    except ImproperlyConfigured:
        return []  # a routing table that doesn't build is kwik.E002's finding
    found = _clashes(ours, routes)
    try:
        project_document(routes)
        for document in api_documents():
            project_document(routes, document=document.name)
    except Exception as exc:  # any failure here is a 500 at OPENAPI_URL; say so now
        found.append(
            Error(
                f"The OpenAPI document can't be built: {type(exc).__name__}: {exc}",
                id="kwik.E007",
                hint="Fix the route or type named above, or set OPENAPI_URL = None",
                obj="openapi",
            )
        )
    return found
