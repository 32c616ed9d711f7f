"""Serving the document at OPENAPI_URL and Swagger UI at DOCS_URL.

The document is built on the first request, not at start-up, so a project that never asks for it
pays nothing; it is then cached as JSON bytes until the application's routing table changes.
Swagger UI's files come from the `swagger-ui-py` package installed with kwik, served from fixed
paths under DOCS_URL, so the docs page works with no network.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.staticfiles import StaticFiles

from kwik.exceptions import ImproperlyConfigured
from kwik.http.openapi.document import openapi_document

__all__ = [
    "ApiDocument",
    "DocsPage",
    "DocumentBuilder",
    "DocumentInfo",
    "OpenAPIEndpoint",
    "RouteSelector",
    "build_document",
    "openapi_routes",
    "swagger_ui_files",
]

RouteSelector = Callable[[Sequence[BaseRoute]], Iterable[object]]
"""Which of the application's routes a document describes (all of them by default)."""

SWAGGER_UI_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")
OAUTH2_REDIRECT = "oauth2-redirect.html"
INITIALIZER = Path(__file__).with_name("static") / "kwik-docs.js"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}" data-documents="{documents}"
     data-oauth2-redirect-url="{assets}/oauth2-redirect.html"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/kwik-docs.js"></script>
</body>
</html>
"""


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """The document's `info` and `servers`: what is not derived from the routes."""

    title: str
    version: str
    description: str | None = None
    servers: tuple[Mapping[str, Any], ...] = field(default=())


DocumentBuilder = Callable[[Sequence[object], DocumentInfo], dict[str, Any]]
"""Builds a document from the (selected) routes and the document's info."""


def build_document(routes: Sequence[object], info: DocumentInfo) -> dict[str, Any]:
    """The plain document of `routes`: what OPENAPI_URL serves without API versions."""
    return openapi_document(
        routes,
        title=info.title,
        version=info.version,
        description=info.description,
        servers=info.servers or None,
    )


@dataclass(frozen=True, slots=True)
class ApiDocument:
    """One of the documents a project's API is split into (one per API version), served at
    `url` and offered by the docs page's selector under `name`.

    `build` makes it from the application's routes (it selects its own); `version` is its
    `info.version`; the `default` one is also what OPENAPI_URL serves and what the docs page
    shows first.
    """

    name: str
    url: str
    build: DocumentBuilder
    version: str | None = None
    default: bool = False


def _same(first: Sequence[object], second: Sequence[object]) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))


class OpenAPIEndpoint:
    """The document of the application's routes, as JSON, cached until the routes change.

    One endpoint belongs to one application; the cache is keyed by the identity of each route in
    `request.app.routes`, so adding or replacing a route (a test mounting a router, say) rebuilds
    it on the next request. Behind a proxy that mounts the project under a prefix (the ASGI
    `root_path`), a document without configured servers names that prefix as its server, so
    "Try it out" calls the right URLs.
    """

    def __init__(
        self,
        info: DocumentInfo,
        select: RouteSelector | None = None,
        build: DocumentBuilder = build_document,
    ) -> None:
        self.info = info
        self.select = select
        self.build = build
        self._cached: tuple[tuple[BaseRoute, ...], str, bytes] | None = None

    def render(self, routes: Sequence[BaseRoute], root_path: str = "") -> bytes:
        """The document of `routes` as JSON bytes, from the cache when they haven't changed."""
        key = tuple(routes)
        cached = self._cached
        if cached is not None and cached[1] == root_path and _same(cached[0], key):
            return cached[2]
        selected = self.select(key) if self.select else key
        servers = self.info.servers or (({"url": root_path},) if root_path else ())
        document = self.build(list(selected), replace(self.info, servers=servers))
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        self._cached = (key, root_path, body)
        return body

    async def respond(self, request: Request) -> Response:
        root_path = request.scope.get("root_path", "").rstrip("/")
        body = self.render(request.app.routes, root_path)
        return Response(body, media_type="application/json")


