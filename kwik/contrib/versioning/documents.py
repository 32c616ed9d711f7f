"""One OpenAPI document per API version (`/openapi/v1.json`), and the docs page's selector.

A version's document holds exactly the operations that answer in that version: every route
without `version=`, and each versioned route serving it, at the path the version is reached by
(its URL prefix with `url` selection), under the operation id it has in every version. A route
serving an older version through changes is documented in that version's shape: the schemas its
changes touch are copied under a suffixed name (`User_v1`) and changed, and schemas no operation
of the version uses are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic.fields import FieldInfo

from kwik.contrib.versioning.config import Versioning, current
from kwik.contrib.versioning.lifecycle import sunset_text
from kwik.contrib.versioning.schemas import downgrade_schema, prune_components
from kwik.contrib.versioning.table import Serving, VersionedRoute
from kwik.http.openapi.document import openapi_document
from kwik.http.openapi.operations import openapi_path, operation_methods
from kwik.http.openapi.serving import ApiDocument, DocumentBuilder, DocumentInfo
from kwik.http.specs import ParamSpec, RouteSpec

__all__ = ["version_document", "version_documents"]

_JSON = "application/json"


def version_documents(versioning: Versioning) -> list[ApiDocument]:
    """The ApiDocuments of every version, the default one marked."""
    default = versioning.versions.default.name
    return [
        ApiDocument(
            name=version.name,
            url=versioning.openapi_url(version.name),
            build=_builder(version.name),
            version=version.name,
            default=version.name == default,
        )
        for version in versioning.versions.versions
    ]


def _builder(version: str) -> DocumentBuilder:
    def build(routes: Sequence[object], info: DocumentInfo) -> dict[str, Any]:
        return version_document(routes, version, info)

    return build


def _version_param(versioning: Versioning, version: str) -> ParamSpec | None:
    """The header or query parameter choosing the version, defaulting to this document's, so
    "Try it out" calls the documented version."""
    group = versioning.group
    description = f"The API version; this document describes {version}"
    field = FieldInfo(annotation=str, default=version, description=description)
    if "header" in versioning.strategies:
        name = group.API_VERSION_HEADER
        return ParamSpec(name, "header", name, str, field, False)
    if "query" in versioning.strategies:
        name = group.API_VERSION_QUERY_PARAM
        return ParamSpec(name, "query", name, str, field, False)
    return None


def _documented(
    route: VersionedRoute, version: str, versioning: Versioning
) -> tuple[RouteSpec, Serving] | None:
    """The spec of `route` in `version`'s document, or None when it isn't there."""
    serving = route.serving(version)
    if serving is None:
        return None
    if not route.neutral and route.fixed is None and versioning.by_url:
        return None  # documented once, at its URL prefix
    spec = replace(
        route.spec,
        operation_id=route.original.spec.operation_id,
        deprecated=route.spec.deprecated or serving.lifecycle.deprecated,
    )
    if not route.neutral and route.fixed is None:
        param = _version_param(versioning, version)
        if param is not None:
            spec = replace(spec, params=(*spec.params, param))
    return spec, serving


def _suffix(version: str) -> str:
    return "_" + re.sub(r"\W", "_", version)


def _json_schema(holder: dict[str, Any]) -> dict[str, Any] | None:
    content = holder.get("content", {}).get(_JSON)
    return content if isinstance(content, dict) and "schema" in content else None


def _apply(
    operation: dict[str, Any], serving: Serving, components: dict[str, Any], suffix: str
) -> None:
    if serving.lifecycle.sunset is not None:
        operation["x-sunset"] = sunset_text(serving.lifecycle)
    if serving.changes:
        lines = [
            f"- {change}" + (f": {change.description}" if change.description else "")
            for change in serving.changes
        ]
        said = operation.get("description")
        operation["description"] = "\n\n".join(
            part
            for part in (said, "Differences from the newest version:\n" + "\n".join(lines))
            if part
        )
    body = operation.get("requestBody")
    media = _json_schema(body) if isinstance(body, dict) else None
    if media is not None and serving.request_changes:
        media["schema"] = downgrade_schema(
            media["schema"], serving.request_changes, components, side="request", suffix=suffix
        )
    if not serving.response_changes:
        return
    for status, response in operation.get("responses", {}).items():
        media = _json_schema(response) if status.startswith("2") else None
        if media is not None:
            media["schema"] = downgrade_schema(
                media["schema"],
                serving.response_changes,
                components,
                side="response",
                suffix=suffix,
            )


def version_document(routes: Sequence[object], version: str, info: DocumentInfo) -> dict[str, Any]:
    """The OpenAPI document of `version`: its operations, in its shapes."""
    versioning = current()
    specs: list[object] = []
    touched: list[tuple[RouteSpec, Serving]] = []
    for route in routes:
        if not isinstance(route, VersionedRoute):
            specs.append(route)
            continue
        documented = _documented(route, version, versioning)
        if documented is None:
            continue
        specs.append(documented[0])
        if documented[1].changes or documented[1].lifecycle.sunset is not None:
            touched.append(documented)
    document = openapi_document(
        specs,
        title=info.title,
        version=info.version,
        description=info.description,
        servers=info.servers or None,
    )
    if touched:
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for spec, serving in touched:
            item = document["paths"].get(openapi_path(spec.path), {})
            for method in operation_methods(spec):
                if method in item:
                    _apply(item[method], serving, components, _suffix(version))
        prune_components(document)
    return document
