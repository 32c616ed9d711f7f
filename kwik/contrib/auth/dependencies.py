"""Who is calling, and may they: dependencies for handlers, routes and routers.

    from kwik.contrib.auth import CurrentUser, require_permissions, require_staff

    @router.get("/me")
    async def me(user: CurrentUser) -> UserOut: ...

    @router.post("/products", dependencies=[Depends(require_permissions("catalog.add_product"))])
    async def create_product(product: ProductIn, session: DBSession) -> ProductOut: ...

    staff = Router(prefix="/staff", dependencies=[Depends(require_staff)])

A request is authenticated by `Authorization: Bearer <token>` or, without that header, by the
session cookie. Everything is resolved once per request, however many checks a route has: the
credentials are looked up once, and the permissions loaded once, on the request's database
session (so a test's transaction sees it).

Refusals are problem documents: 401 without usable credentials (one body for every kind of bad
token: malformed, unknown, expired, revoked, or its user inactive), 403 without the permission,
and 403 for a request authenticated by cookie that a browser says came from another site (with
kwik.contrib.security installed, its CSRF check makes that decision instead, before these run).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from starlette.requests import HTTPConnection

from kwik.contrib.auth.base_user import AbstractUser
from kwik.contrib.auth.permissions import check_perms, user_permissions
from kwik.contrib.auth.sessions import authenticate_session, refuses_cross_site
from kwik.contrib.auth.tokens import authenticate_token
from kwik.db import DBSession
from kwik.http import Depends, HTTPError
from kwik.http.specs import SecuritySpec

if TYPE_CHECKING:
    from kwik.contrib.auth.models.credentials import AuthToken, UserSession

__all__ = [
    "Authentication",
    "CurrentAuthentication",
    "CurrentUser",
    "OptionalUser",
    "current_authentication",
    "current_user",
    "optional_user",
    "require_permissions",
    "require_staff",
    "require_superuser",
    "security_spec",
]

BEARER_SCHEME = "bearerAuth"
SESSION_SCHEME = "sessionCookie"
_DEFAULT_COOKIE = "kwik_session"
_PERMISSION = re.compile(r"^[A-Za-z_]\w*\.\w+$")
_UNAUTHORIZED = {
    401: {"description": "Not authenticated, or the credentials are invalid, expired or revoked"}
}
_FORBIDDEN = {403: {"description": "Authenticated, but not allowed to do this"}}


@dataclass(frozen=True, slots=True)
class Authentication:
    """How this request was authenticated: the user, and the token or session it came with."""

    user: AbstractUser
    token: AuthToken | None = None
    session: UserSession | None = None


def security_spec() -> SecuritySpec:
    """Auth's security schemes for OpenAPI: a bearer token, or else the session cookie."""
    from kwik.conf import settings

    try:
        name = settings.AUTH_SESSION_COOKIE_NAME if settings.configured else _DEFAULT_COOKIE
    except AttributeError:  # auth isn't installed: a route declared outside a project
        name = _DEFAULT_COOKIE
    cookie = SecuritySpec(SESSION_SCHEME, {"type": "apiKey", "in": "cookie", "name": name})
    return SecuritySpec(
        BEARER_SCHEME,
        {"type": "http", "scheme": "bearer", "description": "A token from POST /auth/login"},
        alternatives=(cookie,),
    )


def _problem(status: int, title: str, detail: str, name: str, **headers: str) -> HTTPError:
    return HTTPError(
        status, detail, title=title, type=f"urn:kwik:problem:{name}", headers=headers or None
    )


def not_authenticated() -> HTTPError:
    """401: no credentials came with the request."""
    return _problem(
        401,
        "Not authenticated",
        "This needs a bearer token (Authorization: Bearer ...) or a session cookie",
        "not-authenticated",
        **{"WWW-Authenticate": "Bearer"},
    )


