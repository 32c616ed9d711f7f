"""`BodySizeLimit`: requests whose body is larger than a limit are refused while it is read.

A pure ASGI middleware (Starlette's trusted-host middleware is the model). It wraps `receive`:
a declared Content-Length above the limit is refused before any of the body is read, and a
chunked body is counted as it arrives and refused at the first chunk past the limit, so a huge
upload never fills memory. The refusal is a `BodyTooLarge` (413) raised where the body is read,
so the application's exception handlers write the problem; if nothing catches it, this
middleware answers the 413 itself.

A response that only listens for the client leaving (a stream on uvicorn) is not refused: kwik's
routes hand it `listening(receive)`, which drops the unread body instead of aborting it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kwik.http.errors import BodyTooLarge
from kwik.http.problems import http_exception_handler

__all__ = ["BodySizeLimit", "listening"]


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
        received = -1  # -1: the declared length is not checked yet; -2: refused

        async def limited_receive() -> Message:
            nonlocal received
            if received < 0:
                if received == -2:
                    raise _Refused(limit, receive)
                declared = _declared_length(scope)
                if declared is not None and declared > limit:
                    received = -2
                    raise _Refused(limit, receive)
                received = 0
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    received = -2
                    raise _Refused(limit, receive)
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


class _Refused(BodyTooLarge):
    """The refusal, holding the server's own `receive`, so a listener can skip the body."""

    def __init__(self, limit: int, receive: Receive) -> None:
        super().__init__(limit)
        self.receive = receive

    async def next_other_message(self) -> Message:
        """The rest of the body read and dropped, then the next other message:
        `http.disconnect`, when the client leaves or the response is complete."""
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                return message


def listening(receive: Receive) -> Receive:
    """`receive` for a response that only listens for the client leaving while it is sent (a
    `StreamingResponse` or `FileResponse` on an ASGI 2.3 server such as uvicorn).

    Such a listener asks for messages, often before its response has started, but doesn't read
    the body. Refusing an over-limit body there would abort a response on its way (and
    returning `http.disconnect` would make the listener end it), so the listener is let through:
    the rest of the body is dropped while it waits for the client to leave or the response to
    end. Anyone reading the body, the stream's own iterator included, is still refused.
    """

    async def listen() -> Message:
        try:
            return await receive()
        except _Refused as refused:
            return await refused.next_other_message()

    return listen