class DocsPage:
    """Swagger UI's page, pointing at the document; URLs honour the ASGI root_path, so the page
    also works behind a proxy that mounts the project under a prefix."""

    def __init__(
        self,
        *,
        title: str,
        openapi_url: str,
        assets_url: str,
        documents: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.title = title
        self.openapi_url = openapi_url
        self.assets_url = assets_url
        self.documents = tuple(documents)  # (name, url) for the selector; the first is shown

    async def respond(self, request: Request) -> Response:
        root = request.scope.get("root_path", "").rstrip("/")
        page = _PAGE.format(
            title=html.escape(f"{self.title} - API docs"),
            assets=html.escape(root + self.assets_url),
            openapi_url=html.escape(root + self.openapi_url),
            documents=html.escape(
                json.dumps([{"name": name, "url": root + url} for name, url in self.documents])
            ),
        )
        return HTMLResponse(page)


def swagger_ui_files() -> dict[str, Path]:
    """The Swagger UI files the page needs, by name, from the installed swagger-ui-py."""
    found = importlib.util.find_spec("swagger_ui")
    if found is None or not found.submodule_search_locations:
        raise ImproperlyConfigured(
            "DOCS_URL: Swagger UI is not installed; `pip install swagger-ui-py` (a dependency "
            "of kwik), or set DOCS_URL = None"
        )
    static = Path(next(iter(found.submodule_search_locations))) / "static"
    files = {name: static / name for name in (*SWAGGER_UI_FILES, OAUTH2_REDIRECT)}
    files[INITIALIZER.name] = INITIALIZER
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise ImproperlyConfigured(
            f"DOCS_URL: Swagger UI files are missing ({', '.join(missing)}); reinstall "
            "swagger-ui-py, or set DOCS_URL = None"
        )
    return files


class _Asset:
    """One file, with ETag and Last-Modified so browsers revalidate instead of downloading."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._files = StaticFiles(directory=path.parent, check_dir=False)

    async def respond(self, request: Request) -> Response:
        response = self._files.file_response(self.path, os.stat(self.path), request.scope)
        response.headers.setdefault("cache-control", "public, max-age=3600")
        return response


def _document_endpoint(
    info: DocumentInfo, document: ApiDocument, select: RouteSelector | None
) -> OpenAPIEndpoint:
    own = replace(info, version=document.version) if document.version else info
    return OpenAPIEndpoint(own, select, document.build)


def openapi_routes(
    *,
    info: DocumentInfo,
    openapi_url: str | None,
    docs_url: str | None,
    select: RouteSelector | None = None,
    documents: Sequence[ApiDocument] = (),
) -> list[Route]:
    """The routes serving the document and the docs page; none of them is in the document.

    With `documents` (one per API version), each is served at its own URL, OPENAPI_URL serves
    the default one, and the docs page offers them all in its selector, the default first.
    Every path is fixed (no parameters), so these routes only ever answer their own URLs: put
    first in the routing table they shadow at most those URLs, which `kwik check` reports.
    """
    routes: list[Route] = []
    if openapi_url is None:
        return routes
    default = next((document for document in documents if document.default), None)
    if default is None and documents:
        default = documents[0]
    if default is None:
        endpoint = OpenAPIEndpoint(info, select)
    else:
        endpoint = _document_endpoint(info, default, select)
    routes.append(
        Route(openapi_url, endpoint.respond, name="kwik:openapi", include_in_schema=False)
    )
    for document in documents:
        served = _document_endpoint(info, document, select)
        routes.append(
            Route(
                document.url,
                served.respond,
                name=f"kwik:openapi:{document.name}",
                include_in_schema=False,
            )
        )
    if docs_url is None:
        return routes
    assets = docs_url.rstrip("/")
    ordered = sorted(documents, key=lambda document: document is not default)
    page = DocsPage(
        title=info.title,
        openapi_url=openapi_url,
        assets_url=assets,
        documents=[(document.name, document.url) for document in ordered],
    )
    routes.append(Route(docs_url, page.respond, name="kwik:docs", include_in_schema=False))
    for name, path in swagger_ui_files().items():
        routes.append(
            Route(
                f"{assets}/{name}",
                _Asset(path).respond,
                name=f"kwik:docs:{name}",
                include_in_schema=False,
            )
        )
    return routes