def invalid_token() -> HTTPError:
    """401: a bearer token that can't be used. One answer for every reason, on purpose."""
    return _problem(
        401,
        "Invalid token",
        "The bearer token is invalid, expired or revoked",
        "invalid-token",
        **{"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def permission_denied() -> HTTPError:
    """403: authenticated, but not allowed."""
    return _problem(
        403, "Permission denied", "You do not have permission to do this", "permission-denied"
    )


def cross_site_refused() -> HTTPError:
    """403: a state-changing request authenticated by cookie, sent from another site."""
    return _problem(
        403,
        "Cross-site request refused",
        "A request authenticated by the session cookie must come from this site's own pages",
        "cross-site-request",
    )


def _bearer(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization")
    if header is None:
        return None
    scheme, _, credentials = header.partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


async def current_authentication(
    connection: HTTPConnection, session: DBSession
) -> Authentication | None:
    """The request's credentials, checked: a bearer token first, else the session cookie.

    None for an anonymous request. A bearer token that can't be used is a 401 even here: a
    client that sends one expects it to count. A session cookie that can't be used (expired,
    logged out) counts as no cookie, since browsers keep sending stale ones.
    """
    from kwik.conf import settings

    token = _bearer(connection)
    if token is not None:
        found = await authenticate_token(session, token)
        if found is None:
            raise invalid_token()
        return Authentication(found[0], token=found[1])
    cookie = connection.cookies.get(settings.AUTH_SESSION_COOKIE_NAME)
    if not cookie:
        return None
    started = await authenticate_session(session, cookie)
    if started is None:
        return None
    if refuses_cross_site(connection):
        raise cross_site_refused()
    return Authentication(started[0], session=started[1])


CurrentAuthentication = Annotated[Authentication | None, Depends(current_authentication)]
"""The request's `Authentication`, or None when it is anonymous (logout and password change use
it to tell the token or session in use from the user's others)."""


class _Declared:
    """A dependency whose OpenAPI declarations are read when a route is compiled, so the
    cookie's name is the project's setting, not a value fixed at import."""

    openapi_responses: dict[int, dict[str, str]] = _UNAUTHORIZED

    @property
    def security_spec(self) -> SecuritySpec:
        return security_spec()


class _CurrentUser(_Declared):
    async def __call__(self, authentication: CurrentAuthentication) -> AbstractUser:
        """The authenticated, active user; 401 otherwise."""
        if authentication is None:
            raise not_authenticated()
        return authentication.user


class _OptionalUser(_Declared):
    async def __call__(self, authentication: CurrentAuthentication) -> AbstractUser | None:
        """The authenticated user, or None for an anonymous request (a bad token is still a
        401)."""
        return None if authentication is None else authentication.user


current_user = _CurrentUser()
"""The authenticated, active user, or a 401 problem (`CurrentUser` is the annotation)."""
optional_user = _OptionalUser()
"""The authenticated user, or None when anonymous (`OptionalUser` is the annotation)."""

CurrentUser = Annotated[AbstractUser, Depends(current_user)]
"""A handler parameter: the authenticated, active user (401 otherwise)."""
OptionalUser = Annotated[AbstractUser | None, Depends(optional_user)]
"""A handler parameter: the authenticated user, or None for an anonymous request."""


async def current_permissions(user: CurrentUser, session: DBSession) -> frozenset[str]:
    """The user's permissions (`app_label.codename`), loaded once per request."""
    return await user_permissions(session, user)


CurrentPermissions = Annotated[frozenset[str], Depends(current_permissions)]


async def require_staff(user: CurrentUser) -> AbstractUser:
    """The user, when staff (`is_staff`); 403 otherwise."""
    if not user.is_staff:
        raise permission_denied()
    return user


async def require_superuser(user: CurrentUser) -> AbstractUser:
    """The user, when a superuser; 403 otherwise."""
    if not user.is_superuser:
        raise permission_denied()
    return user


require_staff.openapi_responses = {**_UNAUTHORIZED, **_FORBIDDEN}  # type: ignore[attr-defined]
require_superuser.openapi_responses = {**_UNAUTHORIZED, **_FORBIDDEN}  # type: ignore[attr-defined]


@functools.cache
def require_permissions(*permissions: str) -> Callable[..., Awaitable[Any]]:
    """A dependency giving the user when they have every permission named; 403 otherwise.

    Superusers have them all. The same permissions give the same dependency, so listing a check
    twice runs it once.

    Example:
        @router.delete("/{product_id:int}", dependencies=[Depends(require_permissions(
            "catalog.delete_product"))])
        async def delete_product(product_id: int, session: DBSession) -> None: ...

        Adder = Annotated[User, Depends(require_permissions("catalog.add_product"))]

        @router.post("/")
        async def create(user: Adder, product: ProductIn) -> ProductOut: ...
    """
    if not permissions:
        raise ValueError("require_permissions needs at least one 'app_label.codename'")
    for permission in permissions:
        if not isinstance(permission, str) or not _PERMISSION.match(permission):
            raise ValueError(
                f"{permission!r} is not a permission name like 'catalog.add_product' "
                "('app_label.codename')"
            )
    needed = frozenset(permissions)

    async def check(user: CurrentUser, granted: CurrentPermissions) -> AbstractUser:
        if check_perms(user, granted, needed):
            return user
        raise permission_denied()

    check.__qualname__ = check.__name__ = f"require_permissions({', '.join(permissions)})"
    check.openapi_responses = {**_UNAUTHORIZED, **_FORBIDDEN}  # type: ignore[attr-defined]
    return check
