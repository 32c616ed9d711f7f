"""Compiling API versions into the one routing table (`VersioningConfig.rewrite_routes`).

Each route declaring `version=` becomes a `VersionedRoute`: with `url` selection one copy per
version under its prefix (`/v1/users`, named `v1:users:list`), which knows its version from
the path; with header, media type or query selection one route at the route's own path, which
matches only when the requested version is one it serves, so `/users` for v1 and `/users` for
v2+ can be two handlers. Nothing is mounted: middleware, lifespan and dependency overrides see
one table, whatever the version.

Per version a route is given a small ASGI app, built here once: it records the version in the
scope, adds the lifecycle headers, answers 410 after the sunset, and passes requests and
responses of older versions through the route's changes. A version with nothing of that costs
one extra call.

`VersionGaps`, last in the table, turns the 404 of a path that exists in other versions into a
problem saying which versions have it.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kwik.contrib.versioning.changes import (
    Change,
    check_changes,
    downgrade,
    old_location,
    upgrade,
)
from kwik.contrib.versioning.config import Versioning
from kwik.contrib.versioning.lifecycle import lifecycle_headers, sunset_text
from kwik.contrib.versioning.problems import not_in_version, sunset_passed, unknown_version
from kwik.contrib.versioning.selection import VERSION_KEY
from kwik.contrib.versioning.versions import APIVersion, Lifecycle
from kwik.exceptions import ImproperlyConfigured
from kwik.http.errors import RequestValidationError
from kwik.http.openapi.operations import openapi_path
from kwik.http.problems import HTTPError
from kwik.http.routing import Route, WebSocketRoute, allowed_methods
from kwik.http.signature import describe

__all__ = [
    "RequestedVersionRoute",
    "Serving",
    "SharedVersionRoute",
    "VersionGaps",
    "VersionedRoute",
    "compile_versions",
]

_ERROR_KEY = "kwik.api_version_error"


class Serving:
    """How a route serves one version: its lifecycle and the changes its requests and
    responses go through (those since a later version, oldest first)."""

    def __init__(
        self,
        version: APIVersion,
        lifecycle: Lifecycle,
        request_changes: tuple[Change, ...],
        response_changes: tuple[Change, ...],
    ) -> None:
        self.version = version
        self.lifecycle = lifecycle
        self.request_changes = request_changes
        self.response_changes = response_changes
        self.headers = lifecycle_headers(lifecycle)

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(dict.fromkeys((*self.request_changes, *self.response_changes)))


class VersionedRoute(Route):
    """A route serving some API versions: a URL-prefixed copy serving its one version (`fixed`),
    or a route with a lifecycle but no `version=` serving all of them (`neutral`). Either way
    the version is known before the request arrives, so matching and handling are `Route`'s,
    with the version's app (its lifecycle and changes) as the route's app.

    `RequestedVersionRoute` is the one whose version the request chooses.
    """

    def __init__(
        self,
        route: Route,
        *,
        path: str,
        name: str,
        servings: Sequence[Serving],
        fixed: APIVersion | None,
        versioning: Versioning,
        original: Route,
        neutral: bool = False,
    ) -> None:
        options = route.options()
        options["name"] = name
        super().__init__(path, route.handler, **options, compiled_from=route)
        self.original = original
        self.fixed = fixed
        self.neutral = neutral
        self.versioning = versioning
        self.servings = {serving.version.name: serving for serving in servings}
        self.served = tuple(serving.version for serving in servings)
        self.operation = f"{'/'.join(self.declared_methods)} {openapi_path(path)}"
        vary = versioning.selector.vary if fixed is None and not neutral else None
        self._apps = {
            serving.version.name: _serving_app(
                self.app, serving, self.operation, sets=not neutral, vary=vary
            )
            for serving in servings
        }
        if fixed is not None or neutral:
            self.app = self._apps[servings[0].version.name]

    def serving(self, version: str) -> Serving | None:
        return self.servings.get(version)

    def shadows(self, other: Route) -> bool:
        """Two routes on one path, chosen by a header or query, clash only in a version they
        both serve."""
        if not isinstance(other, VersionedRoute) or self.neutral or other.neutral:
            return True
        return not self.servings.keys().isdisjoint(other.servings)


class RequestedVersionRoute(VersionedRoute):
    """A route whose version the request chooses (header, media type, query parameter), at the
    route's own path. Alone on its path, it chooses in `handle`, after matching like any route;
    `SharedVersionRoute` is for a path with a handler per version."""

    def __init__(self, route: Route, **options: Any) -> None:
        super().__init__(route, fixed=None, **options)
        self.selector = self.versioning.selector
        self.supported = [version.name for version in self.versioning.versions.versions]

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            raise HTTPError(405, headers={"Allow": ", ".join(allowed_methods(scope))})
        version = self.selector.of(scope)
        app = self._apps.get(version.name)
        if app is None:
            raise self.missing(scope, version)
        await app(scope, receive, send)

    def missing(self, scope: Scope, version: APIVersion) -> HTTPError:
        operation = f"{scope['method']} {openapi_path(self.original.path)}"
        served = [each.name for each in self.served]
        return not_in_version(operation, version.name, served, self.supported)


class SharedVersionRoute(RequestedVersionRoute):
    """A route whose path other routes share (a handler per version): it matches only the
    versions it serves, so the request reaches the route serving its version."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = Route.matches(self, scope)
        if match is Match.NONE:
            return match, child
        try:
            version = self.selector.of(scope)
        except HTTPError as error:
            child[_ERROR_KEY] = error
            return Match.FULL, child
        if version.name not in self._apps:
            return Match.NONE, {}
        return match, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = scope.get(_ERROR_KEY)
        if error is not None:
            raise error
        await super().handle(scope, receive, send)


