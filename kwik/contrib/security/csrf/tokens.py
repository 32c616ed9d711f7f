"""CSRF secrets and tokens: what the browser keeps, what a page sends back, how they match.

The *secret* is 32 random bytes the browser keeps in the CSRF cookie (CSRF_COOKIE_NAME). The
cookie is signed (kwik.signing), so a value planted by a script or a sibling subdomain is
refused, not believed; it is not HttpOnly, so a page's own script may read it and echo it.

A *token* is the secret masked with a fresh random pad (`pad || pad XOR secret`, base64url).
Every render shows a different token for the same secret, so a compressed page that reflects
input leaks nothing about the secret through its size (BREACH). Any token of the secret matches,
and so does the signed cookie value itself (what a script reading the cookie sends back);
comparisons run in constant time.

`csrf_token(request)` reuses the request's cookie, or makes a secret and has the cookie sent with
the response: it appends the `Set-Cookie` header to `scope["kwik.response_headers"]`, which
SecurityMiddleware writes on whatever response goes out.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from typing import TYPE_CHECKING

from starlette.responses import Response

from kwik.contrib.security.middleware import RESPONSE_HEADERS_KEY
from kwik.signing import BadSignature, Signer

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

__all__ = [
    "COOKIE_MAX_AGE",
    "csrf_token",
    "mask",
    "new_secret",
    "secret_of_cookie",
    "sign_secret",
    "token_matches",
]

SECRET_BYTES = 32
COOKIE_MAX_AGE = 365 * 24 * 3600
"""A year: the secret is worth nothing without the site's pages, and a long life spares users a
403 when a form outlives its cookie."""
_SECRET = "kwik.csrf_secret"  # scope key: this request's secret, once known
_PURPOSE = "kwik.contrib.security.csrf"


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def sign_secret(secret: bytes) -> str:
    """The CSRF cookie's value for `secret`: the secret, base64url, signed for this purpose."""
    return Signer(_PURPOSE).sign(_encode(secret))


def secret_of_cookie(value: str | None) -> bytes | None:
    """The secret a CSRF cookie holds; None when there is none, or it is forged or malformed."""
    if not value:
        return None
    try:
        encoded = Signer(_PURPOSE).unsign(value)
    except BadSignature:
        return None
    secret = _decode(encoded)
    return secret if secret is not None and len(secret) == SECRET_BYTES else None


def mask(secret: bytes) -> str:
    """A token for `secret`, different at every call."""
    pad = secrets.token_bytes(SECRET_BYTES)
    return _encode(pad + bytes(a ^ b for a, b in zip(pad, secret, strict=True)))


def _unmask(token: str) -> bytes | None:
    data = _decode(token)
    if data is None or len(data) != 2 * SECRET_BYTES:
        return None
    pad, masked = data[:SECRET_BYTES], data[SECRET_BYTES:]
    return bytes(a ^ b for a, b in zip(pad, masked, strict=True))


def token_matches(token: str, cookie: str) -> bool:
    """Whether `token` (a masked token, or the cookie value echoed) belongs to the secret of the
    CSRF cookie `cookie`. False for a forged cookie or a malformed token."""
    secret = secret_of_cookie(cookie)
    if secret is None or not token.isascii():
        return False
    if hmac.compare_digest(token.encode(), cookie.encode()):
        return True
    unmasked = _unmask(token)
    return unmasked is not None and hmac.compare_digest(unmasked, secret)


def csrf_token(connection: HTTPConnection) -> str:
    """A CSRF token for the page answering `connection`, to send back with unsafe requests.

    The browser's CSRF cookie is reused; without a valid one a secret is made, once per request,
    and the response sets the cookie (`SameSite=Lax`, `Secure` over HTTPS or per
    CSRF_COOKIE_SECURE, readable by the page's script). Templates call it as `{{ csrf_token() }}`
    or `{{ csrf_input() }}`.

    Example:
        @router.get("/checkout")
        async def checkout(request: Request) -> HTMLResponse:
            return render(request, "shop/checkout.html")  # <form>{{ csrf_input() }}...</form>

        @router.get("/app-config")
        async def app_config(request: Request) -> dict[str, str]:
            return {"csrf_token": csrf_token(request)}  # the SPA sends it as X-CSRF-Token
    """
    scope = connection.scope
    secret: bytes | None = scope.get(_SECRET)
    if secret is None:
        from kwik.conf import settings

        secret = secret_of_cookie(connection.cookies.get(settings.CSRF_COOKIE_NAME))
        if secret is None:
            secret = new_secret()
            scope.setdefault(RESPONSE_HEADERS_KEY, []).append(_set_cookie(connection, secret))
        scope[_SECRET] = secret
    return mask(secret)


def _set_cookie(connection: HTTPConnection, secret: bytes) -> tuple[bytes, bytes]:
    """The `Set-Cookie` header pair for the CSRF cookie, built the way Starlette builds one."""
    from kwik.conf import settings

    configured = settings.CSRF_COOKIE_SECURE
    secure = connection.url.scheme in ("https", "wss") if configured is None else configured
    carrier = Response()
    carrier.raw_headers.clear()
    carrier.set_cookie(
        settings.CSRF_COOKIE_NAME,
        sign_secret(secret),
        max_age=COOKIE_MAX_AGE,
        path="/",
        secure=secure,
        httponly=False,
        samesite="lax",
    )
    return carrier.raw_headers[0]
