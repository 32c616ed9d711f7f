"""The errors kwik answers for a request it can't hand to the handler, each an `HTTPError`, so
the problem+json handler writes them like any other: 422, 400 (malformed JSON), 413, 415.

`ResponseValidationError` is the one that is not an HTTP error: a handler returned data its
response model refuses, which is a bug in the server, answered 500.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from kwik.http.problems import HTTPError

__all__ = [
    "MALFORMED_JSON",
    "MAX_REPORTED_ERRORS",
    "VALIDATION_ERROR",
    "BodyTooLarge",
    "MalformedJSON",
    "RequestValidationError",
    "ResponseValidationError",
    "UnsupportedMediaType",
    "error_entries",
]

VALIDATION_ERROR = "urn:kwik:problem:validation-error"
MALFORMED_JSON = "urn:kwik:problem:malformed-json"
MAX_REPORTED_ERRORS = 100
"""The most entries a 422 lists; a body of 100,000 bad items would otherwise be answered with
100,000 entries (megabytes of JSON, built on the event loop). `omitted_errors` counts the rest."""


def error_entries(exc: ValidationError, prefix: Sequence[str | int] = ()) -> list[dict[str, Any]]:
    """Pydantic's errors as problem entries, `{"loc": [...], "msg": ..., "type": ...}`, their
    locations under `prefix` (`["body"]`)."""
    return [
        {"loc": [*prefix, *error["loc"]], "msg": error["msg"], "type": error["type"]}
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


def _where(loc: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in loc)


class RequestValidationError(HTTPError):
    """422: request parameters or body that don't validate, one entry in `errors` per problem.

    Every problem of the request is reported at once, up to MAX_REPORTED_ERRORS of them: the
    rest are only counted (`omitted`; `omitted_errors` in the document), so a huge invalid body
    can't make the answer huge too. `detail` joins the entries, so a person reading only
    `detail` sees them too. Entries are compared by location, message and type, with a set: a
    parameter read by two dependencies fails once, at any number of entries.
    """

    def __init__(self, errors: Iterable[dict[str, Any]]) -> None:
        unique: list[dict[str, Any]] = []
        seen: set[tuple[Any, ...]] = set()
        omitted = 0
        for entry in errors:
            key = (tuple(entry["loc"]), entry["msg"], entry["type"])
            if key in seen:
                continue
            seen.add(key)
            if len(unique) < MAX_REPORTED_ERRORS:
                unique.append(entry)
            else:
                omitted += 1
        self.errors = unique
        self.omitted = omitted
        detail = "; ".join(f"{_where(entry['loc'])}: {entry['msg']}" for entry in unique)
        extensions: dict[str, Any] = {"errors": unique}
        if omitted:
            detail += f"; and {omitted} more"
            extensions["omitted_errors"] = omitted
        super().__init__(422, detail, title="Invalid request", type=VALIDATION_ERROR, **extensions)


class MalformedJSON(HTTPError):
    """400: the body is not JSON at all; `detail` says where parsing stopped."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            400,
            f"The request body is not valid JSON: {reason}",
            title="Malformed JSON",
            type=MALFORMED_JSON,
        )


class UnsupportedMediaType(HTTPError):
    """415: a body in a format the endpoint doesn't read."""

    def __init__(self, expected: Sequence[str], received: str) -> None:
        super().__init__(
            415,
            f"This endpoint reads {' or '.join(expected)}; the request's Content-Type is "
            f"{received}",
        )


class BodyTooLarge(HTTPError):
    """413: the body is larger than MAX_REQUEST_BODY_SIZE; refused before it is all read."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            f"The request body is larger than {limit} bytes, the most this server accepts",
            limit=limit,
        )


class ResponseValidationError(Exception):
    """A handler returned something its response model refuses: a bug in the handler."""

    def __init__(self, handler: str, exc: ValidationError) -> None:
        self.errors = error_entries(exc)
        super().__init__(f"{handler} returned a value its response model refuses:\n{exc}")
