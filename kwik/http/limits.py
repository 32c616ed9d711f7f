"""`BodySizeLimit`: requests whose body is larger than a limit are refused while it is read.

A pure ASGI middleware (Starlette's trusted-host middleware is the model). It wraps `receive`:
a declared Content-Length above the limit is refused before any of the body is read, and a
chunked body is counted as it arrives and refused at the first chunk past the limit, so a huge
upload never fills memory. The refusal is a `BodyTooLarge` (413) raised where the body is read,
so the application's exception handlers write the problem; if nothing catches it, this
middleware answers the 413 itself.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kwik.http.errors import BodyTooLarge
from kwik.http.problems import http_exception_handler

__all__ = ["BodySizeLimit"]


def _declared_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodySizeLimit:
    """Refuse request bodies larger than `max_body_size` bytes with a 413 problem."""

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_size
        received = -1  # -1: the declared length is not checked yet

        async def limited_receive() -> Message:
            nonlocal received
            if received < 0:
                declared = _declared_length(scope)
                if declared is not None and declared > limit:
                    raise BodyTooLarge(limit)
                received = 0
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge as exc:
            # Nothing inside answered it (a middleware read the body, say). Answer now, unless
            # a response has started already: then the server refuses a second one.
            response = http_exception_handler(Request(scope), exc)
            try:
                await response(scope, receive, send)
            except Exception:
                raise exc from None
