"""HTTP: routers, typed handlers, dependencies, responses, templates, and problem+json errors.

Importing `kwik.http` adds kwik's path converters (`slug`) to Starlette's registry, once.
"""

from __future__ import annotations

from starlette.background import BackgroundTasks
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
from kwik.http.converters import register_converters
from kwik.http.errors import RequestValidationError
from kwik.http.params import (
    Body,
    Cookie,
    Depends,
    File,
    Form,
    Header,
    Path,
    Query,
    Security,
    SecurityScopes,
)
from kwik.http.problems import PROBLEM_MEDIA_TYPE, HTTPError, problem_response
from kwik.http.routing import Route, Router, WebSocketRoute, attach_dependencies
from kwik.http.templates import render
from kwik.http.uploads import UploadFile

register_converters()

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "BackgroundTasks",
    "Body",
    "Cookie",
    "Depends",
    "File",
    "FileResponse",
    "Form",
    "HTMLResponse",
    "HTTPError",
    "Header",
    "JSONResponse",
    "Kwik",
    "Path",
    "PlainTextResponse",
    "Query",
    "RedirectResponse",
    "Request",
    "RequestValidationError",
    "Response",
    "Route",
    "Router",
    "Security",
    "SecurityScopes",
    "StreamingResponse",
    "UploadFile",
    "WebSocket",
    "WebSocketRoute",
    "attach_dependencies",
    "problem_response",
    "render",
]
