"""Security: the client's address behind proxies, rate limits, security headers with a CSP nonce,
CORS, CSRF, and API keys with scopes (docs/security.md).

Add `"kwik.contrib.security"` to INSTALLED_APPS and run `kwik migrate`: the headers, CSRF checks
and auth's login limits are on from then on; `kwik check --deploy` says what to set next.

Example:
    from kwik.contrib.security import rate_limit, require_scopes

    @router.get("/orders", dependencies=[Depends(require_scopes("orders:read"))])
    @rate_limit("10/second; 1000/hour", key="apikey")
    async def list_orders() -> list[Order]: ...
"""

from __future__ import annotations

from kwik.contrib.security.apikeys import (
    PROBLEM_TYPES,
    APIKey,
    APIKeyRefused,
    CurrentAPIKey,
    IssuedAPIKey,
    api_key,
    authenticate_api_key,
    create_api_key,
    get_api_key,
    list_api_keys,
    parse_key,
    require_scopes,
    revoke_api_key,
    rotate_api_key,
)
from kwik.contrib.security.clients import client_ip
from kwik.contrib.security.csp import csp_nonce
from kwik.contrib.security.csrf import (
    CROSS_ORIGIN,
    TOKEN_INVALID,
    TOKEN_MISSING,
    csrf_exempt,
    csrf_token,
)
from kwik.contrib.security.headers import security_headers
from kwik.contrib.security.middleware import SecurityMiddleware
from kwik.contrib.security.ratelimit import (
    RATE_LIMITED,
    Limit,
    RateLimit,
    RateLimitBackend,
    RateLimitedProblem,
    enforce,
    parse_limits,
    rate_limit,
)

__all__ = [
    "CROSS_ORIGIN",
    "PROBLEM_TYPES",
    "RATE_LIMITED",
    "TOKEN_INVALID",
    "TOKEN_MISSING",
    "APIKey",
    "APIKeyRefused",
    "CurrentAPIKey",
    "IssuedAPIKey",
    "Limit",
    "RateLimit",
    "RateLimitBackend",
    "RateLimitedProblem",
    "SecurityMiddleware",
    "api_key",
    "authenticate_api_key",
    "client_ip",
    "create_api_key",
    "csp_nonce",
    "csrf_exempt",
    "csrf_token",
    "enforce",
    "get_api_key",
    "list_api_keys",
    "parse_key",
    "parse_limits",
    "rate_limit",
    "require_scopes",
    "revoke_api_key",
    "rotate_api_key",
    "security_headers",
]
