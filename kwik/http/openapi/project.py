"""The project's documents: `info` from settings, routes from the registry, and the documents
installed apps split the API into (one per API version, see `AppConfig.api_documents`).

`kwik openapi`, `kwik check` and the served documents all go through here, so the file a CI job
writes is the document the server answers with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import Route

from kwik.apps import apps
from kwik.conf import settings
from kwik.exceptions import ImproperlyConfigured
from kwik.http.openapi.serving import (
    ApiDocument,
    DocumentInfo,
    build_document,
    openapi_routes,
)

__all__ = [
    "ApiDocument",
    "api_documents",
    "documentation_routes",
    "project_document",
    "project_info",
    "project_title",
]

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


def api_documents() -> list[ApiDocument]:
    """The documents installed apps split the API into; empty: one document of every route."""
    return [document for config in apps.get_app_configs() for document in config.api_documents()]


def project_document(
    routes: Sequence[object] | None = None, *, document: str | None = None
) -> dict[str, Any]:
    """The project's OpenAPI document, of `routes` or of the whole routing table: the one
    OPENAPI_URL serves, or the one named `document` (an API version) when the API is split.

    Raises ImproperlyConfigured for a `document` no installed app offers.
    """
    if routes is None:
        from kwik.asgi import get_routes

        routes = get_routes()
    info = project_info()
    documents = api_documents()
    if document is None:
        chosen = next((each for each in documents if each.default), None)
        chosen = chosen or (documents[0] if documents else None)
    else:
        chosen = next((each for each in documents if each.name == document), None)
        if chosen is None:
            offered = ", ".join(each.name for each in documents) or "none: the API is not split"
            raise ImproperlyConfigured(f"No OpenAPI document {document!r}; documents: {offered}")
    if chosen is None:
        return build_document(list(routes), info)
    if chosen.version:
        info = DocumentInfo(info.title, chosen.version, info.description, info.servers)
    return chosen.build(list(routes), info)


def documentation_routes() -> list[Route]:
    """The routes serving OPENAPI_URL, each split document, and DOCS_URL (none when off)."""
    return openapi_routes(
        info=project_info(),
        openapi_url=settings.OPENAPI_URL,
        docs_url=settings.DOCS_URL,
        documents=api_documents(),
    )
