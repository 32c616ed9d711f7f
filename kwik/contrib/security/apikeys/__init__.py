"""API keys with scopes, expiry, revocation, rotation and a rate-limit tier (docs/security.md).

Keys are made by `kwik apikeys create` (or `create_api_key`), shown once, and stored as a keyed
digest; a route requires them with `require_scopes(...)` or `CurrentAPIKey`.

Example:
    from kwik.contrib.security.apikeys import APIKey, require_scopes

    Reader = Annotated[APIKey, Depends(require_scopes("orders:read"))]

    @router.get("/orders")
    async def list_orders(key: Reader, session: DBSession) -> list[OrderOut]: ...
"""

from __future__ import annotations

from kwik.contrib.security.apikeys.dependencies import (
    API_KEY_SCHEME,
    ASGI_SCOPE_KEY,
    CurrentAPIKey,
    api_key,
    authenticated_api_key,
    require_scopes,
)
from kwik.contrib.security.apikeys.keys import ParsedKey, generate_key, parse_key
from kwik.contrib.security.apikeys.models import APIKey
from kwik.contrib.security.apikeys.problems import PROBLEM_TYPES
from kwik.contrib.security.apikeys.scopes import grants
from kwik.contrib.security.apikeys.store import (
    APIKeyRefused,
    IssuedAPIKey,
    authenticate_api_key,
    create_api_key,
    get_api_key,
    key_state,
    list_api_keys,
    revoke_api_key,
    rotate_api_key,
)

__all__ = [
    "API_KEY_SCHEME",
    "ASGI_SCOPE_KEY",
    "PROBLEM_TYPES",
    "APIKey",
    "APIKeyRefused",
    "CurrentAPIKey",
    "IssuedAPIKey",
    "ParsedKey",
    "api_key",
    "authenticate_api_key",
    "authenticated_api_key",
    "create_api_key",
    "generate_key",
    "get_api_key",
    "grants",
    "key_state",
    "list_api_keys",
    "parse_key",
    "require_scopes",
    "revoke_api_key",
    "rotate_api_key",
]
