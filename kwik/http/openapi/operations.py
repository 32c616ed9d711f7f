"""One OpenAPI operation from one RouteSpec: parameters, request body, responses, security.

Only the spec is read, never the handler, so the document describes exactly what the compiled
plan validates. Schemas are requested from the document's `SchemaRegistry` and filled in when
the whole document has been walked.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from typing import Annotated, Any

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, to_jsonable_python

from kwik.http.annotations import is_many
from kwik.http.converters import path_schema
from kwik.http.openapi.problems import Problem, ValidationProblem
from kwik.http.openapi.schemas import SchemaRegistry
from kwik.http.problems import PROBLEM_MEDIA_TYPE, status_phrase
from kwik.http.responders import has_no_body
from kwik.http.specs import BodySpec, ParamSpec, ResponseSpec, RouteSpec, SecuritySpec

__all__ = [
    "METHOD_ORDER",
    "build_operation",
    "openapi_path",
    "operation_methods",
    "path_variables",
    "without_null",
]

METHOD_ORDER = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The order of a path item's operations: OpenAPI's own, so every document lists them alike."""

_VARIABLE = re.compile(r"{(\w+)(?::(\w+))?}")


def openapi_path(path: str) -> str:
    """`/items/{item_id:int}` -> `/items/{item_id}`: OpenAPI templates carry no converters."""
    return _VARIABLE.sub(r"{\1}", path)


def path_variables(path: str) -> list[tuple[str, str]]:
    """The (name, converter) of each `{variable}` in `path`, in order; converter "str" if none."""
    return [(name, convertor or "str") for name, convertor in _VARIABLE.findall(path)]


def operation_methods(spec: RouteSpec) -> list[str]:
    """The spec's methods, lower-case, in METHOD_ORDER; HEAD is left out beside GET, because
    Starlette adds it to every GET route and it would only repeat the GET operation."""
    methods = {method.lower() for method in spec.methods}
    if "get" in methods:
        methods.discard("head")
    return [method for method in METHOD_ORDER if method in methods]


def _constrained(annotation: Any, field: FieldInfo) -> Any:
    """`annotation` with the field's constraints (`ge`, `max_length`...) attached."""
    if not field.metadata:
        return annotation
    return Annotated[(annotation, *field.metadata)]


def _jsonable(value: Any) -> Any:
    return to_jsonable_python(value, fallback=str)


