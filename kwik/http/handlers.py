"""Compiling a handler once, at registration, into the endpoint Starlette calls per request.

Each parameter gets an extractor (a function of the request) chosen from its annotation and name;
the request path only calls them. The core knows the request itself and path parameters; query,
header, cookie, body and dependency parameters add extractors to the same plan (issue "Core III").
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import BaseModel
from starlette import convertors
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kwik.exceptions import ImproperlyConfigured

__all__ = ["Endpoint", "Extractor", "compile_handler", "to_response"]

Endpoint = Callable[[Request], Awaitable[Response]]
Extractor = Callable[[Request], Any]

_CONVERTED_TO: dict[type[convertors.Convertor[Any]], tuple[type, str]] = {
    convertors.StringConvertor: (str, "str"),
    convertors.PathConvertor: (str, "path"),
    convertors.IntegerConvertor: (int, "int"),
    convertors.FloatConvertor: (float, "float"),
    convertors.UUIDConvertor: (uuid.UUID, "uuid"),
}
_CONVERTER_FOR = {kind: name for kind, name in _CONVERTED_TO.values() if name != "path"}


def _describe(handler: Callable[..., Any]) -> str:
    return f"Handler {handler.__module__}.{handler.__qualname__}"


def _the_request(request: Request) -> Request:
    return request


def _path_parameter(name: str) -> Extractor:
    def extract(request: Request) -> Any:
        return request.path_params[name]

    return extract


def _check_path_type(
    handler: Callable[..., Any], parameter: inspect.Parameter, convertor: convertors.Convertor[Any]
) -> None:
    """Refuse `{n}` with `n: int`: the path gives a str, and the handler would get one."""
    annotation = parameter.annotation
    known = _CONVERTED_TO.get(type(convertor))
    if known is None or not isinstance(annotation, type):
        return
    produced, _ = known
    if not issubclass(produced, annotation):
        hint = _CONVERTER_FOR.get(annotation)
        fix = f"declare it as {{{parameter.name}:{hint}}} in the path" if hint else "annotate str"
        raise ImproperlyConfigured(
            f"{_describe(handler)}: path parameter {parameter.name!r} is annotated "
            f"{annotation.__name__} but the path gives {produced.__name__}; {fix}"
        )


def _extractor(
    handler: Callable[..., Any],
    parameter: inspect.Parameter,
    path_params: Mapping[str, convertors.Convertor[Any]],
) -> Extractor:
    annotation = parameter.annotation
    if isinstance(annotation, type) and issubclass(annotation, Request):
        return _the_request
    if parameter.name == "request" and annotation is inspect.Parameter.empty:
        return _the_request
    if parameter.name in path_params:
        _check_path_type(handler, parameter, path_params[parameter.name])
        return _path_parameter(parameter.name)
    raise ImproperlyConfigured(
        f"{_describe(handler)}: cannot tell where parameter {parameter.name!r} comes from; it is "
        f"not a path parameter ({sorted(path_params)}) and not annotated as Request"
    )


def to_response(result: Any, status_code: int) -> Response:
    """What a handler returned, as a Response: models and plain data become JSON."""
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        return Response(result.model_dump_json(), status_code, media_type="application/json")
    return JSONResponse(result, status_code)


def compile_handler(
    handler: Callable[..., Any],
    path_params: Mapping[str, convertors.Convertor[Any]],
    status_code: int = 200,
) -> Endpoint:
    """The endpoint for `handler`: its parameters resolved once, its result made a Response."""
    try:
        signature = inspect.signature(handler, eval_str=True)
    except NameError as exc:
        raise ImproperlyConfigured(
            f"{_describe(handler)}: an annotation can't be resolved ({exc}); "
            "import the type at module level"
        ) from exc
    plan = [
        (parameter.name, _extractor(handler, parameter, path_params))
        for parameter in signature.parameters.values()
    ]
    is_async = inspect.iscoroutinefunction(handler)

    async def endpoint(request: Request) -> Response:
        kwargs = {name: extract(request) for name, extract in plan}
        if is_async:
            result = await handler(**kwargs)
        else:
            result = await run_in_threadpool(handler, **kwargs)
        return to_response(result, status_code)

    return endpoint
