"""Turning a handler into the endpoint Starlette calls: its plan, its result as a Response.

Handlers without dependencies take a short path (extract, call, serialize). With dependencies,
an exit stack holds generator dependencies open until the handler has returned and its result is
serialized, then closes them (a session commits) before the response is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kwik.http.plans import PathParams, compile_plan, solve

__all__ = ["Endpoint", "compile_handler", "to_response"]

Endpoint = Callable[[Request], Awaitable[Response]]


def to_response(result: Any, status_code: int) -> Response:
    """What a handler returned, as a Response: models and plain data become JSON."""
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        return Response(result.model_dump_json(), status_code, media_type="application/json")
    return JSONResponse(result, status_code)


def compile_handler(
    handler: Callable[..., Any], path_params: PathParams, status_code: int = 200
) -> Endpoint:
    """The endpoint for `handler`, its parameters planned once."""
    plan = compile_plan(handler, path_params)
    is_async = plan.kind == "async"

    async def call(kwargs: dict[str, Any]) -> Any:
        if is_async:
            return await handler(**kwargs)
        return await run_in_threadpool(handler, **kwargs)

    if not plan.dependencies:

        async def endpoint(request: Request) -> Response:
            kwargs = {name: extract(request) for name, extract in plan.extractors}
            return to_response(await call(kwargs), status_code)

        return endpoint

    async def endpoint_with_dependencies(request: Request) -> Response:
        async with AsyncExitStack() as stack:
            kwargs = await solve(plan, request, stack, {})
            response = to_response(await call(kwargs), status_code)
        return response

    return endpoint_with_dependencies
