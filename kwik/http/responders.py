"""What a handler returns, as the Response sent: compiled once per route.

The response schema is `response_model=` or else the return annotation. It filters: the result is
validated as that type (an ORM object is read through its attributes) and serialized by it, so a
field the schema doesn't name is never sent, even when the handler returns a richer object.
Pydantic writes the JSON bytes directly; a result that already is the response model is
serialized without validating it again. A Response passes through as it is.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError
from pydantic_core import to_json
from starlette.background import BackgroundTask, BackgroundTasks
from starlette.responses import Response

from kwik.exceptions import ImproperlyConfigured
from kwik.http.errors import ResponseValidationError
from kwik.http.inputs import JSON_MEDIA_TYPE
from kwik.http.signature import describe

__all__ = ["DEFAULT", "Responder", "compile_responder", "has_no_body"]


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()
"""`response_model` not given: the return annotation is the schema."""


def has_no_body(status_code: int) -> bool:
    """1xx, 204, 205 and 304 responses carry no content (RFC 9110). The responder and OpenAPI
    both ask this one function, so what is sent and what is documented agree."""
    return status_code < 200 or status_code in (204, 205, 304)


def _is_response_type(annotation: Any) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, Response)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return bool(args) and all(_is_response_type(arg) for arg in args)
    return False


class JSONBytes(Response):
    """JSON already serialized to bytes; its headers are known, so they are set directly."""

    media_type = JSON_MEDIA_TYPE

    def __init__(self, content: bytes, status_code: int = 200) -> None:
        self.status_code = status_code
        self.body = content
        self.background = None
        self.raw_headers = [
            (b"content-length", str(len(content)).encode("latin-1")),
            (b"content-type", b"application/json"),
        ]


class Responder:
    """Turns a handler's result into its Response.

    `schema` is the response type OpenAPI documents (None when the route returns Responses or
    declares nothing); `media_type` is what the success response carries.
    """

    def __init__(
        self, owner: str, status_code: int, schema: Any | None, serialize: Callable[[Any], bytes]
    ) -> None:
        self.owner = owner
        self.status_code = status_code
        self.schema = schema
        self.serialize = serialize
        self.media_type: str | None = JSON_MEDIA_TYPE
        self.passes_responses = False

    def __call__(self, result: Any, injected: Response | None = None) -> Response:
        if isinstance(result, Response):
            if injected is not None and injected.background is not None:
                _run_after(result, injected.background)
            return result
        status = self.status_code
        if injected is not None and injected.status_code is not None:
            status = injected.status_code
        if has_no_body(status):
            response = Response(status_code=status)
        else:
            response = JSONBytes(self.serialize(result), status)
        if injected is not None:
            headers = injected.raw_headers
            if headers:
                _add_headers(response, headers)
            response.background = injected.background
        return response


_BUILT = frozenset((b"content-type", b"content-length"))


def _add_headers(response: Response, headers: list[tuple[bytes, bytes]]) -> None:
    """The injected response's headers added to the built one's; a Content-Type (or
    Content-Length) set on the injected response replaces the built one, rather than making
    two headers a client would read either of."""
    replaced = _BUILT.intersection(name for name, _ in headers)
    if replaced:
        response.raw_headers = [h for h in response.raw_headers if h[0] not in replaced]
    response.raw_headers.extend(headers)


def _run_after(response: Response, tasks: BackgroundTask) -> None:
    """Injected background tasks also run after a Response the handler built itself, after
    that response's own background task."""
    if response.background is None:
        response.background = tasks
    else:
        both = BackgroundTasks()
        both.tasks.extend([response.background, tasks])
        response.background = both


def _model_serializer(owner: str, model: type[BaseModel]) -> Callable[[Any], bytes]:
    dump = model.__pydantic_serializer__.to_json
    validate = model.__pydantic_validator__.validate_python

    def serialize(result: Any) -> bytes:
        if type(result) is not model:
            try:
                result = validate(result, from_attributes=True)
            except ValidationError as exc:
                raise ResponseValidationError(owner, exc) from None
        return dump(result, by_alias=True)

    return serialize


def _adapter_serializer(owner: str, adapter: TypeAdapter[Any]) -> Callable[[Any], bytes]:
    validate = adapter.validate_python
    dump = adapter.dump_json

    def serialize(result: Any) -> bytes:
        try:
            value = validate(result, from_attributes=True)
        except ValidationError as exc:
            raise ResponseValidationError(owner, exc) from None
        return dump(value, by_alias=True)

    return serialize


def _untyped(result: Any) -> bytes:
    return to_json(result, by_alias=True)


def _declared(handler: Callable[..., Any], response_model: Any) -> Any:
    if response_model is not DEFAULT:
        return response_model
    try:
        annotation = inspect.signature(handler, eval_str=True).return_annotation
    except NameError as exc:
        raise ImproperlyConfigured(
            f"Handler {describe(handler)}: the return annotation can't be resolved ({exc}); "
            "import the type at module level"
        ) from exc
    return None if annotation is inspect.Signature.empty else annotation


def compile_responder(
    handler: Callable[..., Any], status_code: int = 200, response_model: Any = DEFAULT
) -> Responder:
    """The responder of `handler`: `response_model` (None: no schema) or its return annotation."""
    owner = describe(handler)
    declared = _declared(handler, response_model)
    if declared is None or declared in (Any, object):
        return Responder(owner, status_code, None, _untyped)
    if _is_response_type(declared):
        responder = Responder(owner, status_code, None, _untyped)
        media_type = getattr(declared, "media_type", None) if isinstance(declared, type) else None
        responder.media_type = media_type
        responder.passes_responses = True
        return responder
    if declared is type(None):
        return Responder(owner, status_code, None, _untyped)
    if isinstance(declared, type) and issubclass(declared, BaseModel):
        return Responder(owner, status_code, declared, _model_serializer(owner, declared))
    try:
        adapter: TypeAdapter[Any] = TypeAdapter(declared)
    except (PydanticSchemaGenerationError, PydanticUserError) as exc:
        raise ImproperlyConfigured(
            f"Handler {owner}: the response type {declared!r} can't be serialized to JSON; "
            "return a Pydantic model, a dict or list, or a Response (and annotate it so), or "
            "pass response_model=None"
        ) from exc
    return Responder(owner, status_code, declared, _adapter_serializer(owner, adapter))
