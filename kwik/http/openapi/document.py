"""`openapi_document()`: an OpenAPI 3.1 document from any list of routes.

It takes routes rather than an application so that a subset is a filter away: one document per
API version, or per tag, or for one app. Only `route.spec` (a `RouteSpec`) is read; routes
without one (static files, mounts, WebSockets) and routes excluded from the schema are skipped.

The output is deterministic: paths in route order, operations in OpenAPI's method order,
responses by status code, components sorted by name. The same routes give the same bytes, so
snapshots and contract tests can diff documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kwik.exceptions import ImproperlyConfigured
from kwik.http.openapi.operations import (
    METHOD_ORDER,
    build_operation,
    openapi_path,
    operation_methods,
)
from kwik.http.openapi.schemas import SchemaRegistry
from kwik.http.specs import RouteSpec, SecuritySpec

__all__ = ["OPENAPI_VERSION", "openapi_document", "route_specs"]

OPENAPI_VERSION = "3.1.0"


def route_specs(routes: Iterable[object]) -> list[RouteSpec]:
    """The specs of the routes that belong in a document, in order.

    Accepts routes carrying a `spec` and bare RouteSpecs alike; leaves out whatever has no spec
    and whatever is excluded from the schema (on the route or in its spec).
    """
    found = []
    for item in routes:
        spec = item if isinstance(item, RouteSpec) else getattr(item, "spec", None)
        if not isinstance(spec, RouteSpec) or not spec.include_in_schema:
            continue
        if not getattr(item, "include_in_schema", True):
            continue
        found.append(spec)
    return found


class _OperationIds:
    """Unique operationIds: a route with several methods suffixes each (`items_get`), and a
    repeated id gets `_2`, `_3`... in route order, so clients generated from it still compile."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, spec: RouteSpec, method: str, methods: int) -> str:
        base = spec.operation_id if methods == 1 else f"{spec.operation_id}_{method}"
        candidate, count = base, 1
        while candidate in self._taken:
            count += 1
            candidate = f"{base}_{count}"
        self._taken.add(candidate)
        return candidate


def _collect_schemes(
    specs: Sequence[RouteSpec],
) -> dict[str, dict[str, Any]]:
    schemes: dict[str, dict[str, Any]] = {}
    owners: dict[str, str] = {}
    for spec in specs:
        for security in spec.security:
            for choice in security.choices():
                _add_scheme(schemes, owners, choice, spec)
    return {name: schemes[name] for name in sorted(schemes)}


def _add_scheme(
    schemes: dict[str, dict[str, Any]],
    owners: dict[str, str],
    security: SecuritySpec,
    spec: RouteSpec,
) -> None:
    known = schemes.setdefault(security.name, dict(security.scheme))
    owners.setdefault(security.name, spec.operation_id)
    if known != security.scheme:
        raise ImproperlyConfigured(
            f"Security scheme {security.name!r} is declared twice, differently: by "
            f"{owners[security.name]} ({known}) and by {spec.operation_id} ({security.scheme}); "
            "give the schemes different names"
        )


def _tags(specs: Sequence[RouteSpec]) -> list[dict[str, str]]:
    names: dict[str, None] = {}
    for spec in specs:
        names.update(dict.fromkeys(spec.tags))
    return [{"name": name} for name in names]


def openapi_document(
    routes: Iterable[object],
    *,
    title: str,
    version: str,
    description: str | None = None,
    servers: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.1.0 document describing `routes`, as JSON-ready dicts and lists.

    Example:
        from kwik.asgi import get_routes

        document = openapi_document(get_routes(), title="Shop", version="1.2.0")
        v2 = openapi_document(
            [r for r in get_routes() if "v2" in getattr(r, "versions", ())],
            title="Shop", version="2",
        )

    Raises ImproperlyConfigured when two routes declare one security scheme name differently.
    """
    specs = route_specs(routes)
    registry = SchemaRegistry()
    ids = _OperationIds()
    paths: dict[str, dict[str, dict[str, Any]]] = {}
    for spec in specs:
        methods = operation_methods(spec)
        item = paths.setdefault(openapi_path(spec.path), {})
        for method in methods:
            if method in item:
                continue  # a second route on the same method and path is never reached
            operation_id = ids.claim(spec, method, len(methods))
            item[method] = build_operation(spec, method, operation_id, registry)
    schemes = _collect_schemes(specs)
    schemas = registry.resolve()

    info: dict[str, Any] = {"title": title, "version": version}
    if description:
        info["description"] = description
    document: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info}
    if servers:
        document["servers"] = [dict(server) for server in servers]
    document["paths"] = {
        path: {method: item[method] for method in METHOD_ORDER if method in item}
        for path, item in paths.items()
        if item
    }
    components: dict[str, Any] = {}
    if schemas:
        components["schemas"] = schemas
    if schemes:
        components["securitySchemes"] = schemes
    if components:
        document["components"] = components
    tags = _tags(specs)
    if tags:
        document["tags"] = tags
    return document
