"""The project's document: `info` from settings, routes from the registry.

`kwik openapi`, `kwik check` and the served document all go through here, so the file a CI job
writes is the document the server answers with.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.routing import Route

from kwik.conf import settings
from kwik.http.openapi.document import openapi_document
from kwik.http.openapi.serving import DocumentInfo, openapi_routes

__all__ = ["documentation_routes", "project_document", "project_info", "project_title"]

DEFAULT_TITLE = "Kwik API"


def project_title() -> str:
    """OPENAPI_TITLE, else the project's name: the package holding its settings (`shop` for
    `shop.settings`)."""
    if settings.OPENAPI_TITLE:
        return str(settings.OPENAPI_TITLE)
    module = settings.unwrap().module
    return module.split(".")[0] if module else DEFAULT_TITLE


def project_info() -> DocumentInfo:
    return DocumentInfo(
        title=project_title(),
        version=settings.OPENAPI_VERSION,
        description=settings.OPENAPI_DESCRIPTION,
        servers=tuple(settings.OPENAPI_SERVERS),
    )


def project_document(routes: Iterable[object] | None = None) -> dict[str, Any]:
    """The project's OpenAPI document, of `routes` or of the whole routing table."""
    if routes is None:
        from kwik.asgi import get_routes

        routes = get_routes()
    info = project_info()
    return openapi_document(
        routes,
        title=info.title,
        version=info.version,
        description=info.description,
        servers=info.servers,
    )


def documentation_routes() -> list[Route]:
    """The routes serving OPENAPI_URL and DOCS_URL (none when both are off)."""
    return openapi_routes(
        info=project_info(), openapi_url=settings.OPENAPI_URL, docs_url=settings.DOCS_URL
    )
