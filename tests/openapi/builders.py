"""Hand-built RouteSpecs, so the generator is specified without going through handlers."""

from __future__ import annotations

import re
from typing import Any

from openapi_spec_validator import validate
from pydantic import Field
from pydantic.fields import FieldInfo

from kwik.http.openapi import openapi_document
from kwik.http.specs import (
    BodySpec,
    ParamSource,
    ParamSpec,
    ResponseSpec,
    RouteSpec,
    SecuritySpec,
)


def param(
    name: str,
    annotation: Any = str,
    source: ParamSource = "query",
    *,
    alias: str | None = None,
    required: bool | None = None,
    **field: Any,
) -> ParamSpec:
    info: FieldInfo = Field(**field)
    if required is None:
        required = source == "path" or info.is_required()
    return ParamSpec(name, source, alias or name, annotation, info, required)


def body(
    annotation: Any, media_type: str = "application/json", *, required: bool = True, **field: Any
) -> BodySpec:
    return BodySpec(annotation, media_type, required, Field(**field))


def route(
    path: str,
    methods: tuple[str, ...] = ("GET",),
    *,
    operation_id: str | None = None,
    summary: str | None = None,
    description: str | None = None,
    tags: tuple[str, ...] = (),
    deprecated: bool = False,
    include_in_schema: bool = True,
    params: tuple[ParamSpec, ...] = (),
    body: BodySpec | None = None,
    responses: tuple[ResponseSpec, ...] = (ResponseSpec(200, None),),
    security: tuple[SecuritySpec, ...] = (),
) -> RouteSpec:
    name = operation_id or re.sub(r"\W+", "_", path).strip("_") or "root"
    return RouteSpec(
        path=path,
        methods=methods,
        operation_id=name,
        summary=summary,
        description=description,
        tags=tags,
        deprecated=deprecated,
        include_in_schema=include_in_schema,
        params=params,
        body=body,
        responses=responses,
        security=security,
    )


def document(*specs: object, **info: Any) -> dict[str, Any]:
    """The document of `specs`, checked against the OpenAPI 3.1 schema before it is returned."""
    built = openapi_document(specs, title=info.pop("title", "Test"), version="1.0", **info)
    validate(built)
    return built


def operation(built: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    return built["paths"][path][method]


def parameter(built: dict[str, Any], path: str, name: str, method: str = "get") -> dict[str, Any]:
    found = [p for p in operation(built, path, method).get("parameters", []) if p["name"] == name]
    assert len(found) == 1, found
    return found[0]
