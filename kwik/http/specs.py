"""What a compiled route declares about itself, for OpenAPI and for tools: its parameters, its
body, its responses. The plan compiler fills these in once; `kwik.http.openapi` only reads them,
so the document always describes exactly what the request path validates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic.fields import FieldInfo

__all__ = [
    "BodySpec",
    "ParamSource",
    "ParamSpec",
    "ResponseSpec",
    "RouteSpec",
    "SecuritySpec",
]

ParamSource = Literal["path", "query", "header", "cookie"]


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One request parameter outside the body.

    `alias` is the name on the wire (`x-request-id` for a header parameter `x_request_id`);
    `field` carries the default, constraints, description, examples and deprecation exactly as
    Pydantic validates them. A Pydantic model used for grouped query parameters is listed as its
    fields, one ParamSpec each. `converted` marks a path value only the route's converter
    checks: a value it doesn't match is a 404, never a 422.
    """

    name: str
    source: ParamSource
    alias: str
    annotation: Any
    field: FieldInfo
    required: bool
    converted: bool = False


@dataclass(frozen=True, slots=True)
class BodySpec:
    """The request body: a JSON document validated as `annotation`, or form fields and files."""

    annotation: Any
    media_type: str  # application/json, multipart/form-data, application/x-www-form-urlencoded
    required: bool
    field: FieldInfo


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """One documented response. `annotation` is None when the body has no schema (204, a
    Response the handler builds itself)."""

    status_code: int
    annotation: Any | None
    media_type: str = "application/json"
    description: str = ""


@dataclass(frozen=True, slots=True)
class SecuritySpec:
    """A security requirement a dependency declares (auth and API keys use it): the scheme as
    OpenAPI's `components.securitySchemes` entry, and the scopes this use requires.

    `alternatives` are other schemes that satisfy the same dependency just as well (a bearer
    token *or* a session cookie); OpenAPI lists one requirement per choice.
    """

    name: str
    scheme: dict[str, Any]
    scopes: tuple[str, ...] = field(default=())
    alternatives: tuple[SecuritySpec, ...] = field(default=())

    def choices(self) -> tuple[SecuritySpec, ...]:
        """This scheme, then each alternative."""
        return (self, *self.alternatives)


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """Everything OpenAPI says about one route, set once when the route is declared
    (`Route.spec`).

    `params` covers the handler and every dependency it uses (one entry per wire name and
    source); `security` collects what its dependencies declare; `responses` holds the success
    response and any the route declares (error responses kwik adds itself are the generator's
    business: 422 when anything is validated, the problem schema for 4xx/5xx).
    """

    path: str
    methods: tuple[str, ...]
    operation_id: str
    summary: str | None
    description: str | None
    tags: tuple[str, ...]
    deprecated: bool
    include_in_schema: bool
    params: tuple[ParamSpec, ...]
    body: BodySpec | None
    responses: tuple[ResponseSpec, ...]
    security: tuple[SecuritySpec, ...]
