"""Dependencies that authenticate a request by its API key, and require scopes of it.

    from kwik.contrib.security.apikeys import CurrentAPIKey, require_scopes

    @router.get("/orders", dependencies=[Depends(require_scopes("orders:read"))])
    async def list_orders(session: DBSession) -> list[OrderOut]: ...

    OrderWriter = Annotated[APIKey, Depends(require_scopes("orders:write"))]

    @router.post("/orders", status_code=201)
    async def create_order(order: OrderIn, key: OrderWriter) -> OrderOut: ...

    @router.get("/whoami")
    async def whoami(key: CurrentAPIKey) -> dict[str, str]: ...

The key comes in the API_KEY_HEADER header (`X-API-Key`). It is authenticated once per request
on the request's database session, however many checks a route has; the key's rate-limit tier
(API_KEY_RATE_LIMIT_TIERS) is enforced then, and the row is put at `scope["kwik.api_key"]` for
the rest of the stack (rate limits per key, logs). Scopes are checked where they are required:
`require_scopes(...)` is `Security(api_key, scopes=[...])`, and `api_key` reads the scopes
required where it runs (`SecurityScopes`), so OpenAPI shows each route's scopes on the apiKey
scheme. Refusals are problem documents (see `problems`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated

from starlette.requests import HTTPConnection

from kwik.contrib.security.apikeys.models import APIKey
from kwik.contrib.security.apikeys.problems import insufficient_scope, missing_key, refused
from kwik.contrib.security.apikeys.scopes import check_required, missing_scopes
from kwik.contrib.security.apikeys.store import APIKeyRefused, authenticate_api_key
from kwik.db import DBSession
from kwik.http import Depends, Security, SecurityScopes
from kwik.http.specs import SecuritySpec

__all__ = [
    "API_KEY_SCHEME",
    "ASGI_SCOPE_KEY",
    "CurrentAPIKey",
    "api_key",
    "authenticated_api_key",
    "require_scopes",
]

API_KEY_SCHEME = "apiKeyAuth"
"""The name of the API-key security scheme in OpenAPI's `components.securitySchemes`."""
ASGI_SCOPE_KEY = "kwik.api_key"
"""Where the authenticated key's row is put in the ASGI scope."""

_UNAUTHORIZED = {401: {"description": "No API key, or one that is invalid, expired or revoked"}}
_FORBIDDEN = {403: {"description": "The API key lacks a scope this operation requires"}}
_LIMITED = {429: {"description": "The API key's rate limit is used up; retry after Retry-After"}}


def _header() -> str:
    from kwik.conf import settings

    return str(settings.API_KEY_HEADER)


async def _enforce_tier(connection: HTTPConnection, key: APIKey) -> None:
    """The key's tier limit, counted per key id (so a rotation doesn't reset it); the 429
    problem when it is used up."""
    from kwik.conf import settings

    if key.tier is None:
        return
    limits = settings.API_KEY_RATE_LIMIT_TIERS.get(key.tier)
    if limits is None:  # a tier the settings dropped since the key was made: no limit
        return
    from kwik.contrib.security.ratelimit import enforce

    await enforce(connection, limits, f"apikey:{key.key_id}", name=key.tier)


class _Authenticated:
    """The request's key, authenticated once per request (its result is cached: it reads no
    scopes), its tier enforced."""

    @property
    def openapi_responses(self) -> dict[int, dict[str, str]]:
        from kwik.conf import settings

        limited = settings.configured and bool(getattr(settings, "API_KEY_RATE_LIMIT_TIERS", None))
        return {**_UNAUTHORIZED, **(_LIMITED if limited else {})}

    async def __call__(self, connection: HTTPConnection, session: DBSession) -> APIKey:
        header = _header()
        text = connection.headers.get(header)
        if not text:
            raise missing_key(header)
        try:
            key = await authenticate_api_key(session, text)
        except APIKeyRefused as refusal:
            raise refused(refusal, header) from None
        connection.scope[ASGI_SCOPE_KEY] = key
        await _enforce_tier(connection, key)
        return key


authenticated_api_key = _Authenticated()
"""The request's authenticated API key, with no scope checked (401 without a usable one)."""


class _APIKey:
    """The API-key security scheme: the authenticated key, when it has the scopes required
    where this dependency runs."""

    openapi_responses = {**_UNAUTHORIZED, **_FORBIDDEN}

    @property
    def security_spec(self) -> SecuritySpec:
        """Read when a route is compiled, so the header is the project's setting."""
        from kwik.conf import settings

        header = str(settings.API_KEY_HEADER) if settings.configured else "X-API-Key"
        return SecuritySpec(
            API_KEY_SCHEME,
            {
                "type": "apiKey",
                "in": "header",
                "name": header,
                "description": "An API key (`kwik apikeys create`); each operation lists "
                "the scopes it requires",
            },
        )

    async def __call__(
        self,
        key: Annotated[APIKey, Depends(authenticated_api_key)],
        required: SecurityScopes,
    ) -> APIKey:
        missing = missing_scopes(key.scopes, required.scopes)
        if missing:
            raise insufficient_scope(_header(), required.scopes, missing)
        return key


api_key = _APIKey()
"""The authenticated API key, checked for the scopes of `Security(api_key, scopes=[...])` (and of
any Security above it); 401 without a usable key, 403 without a scope."""

CurrentAPIKey = Annotated[APIKey, Depends(api_key)]
"""A handler parameter: the request's authenticated API key, whatever its scopes."""


@functools.cache
def require_scopes(*scopes: str) -> Callable[..., Awaitable[APIKey]]:
    """A dependency giving the request's API key when it has every scope named; 401 without a
    usable key, 403 (naming the missing scopes) without them.

    A key granted `orders:*` has every `orders:...` scope, and one granted `*` has all. The same
    scopes give the same dependency, so listing a check twice runs it once. OpenAPI lists the
    scopes on the route's apiKey requirement.

    Example:
        @router.delete("/{order_id:int}", dependencies=[Depends(require_scopes("orders:write"))])
        async def delete_order(order_id: int, session: DBSession) -> None: ...

        Reader = Annotated[APIKey, Depends(require_scopes("orders:read"))]

        @router.get("/")
        async def list_orders(key: Reader) -> list[OrderOut]: ...
    """
    if not scopes:
        raise ValueError("require_scopes needs at least one scope, such as 'orders:read'")
    required = tuple(check_required(scopes))

    async def check(key: APIKey) -> APIKey:
        return key

    # Set here, not written in the signature: the marker holds this call's scopes.
    check.__annotations__ = {"key": Annotated[APIKey, Security(api_key, scopes=required)]}
    check.__qualname__ = check.__name__ = f"require_scopes({', '.join(required)})"
    check.openapi_responses = {**_UNAUTHORIZED, **_FORBIDDEN}  # type: ignore[attr-defined]
    return check