def without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`anyOf: [X, null]` -> X. A parameter or form field on the wire is present or absent,
    never null, so `q: str | None = None` is documented as an optional string (and Swagger UI
    doesn't pre-fill "null" into the field)."""
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return schema
    kept = [option for option in options if option != {"type": "null"}]
    if len(kept) == len(options) or not kept:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    if len(kept) == 1:
        return {**kept[0], **rest}
    return {"anyOf": kept, **rest}


def _field_extras(schema: dict[str, Any], field: FieldInfo) -> dict[str, Any]:
    """What a field says about a value beyond its type: examples and `json_schema_extra`."""
    if field.examples:
        schema["examples"] = _jsonable(field.examples)
    extra = field.json_schema_extra
    if isinstance(extra, dict):
        schema.update(_jsonable(extra))
    elif callable(extra):
        extra(schema)  # type: ignore[call-arg]
    return schema


def _parameter(param: ParamSpec, registry: SchemaRegistry) -> dict[str, Any]:
    field = param.field
    annotation = _constrained(param.annotation, field)

    def finish(schema: dict[str, Any]) -> dict[str, Any]:
        schema = without_null(schema)
        default = field.get_default(call_default_factory=False)
        if not param.required and default is not PydanticUndefined and default is not None:
            # A default the type can't serialize is left undocumented rather than failing.
            with contextlib.suppress(Exception):
                schema["default"] = registry.adapter(annotation).dump_python(default, mode="json")
        return _field_extras(schema, field)

    parameter: dict[str, Any] = {
        "name": param.alias,
        "in": param.source,
        "required": True if param.source == "path" else param.required,
    }
    if field.description:
        parameter["description"] = field.description
    if field.deprecated:
        parameter["deprecated"] = True
    parameter["schema"] = registry.add(annotation, "validation", finish)
    if param.source in ("query", "cookie") and is_many(param.annotation):
        parameter["style"] = "form"
        parameter["explode"] = True  # ?tag=a&tag=b, which is how kwik reads a list
    return parameter


def _parameters(spec: RouteSpec, registry: SchemaRegistry) -> list[dict[str, Any]]:
    """Every parameter once, by (source, wire name); a path variable the handler doesn't take
    is still documented, from its converter, because OpenAPI requires it."""
    declared = {(param.source, param.alias) for param in spec.params}
    found: list[dict[str, Any]] = []
    for name, convertor in path_variables(spec.path):
        if ("path", name) not in declared:
            schema = path_schema(convertor)
            found.append({"name": name, "in": "path", "required": True, "schema": schema})
    seen: set[tuple[str, str]] = set()
    for param in spec.params:
        key = (param.source, param.alias.lower() if param.source == "header" else param.alias)
        if key not in seen:
            seen.add(key)
            found.append(_parameter(param, registry))
    return found


def _request_body(body: BodySpec, registry: SchemaRegistry) -> dict[str, Any]:
    field = body.field
    schema = registry.add(
        _constrained(body.annotation, field),
        "validation",
        lambda schema: _field_extras(schema, field),
    )
    request_body: dict[str, Any] = {}
    if field.description:
        request_body["description"] = field.description
    request_body["content"] = {body.media_type: {"schema": schema}}
    request_body["required"] = body.required
    return request_body


def _has_body(status: int, method: str) -> bool:
    return method != "head" and not has_no_body(status)


def _is_problem(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Problem)


def _problem_response(
    description: str, model: type[Problem], registry: SchemaRegistry
) -> dict[str, Any]:
    schema = registry.add(model, "serialization")
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": schema}}}


def _declared_response(
    response: ResponseSpec, method: str, entry: dict[str, Any], registry: SchemaRegistry
) -> None:
    if not _has_body(response.status_code, method):
        return
    annotation, media_type = response.annotation, response.media_type or "application/json"
    if annotation is None and response.status_code >= 400:
        annotation = Problem  # HTTPError(404) answers with a problem document
    if _is_problem(annotation):
        media_type = PROBLEM_MEDIA_TYPE
    if annotation is None:
        return
    content = entry.setdefault("content", {})
    content.setdefault(media_type, {"schema": registry.add(annotation, "serialization")})


def _response_order(code: str) -> tuple[int, str]:
    return (int(code), "") if code.isdigit() else (1000, code)


def _responses(spec: RouteSpec, method: str, registry: SchemaRegistry) -> dict[str, Any]:
    """The declared responses, 422 when the route validates anything, and `default`: the
    problem document any other error (404, 405, 413, 500...) is answered with."""
    found: dict[str, dict[str, Any]] = {}
    for response in spec.responses:
        entry = found.setdefault(
            str(response.status_code),
            {"description": response.description or status_phrase(response.status_code)},
        )
        _declared_response(response, method, entry, registry)
    validates = spec.body is not None or any(not param.converted for param in spec.params)
    if validates and "422" not in found:
        found["422"] = _problem_response(
            "The request failed validation: one entry in `errors` per invalid value",
            ValidationProblem,
            registry,
        )
    found["default"] = _problem_response(
        "An error, as an RFC 9457 problem document", Problem, registry
    )
    return {code: found[code] for code in sorted(found, key=_response_order)}


def _security(spec: RouteSpec) -> list[dict[str, list[str]]]:
    """One requirement naming every scheme the route's dependencies declare: each dependency
    enforces its own, so a client must satisfy them all. A dependency with alternatives (bearer
    or cookie) makes one requirement per choice."""
    # Uses of one dependency (with and without scopes) are one requirement, their scopes merged.
    groups: dict[tuple[str, ...], list[tuple[SecuritySpec, ...]]] = {}
    for security in spec.security:
        choices = security.choices()
        groups.setdefault(tuple(choice.name for choice in choices), []).append(choices)
    options = [list(zip(*uses, strict=True)) for uses in groups.values()]
    requirements: list[dict[str, list[str]]] = []
    for combination in itertools.product(*options):
        requirement: dict[str, list[str]] = {}
        for security in itertools.chain.from_iterable(combination):
            scopes = requirement.setdefault(security.name, [])
            scopes.extend(scope for scope in security.scopes if scope not in scopes)
        if requirement not in requirements:
            requirements.append(requirement)
    return [requirement for requirement in requirements if requirement]


def build_operation(
    spec: RouteSpec, method: str, operation_id: str, registry: SchemaRegistry
) -> dict[str, Any]:
    """The Operation Object for `method` (lower-case) of the route `spec` describes."""
    operation: dict[str, Any] = {}
    if spec.tags:
        operation["tags"] = list(spec.tags)
    if spec.summary:
        operation["summary"] = spec.summary
    if spec.description:
        operation["description"] = spec.description
    operation["operationId"] = operation_id
    parameters = _parameters(spec, registry)
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        operation["requestBody"] = _request_body(spec.body, registry)
    operation["responses"] = _responses(spec, method, registry)
    security = _security(spec)
    if security:
        operation["security"] = security
    if spec.deprecated:
        operation["deprecated"] = True
    return operation
