"""The three benchmarked requests, and the checks every app must pass before it is loaded.

The expected answers are written out here, not computed from the apps' shared schemas, so an app
that answers the wrong thing fails its check instead of agreeing with itself.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["CHECKS", "CREATE_BODY", "ENDPOINTS", "Check", "Endpoint", "verify"]

CREATE_BODY: dict[str, Any] = {
    "name": "Widget",
    "price": 12.5,
    "tags": ["red", "small", "sale"],
    "dimensions": {"width": 2.0, "height": 3.5},
    "quantity": 7,
}

JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Endpoint:
    """One request wrk sends over and over, or with `more_paths` several it sends in turn (a
    detail endpoint read at several ids, so no single row is all that is measured)."""

    key: str
    label: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    more_paths: tuple[str, ...] = ()

    def under(self, prefix: str) -> Endpoint:
        """The same request to an app serving the endpoints under `prefix` (`/v2/ping`)."""
        if not prefix:
            return self
        more = tuple(prefix + path for path in self.more_paths)
        return replace(self, path=prefix + self.path, more_paths=more)

    def each(self) -> tuple[Endpoint, ...]:
        """One single-path endpoint per path this one sends: `path`, then `more_paths`."""
        if not self.more_paths:
            return (self,)
        paths = (self.path, *self.more_paths)
        return tuple(replace(self, path=path, more_paths=()) for path in paths)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("ping", "GET /ping", "GET", "/ping"),
    Endpoint("read", "GET /items/{id}", "GET", "/items/42?q=hello"),
    Endpoint(
        "create",
        "POST /items",
        "POST",
        "/items",
        json.dumps(CREATE_BODY, separators=(",", ":")).encode(),
        JSON_HEADERS,
    ),
)

INVALID = frozenset({400, 422})  # Litestar answers validation errors with 400, the others 422


@dataclass(frozen=True)
class Check:
    """A request and what a correct app answers: a status, and for successes the exact JSON."""

    name: str
    method: str
    path: str
    statuses: frozenset[int]
    expected: Any = None
    body: Any = None
    raw_body: bytes | None = None

    def under(self, prefix: str) -> Check:
        return replace(self, path=prefix + self.path) if prefix else self

    def payload(self) -> bytes | None:
        if self.raw_body is not None:
            return self.raw_body
        return None if self.body is None else json.dumps(self.body).encode()


_OK = frozenset({200})
_CREATED = frozenset({201})
_MISSING = object()


def _refused(check_name: str, /, **changes: Any) -> Check:
    """`POST /items` with CREATE_BODY changed (a field set to _MISSING is left out): refused."""
    body = {k: v for k, v in {**CREATE_BODY, **changes}.items() if v is not _MISSING}
    return Check(check_name, "POST", "/items", INVALID, body=body)


CHECKS: tuple[Check, ...] = (
    Check("ping", "GET", "/ping", _OK, {"ping": "pong"}),
    Check(
        "read with q",
        "GET",
        "/items/42?q=hello",
        _OK,
        {"id": 42, "name": "Item 42", "price": 9.99, "tags": ["bench"], "q": "hello"},
    ),
    Check(
        "read without q",
        "GET",
        "/items/7",
        _OK,
        {"id": 7, "name": "Item 7", "price": 9.99, "tags": ["bench"], "q": None},
    ),
    Check("read with a non-integer id", "GET", "/items/abc", frozenset({404})),
    Check("read with q over 50 characters", "GET", "/items/1?q=" + "x" * 51, INVALID),
    Check("create", "POST", "/items", _CREATED, {**CREATE_BODY, "id": 1}, CREATE_BODY),
    Check(
        "create with only the required fields",
        "POST",
        "/items",
        _CREATED,
        {"name": "A", "price": 0.5, "tags": [], "dimensions": None, "quantity": 0, "id": 1},
        {"name": "A", "price": 0.5, "quantity": 0},
    ),
    _refused("create with an empty name", name=""),
    _refused("create with a 65-character name", name="n" * 65),
    _refused("create with price 0", price=0),
    _refused("create with a non-number price", price="cheap"),
    _refused("create with a negative nested width", dimensions={"width": -1, "height": 1}),
    _refused("create with a nested object missing a field", dimensions={"width": 1}),
    _refused("create with a non-string tag", tags=[1]),
    _refused("create with 17 tags", tags=["t"] * 17),
    _refused("create without quantity", quantity=_MISSING),
    _refused("create with a negative quantity", quantity=-1),
    Check("create with malformed JSON", "POST", "/items", INVALID, raw_body=b'{"name": '),
)


def _answer_problem(check: Check, status: int, headers: http.client.HTTPMessage, raw: bytes) -> str:
    """What is wrong with the answer to `check`, or "" when it is right."""
    if status not in check.statuses:
        return f"status {status}, expected {sorted(check.statuses)}: {raw[:200]!r}"
    if check.expected is None:
        return ""
    content_type = headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        return f"content-type {content_type!r}, expected application/json"
    try:
        answer = json.loads(raw)
    except ValueError:
        return f"body is not JSON: {raw[:200]!r}"
    if answer != check.expected:
        return f"body {answer!r}, expected {check.expected!r}"
    return ""


def verify(
    host: str, port: int, checks: tuple[Check, ...] = CHECKS, *, prefix: str = ""
) -> list[str]:
    """Run every check against the server at host:port over one keep-alive connection, each
    path under `prefix` (an app serving the endpoints under a version's URL prefix).

    Returns one line per failed check; an empty list means the app answers correctly.
    """
    failures = []
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        for check in (check.under(prefix) for check in checks):
            payload = check.payload()
            headers = JSON_HEADERS if payload is not None else {}
            connection.request(check.method, check.path, body=payload, headers=headers)
            response = connection.getresponse()
            problem = _answer_problem(check, response.status, response.headers, response.read())
            if problem:
                failures.append(f"{check.name} ({check.method} {check.path}): {problem}")
    finally:
        connection.close()
    return failures
