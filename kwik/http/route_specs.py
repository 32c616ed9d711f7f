"""A route's `RouteSpec`, built from what was compiled: its plan (every parameter and body the
request path validates), its responder (the response schema) and the route's options."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic.fields import FieldInfo

from kwik.exceptions import ImproperlyConfigured
from kwik.http.params import security_of
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


def _params(plan: Plan, path_params: PathParams) -> tuple[ParamSpec, ...]:
    found: dict[tuple[str, str], ParamSpec] = {}
    for _, each in walk(plan):
        for name, _extract in each.extractors:
            if name in each.path_params and (("path", name) not in found):
                found["path", name] = _path_spec(name, each, path_params)
        if each.inputs is not None:
            for spec in each.inputs.param_specs():
                found.setdefault((spec.source, spec.alias), spec)
    for name in path_params:  # named by the path though no parameter reads it
        found.setdefault(("path", name), _path_spec(name, plan, path_params))
    return tuple(found.values())


def _path_spec(name: str, plan: Plan, path_params: PathParams) -> ParamSpec:
    annotation = CONVERTED_TO.get(type(path_params[name]), str)
    return ParamSpec(name, "path", name, annotation, FieldInfo.from_annotation(annotation), True)


def _body(plan: Plan) -> BodySpec | None:
    for _, each in walk(plan):
        if each.inputs is not None:
            spec = each.inputs.body_spec()
            if spec is not None:
                return spec
    return None


def _security(plan: Plan) -> tuple[SecuritySpec, ...]:
    found: list[SecuritySpec] = []
    for depends, _ in walk(plan):
        if depends is None:
            continue
        spec = security_of(depends)
        if spec is not None and spec not in found:
            found.append(spec)
    return tuple(found)


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
    return RouteSpec(
        path=path,
        methods=tuple(methods),
        operation_id=name.replace(":", "."),
        summary=summary,
        description=description,
        tags=tuple(dict.fromkeys(tags)),
        deprecated=deprecated,
        include_in_schema=include_in_schema,
        params=_params(plan, path_params),
        body=_body(plan),
        responses=(success, *(r for r in responses if r.status_code != success.status_code)),
        security=_security(plan),
    )
