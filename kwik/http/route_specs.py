"""A route's `RouteSpec`, built from what was compiled: its plan (every parameter and body the
request path validates), its responder (the response schema) and the route's options."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic.fields import FieldInfo

from kwik.exceptions import ImproperlyConfigured
from kwik.http.converters import path_schema
from kwik.http.params import params_of, security_of
from kwik.http.plans import Plan, walk
from kwik.http.problems import status_phrase
from kwik.http.responders import Responder, has_no_body
from kwik.http.signature import CONVERTED_TO, PathParams
from kwik.http.specs import BodySpec, ParamSpec, ResponseSpec, RouteSpec, SecuritySpec

__all__ = ["ResponsesOption", "build_route_spec", "extra_responses"]

ResponsesOption = Mapping[int, Mapping[str, Any]]
_RESPONSE_KEYS = {"description", "model", "media_type"}


def extra_responses(owner: str, responses: ResponsesOption) -> tuple[ResponseSpec, ...]:
    """`responses={404: {"description": "No such item", "model": Problem}}` as ResponseSpecs;
    checked at declaration, so a typo fails at import."""
    specs = []
    for status, entry in responses.items():
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise ImproperlyConfigured(
                f"Handler {owner}: responses key {status!r} is not an HTTP status code"
            )
        unknown = set(entry) - _RESPONSE_KEYS
        if unknown:
            raise ImproperlyConfigured(
                f"Handler {owner}: responses[{status}] has unknown key(s) "
                f"{', '.join(sorted(unknown))}; use {', '.join(sorted(_RESPONSE_KEYS))}"
            )
        specs.append(
            ResponseSpec(
                status,
                entry.get("model"),
                entry.get("media_type", "application/json"),
                entry.get("description", status_phrase(status)),
            )
        )
    return tuple(specs)


def _key(spec: ParamSpec) -> tuple[str, str]:
    """One parameter per source and wire name; header names are case-insensitive."""
    return spec.source, spec.alias.lower() if spec.source == "header" else spec.alias


def _params(plan: Plan, path_params: PathParams, path: str) -> tuple[ParamSpec, ...]:
    """Every parameter the route reads: first those its plan validates (the handler's own
    before its dependencies'), then those a handler or dependency declares reading itself
    (`param_specs`), each under a name nothing validates already; a path variable no one
    reads or declares is described by its converter."""
    found: dict[tuple[str, str], ParamSpec] = {}
    for _, each in walk(plan):
        for name, _extract in each.extractors:
            if name in each.path_params and (("path", name) not in found):
                found["path", name] = _path_spec(name, each, path_params)
        if each.inputs is not None:
            for spec in each.inputs.param_specs():
                found.setdefault(_key(spec), spec)
    for _, each in walk(plan):
        for spec in params_of(each.call, each.owner):
            if spec.source == "path" and spec.alias not in path_params:
                raise ImproperlyConfigured(
                    f"{each.owner}.param_specs declares the path parameter {spec.alias!r}, "
                    f"which the route's path {path!r} doesn't have"
                )
            found.setdefault(_key(spec), spec)
    for name in path_params:  # named by the path though no parameter reads it
        found.setdefault(("path", name), _path_spec(name, plan, path_params))
    return tuple(found.values())


def _path_spec(name: str, plan: Plan, path_params: PathParams) -> ParamSpec:
    """A path value only its converter checks, described by what the converter matches."""
    convertor = path_params[name]
    annotation = CONVERTED_TO.get(type(convertor), str)
    field = FieldInfo(annotation=annotation, json_schema_extra=path_schema(convertor))
    return ParamSpec(name, "path", name, annotation, field, True, converted=True)


def _body(plan: Plan) -> BodySpec | None:
    for _, each in walk(plan):
        if each.inputs is not None:
            spec = each.inputs.body_spec()
            if spec is not None:
                return spec
    return None


def _security(plan: Plan) -> tuple[SecuritySpec, ...]:
    """What the route's security dependencies declare, each with every scope required of it
    (those of the `Security` markers above it too, as its `SecurityScopes` receive them)."""
    found: list[SecuritySpec] = []
    for depends, each in walk(plan):
        if depends is None:
            continue
        spec = security_of(depends, each.scopes)
        if spec is not None and spec not in found:
            found.append(spec)
    return tuple(found)


def _dependency_responses(plan: Plan) -> tuple[ResponseSpec, ...]:
    """What the route's dependencies say they may answer: a dependency with an
    `openapi_responses` attribute (`{401: {"description": "Not signed in"}}`, the shape of a
    route's `responses=`) documents it on every route that uses it."""
    found: dict[int, ResponseSpec] = {}
    for depends, _ in walk(plan):
        declared = getattr(depends and depends.dependency, "openapi_responses", None)
        if depends is None or not declared:
            continue
        owner = getattr(depends.dependency, "__qualname__", repr(depends.dependency))
        for response in extra_responses(owner, declared):
            found.setdefault(response.status_code, response)
    return tuple(found.values())


def _success(responder: Responder) -> ResponseSpec:
    status = responder.status_code
    if has_no_body(status):
        return ResponseSpec(status, None, "", status_phrase(status))
    media_type = responder.media_type or ""
    return ResponseSpec(status, responder.schema, media_type, status_phrase(status))


def build_route_spec(
    *,
    path: str,
    methods: Sequence[str],
    name: str,
    handler: Callable[..., Any],
    plan: Plan,
    responder: Responder,
    path_params: PathParams,
    tags: Sequence[str],
    summary: str | None,
    description: str | None,
    deprecated: bool,
    include_in_schema: bool,
    responses: Sequence[ResponseSpec],
) -> RouteSpec:
    """Everything OpenAPI says about one route. `operation_id` is the route's qualified name
    with `.` for `:` (`catalog.read_product`), unique like route names are."""
    if description is None:
        docstring = inspect.getdoc(handler)
        description = docstring or None
    success = _success(responder)
    for extra in responses:  # `responses={200: {"description": ...}}` describes the success
        if extra.status_code == success.status_code:
            success = ResponseSpec(
                success.status_code,
                extra.annotation if extra.annotation is not None else success.annotation,
                success.media_type,
                extra.description,
            )
    declared = {response.status_code for response in responses} | {success.status_code}
    inherited = tuple(r for r in _dependency_responses(plan) if r.status_code not in declared)
    return RouteSpec(
        path=path,
        methods=tuple(methods),
        operation_id=name.replace(":", "."),
        summary=summary,
        description=description,
        tags=tuple(dict.fromkeys(tags)),
        deprecated=deprecated,
        include_in_schema=include_in_schema,
        params=_params(plan, path_params, path),
        body=_body(plan),
        responses=(
            success,
            *(r for r in responses if r.status_code != success.status_code),
            *inherited,
        ),
        security=_security(plan),
    )
