"""Whether the browser says an unsafe request comes from a page the site trusts.

Browsers tell, and pages can't lie about it: `Sec-Fetch-Site` (whether the page that sent the
request is this origin, this site's sibling, or another site) and `Origin` (the sending page's
origin, `null` when the browser hides it). A request passes when:

- `Sec-Fetch-Site` is `same-origin` (or `none`: the user typed it), or
- its `Origin` is this host, or one of CSRF_TRUSTED_ORIGINS, CORS_ALLOWED_ORIGINS (not `*`) or
  CORS_ALLOWED_ORIGIN_REGEXES: origins the project vouches for, or
- it carries neither header: not a browser (curl, a server), so not a forgery.

`Origin: null`, another origin, and `Sec-Fetch-Site: same-site`/`cross-site` without a trusted
`Origin` are refused. Sibling subdomains (`same-site`) are refused too: a cookie scoped to the
parent domain reaches them, so they are the classic base of CSRF and cookie-tossing attacks.

"This host" is the request's `Host` without the scheme: behind a proxy that terminates TLS the
application sees `http` while the page was `https`, and comparing schemes would refuse every
form until TRUSTED_PROXIES is set. A page on the same host can only differ in scheme, which
HSTS and `Secure` cookies already settle.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

__all__ = ["is_trusted_origin", "refusal_reason"]

_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def _host(netloc: str, scheme: str | None = None) -> str:
    """`netloc` lower-cased, without the default port of `scheme` (or of either web scheme)."""
    netloc = netloc.lower()
    host, colon, port = netloc.rpartition(":")
    if "]" in port:  # an IPv6 literal without a port: that colon was the address's
        return netloc
    defaults = {_DEFAULT_PORTS[scheme]} if scheme in _DEFAULT_PORTS else {"80", "443"}
    return host if colon and port in defaults else netloc


def _is_this_host(origin: str, connection: HTTPConnection) -> bool:
    parts = urlsplit(origin)
    own = connection.headers.get("host")
    return bool(own and parts.netloc) and _host(parts.netloc, parts.scheme) == _host(own)


def _wildcard_match(pattern: str, origin: str) -> bool:
    """`https://*.example.com` matches `https://shop.example.com` (and deeper subdomains)."""
    scheme, _, rest = pattern.partition("://*.")
    parts = urlsplit(origin)
    return parts.scheme == scheme and parts.netloc.endswith("." + rest)


def is_trusted_origin(origin: str) -> bool:
    """Whether the project vouches for `origin`: CSRF_TRUSTED_ORIGINS (`*.` subdomain wildcards
    allowed), CORS_ALLOWED_ORIGINS (but not `*`) or CORS_ALLOWED_ORIGIN_REGEXES.

    An origin allowed to make credentialed cross-origin calls can send the header token anyway,
    so trusting it for CSRF adds no exposure; `*` is the one CORS entry that trusts nobody in
    particular, so it doesn't count here.
    """
    from kwik.conf import settings

    origin = origin.lower()
    for listed in settings.CSRF_TRUSTED_ORIGINS:
        pattern = listed.lower().rstrip("/")
        if origin == pattern or ("://*." in pattern and _wildcard_match(pattern, origin)):
            return True
    if any(listed.lower().rstrip("/") == origin for listed in settings.CORS_ALLOWED_ORIGINS):
        return True
    return any(
        re.fullmatch(pattern, origin, re.IGNORECASE)
        for pattern in settings.CORS_ALLOWED_ORIGIN_REGEXES
    )


def refusal_reason(connection: HTTPConnection) -> str | None:
    """Why the browser's own headers show `connection` as cross-origin; None when it isn't."""
    headers = connection.headers
    origin = headers.get("origin")
    if origin is not None and origin.strip().lower() == "null":
        return "it came from a page with an opaque origin (Origin: null)"
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site in ("same-origin", "none"):
        return None
    if origin is not None:
        if _is_this_host(origin, connection) or is_trusted_origin(origin.strip()):
            return None
        return f"it came from a page on {origin}, which is not this site nor a trusted origin"
    if fetch_site is not None and fetch_site != "none":
        return f"the browser says it came from another site (Sec-Fetch-Site: {fetch_site})"
    return None