def _serving_app(
    inner: ASGIApp, serving: Serving, operation: str, *, sets: bool, vary: str | None
) -> ASGIApp:
    """The app serving one version of a route: only the steps this version needs. `sets`:
    record the version in the scope (a neutral route leaves it to `api_version()`); `vary`:
    the request headers that chose the version."""
    version = serving.version
    headers = [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in serving.headers.items()
    ]
    if vary is not None:
        headers.append((b"vary", vary.encode("latin-1")))
    sunset = serving.lifecycle.sunset.timestamp() if serving.lifecycle.sunset else None
    request_changes = serving.request_changes
    response_changes = serving.response_changes
    if not (headers or sunset or request_changes or response_changes):

        async def plain(scope: Scope, receive: Receive, send: Send) -> None:
            scope[VERSION_KEY] = version
            await inner(scope, receive, send)

        return plain

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if sets:
            scope[VERSION_KEY] = version
        if sunset is not None and time.time() >= sunset:
            raise sunset_passed(
                operation,
                version.name if sets else None,
                sunset_text(serving.lifecycle),
                serving.headers,
            )
        if headers:
            send = _adding_headers(send, headers)
        if response_changes:
            send = _downgrading(send, response_changes)
        if request_changes and scope["method"] not in ("GET", "HEAD", "DELETE", "OPTIONS"):
            receive = await _upgraded(scope, receive, request_changes)
        if not request_changes:
            await inner(scope, receive, send)
            return
        try:
            await inner(scope, receive, send)
        except RequestValidationError as exc:
            raise RequestValidationError(
                [
                    {**entry, "loc": old_location(entry["loc"], request_changes)}
                    for entry in exc.errors
                ]
            ) from None

    return app


def _adding_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), *headers]}
        await send(message)

    return send_with_headers


