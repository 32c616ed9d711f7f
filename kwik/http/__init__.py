"""HTTP: routers, requests and responses, and problem+json errors."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.websockets import WebSocket

from kwik.http.application import Kwik
from kwik.http.params import Depends
from kwik.http.problems import PROBLEM_MEDIA_TYPE, HTTPError, problem_response
from kwik.http.routing import Route, Router, WebSocketRoute

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "Depends",
    "FileResponse",
    "HTMLResponse",
    "HTTPError",
    "JSONResponse",
    "Kwik",
    "PlainTextResponse",
    "RedirectResponse",
    "Request",
    "Response",
    "Route",
    "Router",
    "StreamingResponse",
    "WebSocket",
    "WebSocketRoute",
    "problem_response",
]
