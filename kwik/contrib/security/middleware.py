"""`SecurityMiddleware`: the client's address, CORS and the security headers, in one pass.

A pure ASGI middleware (Starlette's trusted-host middleware is the model), and the outermost
one: it wraps even the server-error handler, so a 500 carries the same headers as any response.
Per HTTP request it

- resolves the client: behind a trusted proxy `scope["client"]` (and `scope["scheme"]`)
  become the forwarded client's (see `clients`), so everything inside sees the real client;
- answers CORS preflights itself, and adds CORS headers to responses for allowed origins;
- adds, when the response starts, the security headers, the RateLimit headers rate-limit
  checks left in `scope["kwik.ratelimit_headers"]` and the headers other dependencies left in
  `scope["kwik.response_headers"]` (CSRF's cookie). A header the response set itself is kept.

Everything a request needs is rendered as bytes when the middleware is built, from the
settings of that moment; per request it reads a few headers, picks a tuple of header pairs and
appends it. WebSocket handshakes get the client's address too, and a browser's cross-origin
handshake is refused unless CORS allows its origin. Lifespan messages pass through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from kwik.contrib.security.clients import (
    ClientResolver,
    TrustedProxies,
    UnlistedProxyWarning,
    warn_unlisted_proxy,
)
from kwik.contrib.security.cors import VARY_ORIGIN, CorsPolicy
from kwik.contrib.security.csp import NONCE_KEY
from kwik.contrib.security.headers import (
    ROUTE_HEADERS_ATTRIBUTE,
    CompiledHeaders,
    HeaderPolicy,
    RouteHeaders,
)
from kwik.http.problems import http_exception_handler, problem_response

__all__ = ["CROSS_ORIGIN", "RATELIMIT_HEADERS_KEY", "RESPONSE_HEADERS_KEY", "SecurityMiddleware"]

CROSS_ORIGIN = "urn:kwik:problem:cross-origin-websocket"
RATELIMIT_HEADERS_KEY = "kwik.ratelimit_headers"
RESPONSE_HEADERS_KEY = "kwik.response_headers"

Pair = tuple[bytes, bytes]

_SAMPLE = 16

_FORWARDING = frozenset({b"forwarded", b"x-forwarded-for", b"x-forwarded-proto"})
_GUARDED = frozenset(
    {
        b"strict-transport-security",
        b"content-security-policy",
        b"content-security-policy-report-only",
        b"x-content-type-options",
        b"x-frame-options",
        b"referrer-policy",
        b"permissions-policy",
        b"cross-origin-opener-policy",
        b"cross-origin-resource-policy",
        b"access-control-allow-origin",
        b"access-control-allow-credentials",
        b"access-control-expose-headers",
        b"ratelimit",
        b"ratelimit-policy",
        b"retry-after",
    }
)
"""Every header this middleware may add: a response that sets one itself keeps its own."""


class SecurityMiddleware:
    """Resolve the client, answer CORS, and add security headers to every response.

    Built from the settings once (kwik installs it first when `kwik.contrib.security` is in
    INSTALLED_APPS); an application built by hand wraps itself:

    Example:
        app = SecurityMiddleware(Starlette(routes=routes))
    """

    def __init__(self, app: ASGIApp) -> None:
        from kwik.conf import settings

        self.app = app
        self.policy = HeaderPolicy.from_settings()
        self.headers = self.policy.compile()
        self.cors = CorsPolicy.from_settings()
        proxies = TrustedProxies(settings.TRUSTED_PROXIES)
        self.resolver = ClientResolver(proxies, settings.TRUSTED_PROXY_HEADER) if proxies else None
        self.debug = bool(settings.DEBUG)
        self._inspecting = self.cors is not None or self.resolver is not None
        watched = {b"origin"} if self.cors is not None else set()
        if self.resolver is not None:
            watched.add(self.resolver.header)
            if self.resolver.proto_header:
                watched.add(self.resolver.proto_header)
        else:
            watched |= _FORWARDING
        self._watched = frozenset(watched)
        self._countdown = 1
        self._routes: dict[int, tuple[RouteHeaders, CompiledHeaders]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket":
                await self._websocket(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        origin = None
        if self._inspecting:
            origin = self._inspect(scope)
            if (
                origin is not None
                and scope["method"] == "OPTIONS"
                and await self._preflight(scope, receive, send, origin)
            ):
                return
        elif not UnlistedProxyWarning.done:
            # With no TRUSTED_PROXIES, forwarded headers only matter for the warning about an
            # unlisted proxy; a proxy sends them on every request, so the first request and
            # every 16th after are enough to notice it, at a sixteenth of the cost.
            self._countdown -= 1
            if self._countdown <= 0:
                self._countdown = _SAMPLE
                self._check_forwarding(scope)
        started = False

        def send_secured(message: Message) -> Awaitable[None]:
            # A plain function handing back `send`'s awaitable: no coroutine of its own per
            # message. It runs on every response, so the common case is written out here
            # rather than spread over methods: each call costs a tenth of a microsecond.
            nonlocal started
            if message["type"] != "http.response.start":
                return send(message)
            started = True
            compiled = self.headers
            route = scope.get("route")
            if route is not None:
                try:
                    marker = route.handler.__dict__.get(ROUTE_HEADERS_ATTRIBUTE)
                except AttributeError:  # not a kwik route (a mount, the docs' fixed paths)
                    marker = None
                if marker is not None:
                    compiled = self._route_headers(marker)
            https = scope.get("scheme") == "https"
            nonce = scope.get(NONCE_KEY)
            if nonce is not None:
                ours = compiled.pairs(https, nonce)
            else:
                ours = compiled.https if https else compiled.http
            if self.debug and message.get("status") == 500:
                # DEBUG's traceback page styles itself inline; it is for the developer only.
                ours = compiled.without_csp(https)
            existing = message.get("headers") or ()
            for name, _ in existing:
                if name in _GUARDED:
                    message["headers"] = _merged(existing, ours, scope, self.cors, origin)
                    return send(message)
            headers = [*existing, *ours]
            if self.cors is not None:
                headers += self.cors.response_headers(origin)
            limits = scope.get(RATELIMIT_HEADERS_KEY)
            if limits:
                headers += limits
            others = scope.get(RESPONSE_HEADERS_KEY)
            if others:
                headers += others
            message["headers"] = headers
            return send(message)

        try:
            await self.app(scope, receive, send_secured)
        except Exception as exc:
            if started:
                raise
            # Nothing inside answered (an outer middleware raised): answer here, so the
            # client gets a problem document with every header rather than a bare 500.
            if isinstance(exc, HTTPException):
                await http_exception_handler(Request(scope), exc)(scope, receive, send_secured)
                return
            await problem_response(500)(scope, receive, send_secured)
            raise

    def _inspect(self, scope: Scope) -> bytes | None:
        """Read the headers CORS and the proxies need in one pass; resolve the client from
        them. Returns the request's `Origin`."""
        watched = self._watched
        found: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in watched:
                if name in found:  # a header over several lines is one comma-joined list
                    found[name] += b"," + value
                else:
                    found[name] = value
        if not found:
            return None
        resolver = self.resolver
        if resolver is not None:
            forwarded = found.get(resolver.header)
            proto = found.get(resolver.proto_header) if resolver.proto_header else None
            if (forwarded is not None or proto is not None) and resolver.trusts(scope):
                resolver.resolve(scope, forwarded, proto)
        elif not UnlistedProxyWarning.done and not _FORWARDING.isdisjoint(found):
            client = scope.get("client")
            warn_unlisted_proxy(str(client[0]) if client else "unknown")
        return found.get(b"origin")

    @staticmethod
    def _check_forwarding(scope: Scope) -> None:
        for name, _ in scope["headers"]:
            if name in _FORWARDING:
                client = scope.get("client")
                warn_unlisted_proxy(str(client[0]) if client else "unknown")
                return

    def _route_headers(self, marker: RouteHeaders) -> CompiledHeaders:
        """A route's `@security_headers`, compiled on its first response."""
        cached = self._routes.get(id(marker))
        if cached is None or cached[0] is not marker:
            cached = (marker, self.policy.merged(marker).compile())
            self._routes[id(marker)] = cached
        return cached[1]

    async def _preflight(self, scope: Scope, receive: Receive, send: Send, origin: bytes) -> bool:
        """Answer a CORS preflight (an OPTIONS with Access-Control-Request-Method); False
        when the request is a plain OPTIONS, which the application answers."""
        cors = self.cors
        if cors is None:
            return False
        method = requested = None
        for name, value in scope["headers"]:
            if name == b"access-control-request-method":
                method = value
            elif name == b"access-control-request-headers":
                requested = value if requested is None else requested + b"," + value
        if method is None:
            return False
        answer = cors.preflight(origin, method, requested)
        # Refused: without Access-Control-Allow-Origin the browser refuses the real request;
        # the problem document says why to whoever looks at the network panel.
        extra = answer.headers if answer.allowed else (VARY_ORIGIN,)

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                https = scope.get("scheme") == "https"
                ours = self.headers.https if https else self.headers.http
                message["headers"] = _merged(message.get("headers") or (), (*ours, *extra))
            await send(message)

        if answer.allowed:
            await send_secured({"type": "http.response.start", "status": 204, "headers": []})
            await send_secured({"type": "http.response.body", "body": b""})
        else:
            refused = problem_response(403, detail=f"CORS preflight refused: {answer.reason}")
            await refused(scope, receive, send_secured)
        return True

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Resolve the client; refuse a browser's handshake from a foreign origin (a page on
        another site would otherwise talk over the socket with the user's cookies) unless
        CORS allows that origin. Clients that send no `Origin` (not browsers) pass."""
        origin = self._inspect(scope) if self._inspecting else None
        if not self._inspecting and not UnlistedProxyWarning.done:
            self._check_forwarding(scope)
        headers = Headers(scope=scope)
        origin_text = headers.get("origin")
        if origin_text is None or self._same_origin(headers, origin_text):
            await self.app(scope, receive, send)
            return
        if self.cors is not None and self.cors.allows(origin or origin_text.encode("latin-1")):
            await self.app(scope, receive, send)
            return
        websocket = WebSocket(scope, receive, send)
        detail = f"WebSocket connections from {origin_text} are not allowed"
        if "websocket.http.response" in scope.get("extensions", {}):
            refusal = problem_response(
                403, detail=detail, title="Cross-origin WebSocket refused", type=CROSS_ORIGIN
            )
            await websocket.send_denial_response(refusal)
        else:
            await websocket.close(1008, "Cross-origin WebSocket refused")

    @staticmethod
    def _same_origin(headers: Headers, origin: str) -> bool:
        if headers.get("sec-fetch-site") == "same-origin":
            return True
        try:
            netloc = urlsplit(origin).netloc.lower()
        except ValueError:
            return False
        return bool(netloc) and netloc == headers.get("host", "").lower()


def _merged(
    existing: Iterable[Any],
    ours: Iterable[Pair],
    scope: Scope | None = None,
    cors: CorsPolicy | None = None,
    origin: bytes | None = None,
) -> list[Any]:
    """The response's headers with ours (and the CORS and RateLimit ones, and what
    dependencies left in the scope) appended, except those the response set itself."""
    headers = list(existing)
    present = {name for name, _ in headers}
    added = [*ours]
    if cors is not None:
        added += cors.response_headers(origin)
    if scope is not None:
        added += scope.get(RATELIMIT_HEADERS_KEY) or ()
    headers += [pair for pair in added if pair[0] not in present or pair[0] == b"vary"]
    if scope is not None:
        headers += scope.get(RESPONSE_HEADERS_KEY) or ()
    return headers