def _is_json(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return media == b"application/json" or (
                media.endswith(b"+json") and media != b"application/problem+json"
            )
    return False


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _downgrading(send: Send, changes: tuple[Change, ...]) -> Send:
    """`send`, rewriting a successful JSON response into the older version's shape."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def send_downgraded(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            headers = message.get("headers", ())
            if 200 <= message["status"] < 300 and _is_json(headers):
                start = message
                return
            await send(message)
            return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        with contextlib.suppress(ValueError):  # a handler's own Response that isn't JSON
            body = _encode(downgrade(json.loads(body), changes)) if body else body
        headers = [(k, v) for k, v in start.get("headers", ()) if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode("latin-1")))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return send_downgraded


async def _upgraded(scope: Scope, receive: Receive, changes: tuple[Change, ...]) -> Receive:
    """`receive`, giving the request's JSON body in the newest version's shape.

    The body is read whole (the application's body limit still applies to what arrives); a
    body that isn't JSON is passed on as it came, for the route's own 422.
    """
    if not _is_json(scope["headers"]):
        return receive
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return _replaying(b"".join(chunks), receive, message)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    try:
        body = _encode(upgrade(json.loads(body), changes))
    except ValueError:  # not JSON, or a number JSON can't hold once parsed (1e400)
        return _replaying(body, receive)
    scope["headers"] = [
        *((k, v) for k, v in scope["headers"] if k != b"content-length"),
        (b"content-length", str(len(body)).encode("latin-1")),
    ]
    return _replaying(body, receive)


def _replaying(body: bytes, receive: Receive, then: Message | None = None) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if then is not None:
            return then
        return await receive()

    return replay


class VersionGaps(BaseRoute):
    """Last in the table: a request no route matched, for a path some version has, gets a 404
    problem naming the versions that have it (or a 404 naming the supported versions, for a
    URL prefix that is no version)."""

    def __init__(self, routes: Sequence[VersionedRoute], versioning: Versioning) -> None:
        self.versioning = versioning
        self._paths: list[tuple[Any, str, VersionedRoute]] = []
        for route in routes:
            if route.neutral:
                continue
            regex, _, _ = compile_path(route.original.path)
            self._paths.append((regex, openapi_path(route.original.path), route))
        self.supported = [version.name for version in versioning.versions.versions]

    def _serving(self, path: str, method: str) -> tuple[str, list[str]] | None:
        found: dict[str, None] = {}
        template = None
        for regex, original, route in self._paths:
            if regex.match(path) and (not route.methods or method in route.methods):
                template = template or original
                found.update(dict.fromkeys(version.name for version in route.served))
        if template is None:
            return None
        ordered = [name for name in self.supported if name in found]
        return template, ordered

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path = scope["path"]
        method = scope["method"]
        versioning = self.versioning
        if versioning.by_url:
            prefixed = versioning.prefix_pattern.match(path)
            if prefixed is not None:
                found = self._serving(prefixed["rest"], method)
                if found is not None:
                    name = prefixed["version"]
                    if versioning.versions.get(name) is None:
                        error: HTTPError = unknown_version(
                            f"No API version {name!r}", self.supported, status=404
                        )
                    else:
                        error = not_in_version(
                            f"{method} {found[0]}", name, found[1], self.supported
                        )
                    return Match.FULL, {_ERROR_KEY: error}
        if versioning.by_request:
            found = self._serving(path, method)
            if found is not None:
                try:
                    requested = versioning.selector.of(scope)
                except HTTPError as exc:
                    return Match.FULL, {_ERROR_KEY: exc}
                error = not_in_version(
                    f"{method} {found[0]}", requested.name, found[1], self.supported
                )
                return Match.FULL, {_ERROR_KEY: error}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise scope[_ERROR_KEY]

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        from starlette.routing import NoMatchFound

        raise NoMatchFound(name, path_params)


def _servings(
    route: Route, versions: Sequence[APIVersion], versioning: Versioning
) -> list[Serving]:
    owner = f"Route {route.name!r} ({describe(route.handler)})"
    own = Lifecycle.of(route.deprecated, route.sunset, route.link, owner)
    changes = check_changes(route.changes, owner)
    order = versioning.versions
    oldest = versions[0].index if versions else 0
    for change in changes:
        since = order.before(change.since, owner)
        if since <= oldest:
            raise ImproperlyConfigured(
                f"{owner}: the change {change} never applies: the route's "
                f"oldest version is {versions[0].name}; remove it, or serve older versions"
            )
    ranked = sorted(changes, key=lambda change: order.before(change.since, owner))
    servings = []
    for version in versions:
        applying = [c for c in ranked if order.before(c.since, owner) > version.index]
        servings.append(
            Serving(
                version,
                own.over(version.lifecycle),
                tuple(c for c in applying if c.applies_to("request")),
                tuple(c for c in applying if c.applies_to("response")),
            )
        )
    return servings


def _declares_lifecycle(route: Route) -> bool:
    return (
        not isinstance(route.deprecated, bool)
        or route.sunset is not None
        or (route.link is not None)
    )


def _may_overlap(route: Route, other: BaseRoute) -> bool:
    """Whether some request path could match both routes' paths (conservatively: a variable
    segment may be anything; a `path` variable, any number of segments)."""
    if not isinstance(other, Route):
        return False
    mine, theirs = route.path.strip("/").split("/"), other.path.strip("/").split("/")
    if ":path}" in route.path or ":path}" in other.path:
        return True
    return len(mine) == len(theirs) and all(
        a == b or "{" in a or "{" in b for a, b in zip(mine, theirs, strict=True)
    )


def compile_versions(routes: list[BaseRoute], versioning: Versioning) -> list[BaseRoute]:
    """The routing table with each versioned route compiled as the strategies say."""
    table: list[BaseRoute] = []
    versioned: list[VersionedRoute] = []
    for route in routes:
        if isinstance(route, WebSocketRoute) or not isinstance(route, Route):
            table.append(route)
            continue
        if route.version is None:
            if route.changes:
                raise ImproperlyConfigured(
                    f"Route {route.name!r}: changes= needs version= (the versions the route "
                    "serves, the oldest through its changes)"
                )
            if not _declares_lifecycle(route):
                table.append(route)
                continue
            lifecycle = Lifecycle.of(route.deprecated, route.sunset, route.link, route.name)
            neutral = VersionedRoute(
                route,
                path=route.path,
                name=route.name,
                servings=[
                    Serving(version, lifecycle, (), ()) for version in versioning.versions.versions
                ],
                fixed=None,
                versioning=versioning,
                original=route,
                neutral=True,
            )
            table.append(neutral)
            continue
        owner = f"Route {route.name!r} ({describe(route.handler)})"
        versions = versioning.versions.parse(route.version, owner)
        servings = _servings(route, versions, versioning)
        if versioning.by_url:
            for serving in servings:
                name = serving.version.name
                copy = VersionedRoute(
                    route,
                    path=versioning.prefix(name) + route.path,
                    name=f"{name}:{route.name}",
                    servings=[serving],
                    fixed=serving.version,
                    versioning=versioning,
                    original=route,
                )
                table.append(copy)
                versioned.append(copy)
        if versioning.by_request:
            shares = any(_may_overlap(route, other) for other in routes if other is not route)
            kind = SharedVersionRoute if shares else RequestedVersionRoute
            chosen = kind(
                route,
                path=route.path,
                name=route.name,
                servings=servings,
                versioning=versioning,
                original=route,
            )
            table.append(chosen)
            versioned.append(chosen)
    if versioned:
        table.append(VersionGaps(versioned, versioning))
    return table
