"""RFC 9457 problem documents: the one shape every kwik error response takes.

`HTTPError` is what handlers raise; `problem_response` is how any part of kwik writes a problem.
The exception handlers here are the start of the handler chain that the ASGI application installs
and that apps and settings extend per exception class.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from pydantic_core import to_json
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "HTTPError",
    "http_exception_handler",
    "problem_response",
    "server_error_handler",
    "status_phrase",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"


# RFC 9110 renamed these; Python's HTTPStatus has the new names only from 3.13.
_PHRASES = {
    413: "Content Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Content",
}


def status_phrase(status: int) -> str:
    """The standard phrase of `status` ("Not Found"), or "Error" for a code HTTP doesn't name."""
    if status in _PHRASES:
        return _PHRASES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int,
    *,
    detail: str | None = None,
    title: str | None = None,
    type: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """A problem+json response; `title` defaults to the status phrase, as RFC 9457 asks.

    Extension members are written by Pydantic, so they may hold what a handler has at hand
    (a UUID, a datetime, a Decimal, a model) and come out as JSON does for response bodies.
    """
    body: dict[str, Any] = {
        "type": type,
        "title": title or status_phrase(status),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return Response(
        to_json(body),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


class HTTPError(HTTPException):
    """Raise it from a handler to answer with a problem document.

    Example:
        raise HTTPError(409, "An order with this number exists", type="/problems/duplicate-order")
    """

    def __init__(
        self,
        status_code: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        type: str = "about:blank",
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(status_code, detail, dict(headers) if headers else None)
        self.title = title
        self.type = type
        self.extensions = extensions


def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's HTTPException (routing's 404 and 405 too) and HTTPError, as problems."""
    assert isinstance(exc, HTTPException)
    if exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    phrase = status_phrase(exc.status_code)
    detail = exc.detail if exc.detail != phrase else None
    if isinstance(exc, HTTPError):
        return problem_response(
            exc.status_code,
            detail=detail,
            title=exc.title,
            type=exc.type,
            headers=exc.headers,
            **exc.extensions,
        )
    return problem_response(exc.status_code, detail=detail, headers=exc.headers)


def server_error_handler(request: Request, exc: Exception) -> Response:
    """An unhandled error: a 500 problem that shows nothing of the internals.

    With DEBUG on Starlette answers with its traceback page instead, before this runs.
    """
    return problem_response(500)
