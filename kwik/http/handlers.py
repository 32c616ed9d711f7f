"""Turning a compiled plan into what Starlette calls: an endpoint and its ASGI application.

Handlers without dependencies take a short path (extract, validate once, call, serialize). With
dependencies, an exit stack holds generator dependencies open until the handler has returned and
its result is serialized, then closes them (a session commits) before the response is sent.
The ASGI application is kwik's own, not Starlette's `request_response` wrapper: an error goes
straight to the application's exception handlers, which write the problem document.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from kwik.http.errors import RequestValidationError
from kwik.http.limits import listening
from kwik.http.plans import (
    Plan,
    Solving,
    background_tasks,
    injected_response,
    solve,
    split_guards,
    walk,
)
from kwik.http.responders import Responder

__all__ = ["Endpoint", "asgi_app", "compile_endpoint", "compile_websocket"]

Endpoint = Callable[[Request], Awaitable[Response]]

_POLICY_VIOLATION = 1008  # RFC 6455: the close code for a connection refused on its contents


def _caller(plan: Plan) -> Callable[[dict[str, Any]], Awaitable[Any]]:
    handler = plan.call
    if plan.kind == "async":

        async def call_async(kwargs: dict[str, Any]) -> Any:
            return await handler(**kwargs)

        return call_async

    async def call_in_thread(kwargs: dict[str, Any]) -> Any:
        return await run_in_threadpool(handler, **kwargs)

    return call_in_thread


def compile_endpoint(plan: Plan, respond: Responder) -> Endpoint:
    """The endpoint running `plan` for a request and answering with `respond`'s Response.

    Guards (see `split_guards`) run first, as plain calls; the rest of the plan then takes the
    shortest path it can. A test that overrides dependencies gets the general path for the whole
    plan, so a guard can be overridden like any dependency.
    """
    guards, rest = split_guards(plan)
    if not guards:
        return _endpoint(plan, respond)
    full = _endpoint(plan, respond)
    inner = _endpoint(rest, respond)

    async def guarded_endpoint(request: Request) -> Response:
        if getattr(request.app, "dependency_overrides", None):
            return await full(request)
        for guard in guards:
            await guard(request)
        return await inner(request)

    return guarded_endpoint


def _endpoint(plan: Plan, respond: Responder) -> Endpoint:
    if not plan.dependencies:
        return _direct_endpoint(plan, respond)
    call = _caller(plan)

    async def endpoint_with_dependencies(request: Request) -> Response:
        async with AsyncExitStack() as stack:
            state = Solving(stack, getattr(request.app, "dependency_overrides", None))
            kwargs = await solve(plan, request, state)
            if state.errors:
                raise RequestValidationError(state.errors)
            response = respond(await call(kwargs), state.response)
        return response

    return endpoint_with_dependencies


def _direct_endpoint(plan: Plan, respond: Responder) -> Endpoint:
    """The short path: no dependencies, so no exit stack, cache or error collection."""
    handler = plan.call
    extractors = plan.extractors
    inputs = plan.inputs
    responses = plan.responses
    background = plan.background
    if plan.kind == "async" and not responses and not background:
        # The common cases, kept to the fewest steps: read and validate, call, serialize.
        if inputs is not None and inputs.is_async:
            read = inputs.read

            async def endpoint_with_body(request: Request) -> Response:
                kwargs = await read(request)
                for name, extract in extractors:
                    kwargs[name] = extract(request)
                return respond(await handler(**kwargs))

            return endpoint_with_body

        read_now = inputs.read_now if inputs is not None else None

        async def endpoint(request: Request) -> Response:
            kwargs = read_now(request) if read_now is not None else {}
            for name, extract in extractors:
                kwargs[name] = extract(request)
            return respond(await handler(**kwargs))

        return endpoint

    call = _caller(plan)

    async def general_endpoint(request: Request) -> Response:
        kwargs: dict[str, Any] = {}
        if inputs is not None:
            kwargs = await inputs.read(request) if inputs.is_async else inputs.read_now(request)
        for name, extract in extractors:
            kwargs[name] = extract(request)
        injected = None
        if responses or background:
            injected = injected_response()
            for name in responses:
                kwargs[name] = injected
            for name in background:
                kwargs[name] = background_tasks(injected)
        return respond(await call(kwargs), injected)

    return general_endpoint


def asgi_app(plan: Plan, endpoint: Endpoint, *, passes_responses: bool = True) -> ASGIApp:
    """The ASGI application of an HTTP route; uploaded files are closed after the response.

    `passes_responses`: the handler may return a Response of its own (it declares no response
    schema). A streamed or file response listens for the client leaving while it is sent, and is
    given a `receive` on which the body limit doesn't abort it (see `limits.listening`); a
    route whose results are serialized by kwik never needs that, so it doesn't pay for it.
    """
    # A guard may parse the form itself (security's CSRF check reads a form post's token), so
    # a route with guards closes uploaded files too.
    reads_form = bool(split_guards(plan)[0]) or any(
        found.inputs is not None and found.inputs.reads_form for _, found in walk(plan)
    )
    if not reads_form and not passes_responses:

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            response = await endpoint(Request(scope, receive, send))
            await response(scope, receive, send)

        return app

    if not reads_form:

        async def app_passing_responses(scope: Scope, receive: Receive, send: Send) -> None:
            response = await endpoint(Request(scope, receive, send))
            if type(response).__call__ is not _SENDS_ONLY:
                receive = listening(receive)
            await response(scope, receive, send)

        return app_passing_responses

    async def app_closing_files(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
            if passes_responses and type(response).__call__ is not _SENDS_ONLY:
                receive = listening(receive)
            await response(scope, receive, send)
        finally:
            await request.close()

    return app_closing_files


_SENDS_ONLY = Response.__call__  # a plain Response sends; it never calls receive


def compile_websocket(plan: Plan) -> ASGIApp:
    """The ASGI application of a WebSocket route. Parameters that don't validate close the
    connection with code 1008 (policy violation) and the problems as the reason."""
    call = _caller(plan)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        async with AsyncExitStack() as stack:
            state = Solving(stack, getattr(websocket.app, "dependency_overrides", None))
            kwargs = await solve(plan, websocket, state)
            if state.errors:
                reason = str(RequestValidationError(state.errors).detail)
                await websocket.close(_POLICY_VIOLATION, _truncate(reason))
                return
            await call(kwargs)

    return app


def _truncate(reason: str) -> str:
    """A close reason fits in 123 bytes of UTF-8 (RFC 6455)."""
    encoded = reason.encode()
    if len(encoded) <= 123:
        return reason
    return encoded[:120].decode(errors="ignore") + "..."
