"""Security's settings, validated with the project's (`kwik.conf`); `docs/security.md` describes
each. The defaults are the safe ones: a project that only adds the app to INSTALLED_APPS gets
security headers, CSRF checks on cookie-authenticated writes, and rate limits on login and
password reset.

Blocks: the client's address (trusted proxies), rate limits, security headers, CORS, CSRF, API
keys.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from kwik.conf import AppSettings

__all__ = ["SecuritySettings"]

RouteLimit = str | dict[str, Any]
"""`"10/minute; 100/hour"` (per client address) or `{"limit": "...", "key": "user", "cost": 1,
"algorithm": "fixed-window"}`."""


class SecuritySettings(AppSettings):
    # The client's address ----------------------------------------------------------------------
    TRUSTED_PROXIES: list[str] = []
    """Addresses and CIDR networks (`10.0.0.0/8`, `127.0.0.1`) of the proxies in front of the
    application. `Forwarded`/`X-Forwarded-For`/`X-Forwarded-Proto` are believed only from them;
    empty: never, and the client is the socket's peer."""
    TRUSTED_PROXY_HEADER: Literal["X-Forwarded-For", "Forwarded"] = "X-Forwarded-For"
    """The header the proxies append the client's address to: `X-Forwarded-For` (with
    `X-Forwarded-Proto`; nginx, Caddy, Traefik, cloud load balancers) or RFC 7239 `Forwarded`.
    Only that one is read: a proxy passes the other through from the client untouched, so
    believing it would let a client choose its own address."""

    # Rate limits -------------------------------------------------------------------------------
    RATE_LIMIT_ENABLED: bool = True
    RATE_LIMIT_BACKEND: str = "memory"
    """`memory` (one process: development), `database` (the project's database, shared by every
    process; an UNLOGGED table on PostgreSQL), `redis` (RATE_LIMIT_REDIS_URL), or the dotted path
    of a backend class."""
    RATE_LIMIT_REDIS_URL: str | None = None
    RATE_LIMIT_ALGORITHM: Literal["gcra", "fixed-window", "sliding-window"] = "gcra"
    """The default algorithm: GCRA (a token bucket: smooth, bursts up to the limit), or counts
    per fixed or sliding window."""
    RATE_LIMIT_DEFAULT: str | None = None
    """A limit every request must pass, per client address (`"100/second"`); None: none."""
    RATE_LIMIT_ROUTES: dict[str, RouteLimit] = {
        "auth:login": "10/minute; 100/hour",
        "auth:create_session": "10/minute; 100/hour",
        "auth:register": "5/minute; 50/hour",
        "auth:request_password_reset": "5/minute; 20/hour",
        "auth:confirm_password_reset": "10/minute; 100/hour",
    }
    """Limits by route name (`app:name`; `*` matches any characters: `"catalog:*"`), applied
    when the routing table is built, on top of the route's own `@rate_limit`. The defaults slow
    password guessing on auth's endpoints; `{}` removes them."""
    RATE_LIMIT_HEADERS: bool = True
    """Send `RateLimit-Policy` and `RateLimit` (IETF draft) on limited routes' responses."""

    # Security headers --------------------------------------------------------------------------
    SECURE_HEADERS_ENABLED: bool = True
    SECURE_HSTS_SECONDS: int = 365 * 24 * 3600
    """`Strict-Transport-Security` max-age, sent on HTTPS responses only; 0: no header."""
    SECURE_HSTS_INCLUDE_SUBDOMAINS: bool = False
    SECURE_HSTS_PRELOAD: bool = False
    SECURE_CONTENT_SECURITY_POLICY: dict[str, list[str]] | None = {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'nonce'"],
        "style-src": ["'self'", "'nonce'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    """Directive -> sources. `'nonce'` stands for this response's nonce (`{{ csp_nonce() }}` in
    templates) and is dropped when nothing asked for one; None: no CSP header."""
    SECURE_CSP_REPORT_ONLY: bool = False
    """Send `Content-Security-Policy-Report-Only` instead: violations are reported, not
    blocked (to try a policy on a live site)."""
    SECURE_CSP_REPORT_URI: str | None = None
    SECURE_CONTENT_TYPE_NOSNIFF: bool = True
    SECURE_FRAME_OPTIONS: Literal["DENY", "SAMEORIGIN"] | None = "DENY"
    SECURE_REFERRER_POLICY: str | None = "strict-origin-when-cross-origin"
    SECURE_PERMISSIONS_POLICY: dict[str, list[str]] | None = {
        "camera": [],
        "microphone": [],
        "geolocation": [],
        "payment": [],
        "usb": [],
    }
    """Feature -> allowed origins (`[]`: none, `["self"]`: this site)."""
    SECURE_CROSS_ORIGIN_OPENER_POLICY: str | None = "same-origin"
    SECURE_CROSS_ORIGIN_RESOURCE_POLICY: str | None = "same-origin"

    # CORS --------------------------------------------------------------------------------------
    CORS_ALLOWED_ORIGINS: list[str] = []
    """Origins (`https://app.example`) whose pages may call the API; `["*"]`: any (refused at
    start-up with CORS_ALLOW_CREDENTIALS). Empty: no CORS headers, browsers keep the default
    same-origin rule."""
    CORS_ALLOWED_ORIGIN_REGEXES: list[str] = []
    CORS_ALLOW_CREDENTIALS: bool = False
    CORS_ALLOWED_METHODS: list[str] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    CORS_ALLOWED_HEADERS: list[str] = [
        "Accept",
        "Accept-Language",
        "Authorization",
        "Content-Language",
        "Content-Type",
        "X-API-Key",
        "X-CSRF-Token",
    ]
    CORS_EXPOSE_HEADERS: list[str] = ["RateLimit", "RateLimit-Policy", "Retry-After"]
    CORS_MAX_AGE: int = 600

    # CSRF --------------------------------------------------------------------------------------
    CSRF_ENABLED: bool = True
    CSRF_COOKIE_NAME: str = "kwik_csrf"
    CSRF_HEADER_NAME: str = "X-CSRF-Token"
    CSRF_FORM_FIELD: str = "csrf_token"
    CSRF_COOKIE_SECURE: bool | None = None
    """None: Secure when the request came over HTTPS."""
    CSRF_TRUSTED_ORIGINS: list[str] = []
    """Other origins (`https://admin.example`) whose pages may send cookie-authenticated writes;
    CORS_ALLOWED_ORIGINS are trusted too."""
    CSRF_PROTECTED_COOKIES: list[str] | None = None
    """Cookies that authenticate (None: auth's session cookie, when auth is installed). An
    unsafe request carrying one needs a CSRF token."""
    CSRF_LOGIN_ROUTES: list[str] = ["auth:create_session"]
    """Routes that log a browser in (names as in RATE_LIMIT_ROUTES, `*` wildcards): their
    origin is checked even without a protected cookie, so another site's page can't log the
    visitor into the attacker's account (login CSRF)."""

    # API keys ----------------------------------------------------------------------------------
    API_KEY_PREFIX: str = Field(default="kwk", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,15}$")
    """The start of every key (`kwk_...`), so secret scanners and people recognize one: 1 to 16
    letters, digits or underscores (`acme_live`). Changing it makes the keys issued under the
    old one malformed."""
    API_KEY_HEADER: str = "X-API-Key"
    API_KEY_ROTATION_OVERLAP: int = Field(default=24 * 3600, ge=0)
    """Seconds a rotated key's old secret keeps working, so clients can switch over."""
    API_KEY_LAST_USED_INTERVAL: int = Field(default=300, ge=0)
    """`last_used_at` is written at most this often per key (seconds), not on every request."""
    API_KEY_RATE_LIMIT_TIERS: dict[str, str] = {}
    """Tier name -> limit (`{"free": "10/second; 10000/day", "pro": "100/second"}`); a key's
    `tier` picks one, enforced per key wherever the key authenticates."""
