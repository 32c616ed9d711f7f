"""The CSRF check security adds to routes, and `@csrf_exempt`.

`csrf_dependencies(route)` runs once per route when the routing table is built. An HTTP route
that accepts an unsafe method (anything but GET, HEAD, OPTIONS, TRACE) gets a check run before
its own dependencies. WebSocket handshakes carry no token; SecurityMiddleware refuses a browser's
handshake from a foreign origin (unless CORS allows it) before any route runs.

Per request, the check lets through what a forged request can't be:

1. safe methods (they must not change anything anyway);
2. requests authenticated by a header (`Authorization`, API_KEY_HEADER): a page of another site
   can't add one without the site's CORS approval, and CORS-approved origins are trusted;
3. requests carrying none of the protected cookies (CSRF_PROTECTED_COOKIES; by default auth's
   session cookie): without a credential there is nothing to forge. Routes named in
   CSRF_LOGIN_ROUTES are the exception: there, another site's page could log the visitor into
   the attacker's account (login CSRF), so their origin is checked even without a cookie.

Everything else must come from a trusted page (`origins.py`) and carry a token of the browser's
CSRF cookie (`tokens.py`), in the CSRF_HEADER_NAME header or, for a form post, the
CSRF_FORM_FIELD field (see `_token_of` for which forms are read here).
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, TypeVar

from starlette.requests import HTTPConnection, Request

from kwik.conf import settings
from kwik.contrib.security.csrf.origins import refusal_reason
from kwik.contrib.security.csrf.problems import cross_origin, token_invalid, token_missing
from kwik.contrib.security.csrf.tokens import secret_of_cookie, token_matches
from kwik.exceptions import ImproperlyConfigured
from kwik.http.inputs import FORM_MEDIA_TYPES
from kwik.http.params import Depends
from kwik.http.plans import walk
from kwik.http.signature import describe

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

__all__ = ["SAFE_METHODS", "csrf_dependencies", "csrf_exempt", "protected_cookies"]

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_EXEMPT = "__kwik_csrf_exempt__"
_URLENCODED = "application/x-www-form-urlencoded"


def csrf_exempt(handler: F) -> F:
    """Leave `handler`'s routes out of the CSRF check: for endpoints that authenticate requests
    some other way (a webhook checking its payload's signature) and never by a cookie.

    It goes below the route decorator, like every decorator that changes how a route runs:

        @router.post("/webhooks/payments")
        @csrf_exempt
        async def payment_webhook(request: Request) -> None: ...
    """
    from kwik.http.routing import attach_dependencies

    try:
        attach_dependencies(handler)  # refuses a handler that is routed already
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            f"@csrf_exempt on {describe(handler)} comes after its route decorator, which has "
            "already made the route: put @csrf_exempt below @router.post/put/patch/delete"
        ) from None
    setattr(handler, _EXEMPT, True)
    return handler


def protected_cookies() -> tuple[str, ...]:
    """The cookies whose presence makes an unsafe request need a token."""
    from kwik.apps import apps
    from kwik.conf import settings

    listed = settings.CSRF_PROTECTED_COOKIES
    if listed is not None:
        return tuple(listed)
    if apps.is_installed("kwik.contrib.auth"):
        return (settings.AUTH_SESSION_COOKIE_NAME,)
    return ()


class _Config:
    """What the check reads from settings, looked up once per settings change (tests override
    them), so a request costs no settings lookups."""

    __slots__ = ("cookie", "credential_headers", "form_field", "group", "header", "protected")

    def __init__(self, group: object) -> None:
        from kwik.conf import settings

        self.group = group
        self.protected = protected_cookies()
        self.credential_headers = frozenset(
            {b"authorization", settings.API_KEY_HEADER.lower().encode("latin-1")}
        )
        self.header = settings.CSRF_HEADER_NAME
        self.form_field = settings.CSRF_FORM_FIELD
        self.cookie = settings.CSRF_COOKIE_NAME


_config: _Config | None = None


def _current_config() -> _Config:
    global _config
    group = settings.unwrap().group("security")
    if _config is None or _config.group is not group:
        _config = _Config(group)
    return _config


def _check_origin(connection: HTTPConnection) -> None:
    reason = refusal_reason(connection)
    if reason is not None:
        raise cross_origin(reason)


async def _token_of(request: Request, config: _Config, *, reads_form: bool) -> str | None:
    """The token the request carries: the header, else the form field of a form post.

    The form is parsed through the request the handler gets, whose parsed form Starlette
    keeps, so the handler's `Form()` parameters (or its own `await request.form()`) still get
    their fields; the route closes its files after the response (kwik.http.handlers.asgi_app
    does so on every route with a guard). On a route whose plan reads no form, a URL-encoded
    body is read raw first and kept, so the handler may still read `await request.body()`; a
    multipart body is streamed once, into the form.
    """
    token = request.headers.get(config.header)
    if token is not None:
        return token
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in FORM_MEDIA_TYPES:
        return None
    if not reads_form and media_type == _URLENCODED:
        await request.body()
    value = (await request.form()).get(config.form_field)
    return value if isinstance(value, str) else None


async def _check_token(request: Request, config: _Config, *, reads_form: bool) -> None:
    token = await _token_of(request, config, reads_form=reads_form)
    if not token:
        raise token_missing()
    cookie = request.cookies.get(config.cookie)
    if cookie is None or secret_of_cookie(cookie) is None:
        raise token_invalid(
            f"no valid {config.cookie} cookie came with it (the browser dropped it, "
            "or it was not set by this site)"
        )
    if not token_matches(token, cookie):
        raise token_invalid("it does not belong to this browser's CSRF cookie")


async def verify(request: Request, *, login: bool, reads_form: bool) -> None:
    """Refuse `request` with a 403 problem when it may be a cross-site forgery.

    The common answers (a safe method, a credential in a header, no cookie at all) come from
    one pass over the raw headers, without parsing cookies: this runs on every unsafe request.
    """
    if request.scope["method"] in SAFE_METHODS:
        return
    config = _current_config()
    credentials = config.credential_headers
    has_cookie = False
    for name, _ in request.scope["headers"]:
        if name in credentials:
            return
        if name == b"cookie":
            has_cookie = True
    protected = has_cookie and any(request.cookies.get(name) for name in config.protected)
    if not protected and not login:
        return
    _check_origin(request)
    if protected:
        await _check_token(request, config, reads_form=reads_form)


class CSRFCheck:
    """The check on one kind of route: a login route or not, reading a form or not. A guard
    (kwik.http.plans.split_guards): it takes only the request and runs before the route's
    parameters are validated, at the cost of a call."""

    __slots__ = ("login", "reads_form")

    guard = True

    def __init__(self, *, login: bool, reads_form: bool) -> None:
        self.login = login
        self.reads_form = reads_form

    def __repr__(self) -> str:
        return f"{type(self).__name__}(login={self.login}, reads_form={self.reads_form})"

    async def __call__(self, request: Request) -> None:
        await verify(request, login=self.login, reads_form=self.reads_form)


_CHECKS = {
    (login, reads_form): CSRFCheck(login=login, reads_form=reads_form)
    for login in (False, True)
    for reads_form in (False, True)
}


def _is_login_route(name: str) -> bool:
    from kwik.conf import settings

    return any(fnmatchcase(name, pattern) for pattern in settings.CSRF_LOGIN_ROUTES)


def csrf_dependencies(route: BaseRoute) -> list[Depends]:
    """The CSRF check `route` needs (none when CSRF_ENABLED is off, the route only answers safe
    methods, is a WebSocket, or its handler is `@csrf_exempt`); security's AppConfig asks for
    every route."""
    from kwik.conf import settings
    from kwik.http.routing import Route

    if not settings.CSRF_ENABLED or getattr(getattr(route, "handler", None), _EXEMPT, False):
        return []
    if not isinstance(route, Route) or not set(route.methods or ()) - SAFE_METHODS:
        return []
    reads_form = any(
        found.inputs is not None and found.inputs.reads_form for _, found in walk(route.plan)
    )
    return [Depends(_CHECKS[_is_login_route(route.name), reads_form])]
