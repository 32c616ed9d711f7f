"""CORS: which other sites' pages may call the API from a browser, from the CORS_* settings.

`CorsPolicy` is built once (and checked at start-up: a wildcard origin with credentials, an
origin with a path, a regex that does not compile are refused there, not at the first
request). `SecurityMiddleware` asks it two questions per request, both cheap: is this `Origin`
allowed (a set lookup, then the regexes), and what does a preflight get. The answers are
header pairs made when the policy was built.

Only an allowed origin ever gets `Access-Control-*` headers; every response says
`Vary: Origin`, so a cache never hands one origin's answer to another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from kwik.exceptions import ImproperlyConfigured

__all__ = ["CorsPolicy", "Preflight", "check_cors_settings", "normalize_origin"]

Pair = tuple[bytes, bytes]

SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type"})
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
VARY_ORIGIN: Pair = (b"vary", b"Origin")
_VARY_ONLY = (VARY_ORIGIN,)
_KNOWN_ORIGINS = 1024


def normalize_origin(text: str) -> str:
    """`text` as browsers write an `Origin`: `scheme://host[:port]`, lower-case, without the
    scheme's default port. Raises ValueError saying what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("is empty")
    if text == "null":
        raise ValueError(
            "is the opaque origin of sandboxed frames and local files, which any page can "
            "borrow; it can't be allowed"
        )
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if not _SCHEME.fullmatch(scheme) or not parts.netloc:
        raise ValueError("is not scheme://host[:port]")
    if parts.path or parts.query or parts.fragment or text.endswith(("?", "#")):
        trimmed = f"{parts.scheme}://{parts.netloc}"
        raise ValueError(f"has a path; an origin has none (did you mean {trimmed!r}?)")
    if parts.username is not None or parts.password is not None:
        raise ValueError("has credentials in it; an origin has none")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number from 0 to 65535") from None
    host = parts.hostname or ""
    if not host or any(char.isspace() for char in host):
        raise ValueError("has no host")
    if "*" in host:
        raise ValueError(
            "has a wildcard, which would match nothing; list origins one by one or write a "
            r"CORS_ALLOWED_ORIGIN_REGEXES entry (r'https://[a-z0-9-]+\.shop\.example')"
        )
    if ":" in host:
        host = f"[{host}]"
    if port is None or _DEFAULT_PORTS.get(scheme) == port:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _tokens(values: Sequence[str], setting: str, *, upper: bool = False) -> tuple[str, ...]:
    checked = []
    for value in values:
        if value != "*" and (not isinstance(value, str) or not _TOKEN.fullmatch(value)):
            raise ImproperlyConfigured(f"{setting}: {value!r} is not a header or method name")
        checked.append(value.upper() if upper else value)
    return tuple(checked)


@dataclass(frozen=True, slots=True)
class Preflight:
    """The answer to a preflight: `allowed` with its headers, or refused and why."""

    allowed: bool
    headers: tuple[Pair, ...] = ()
    reason: str = ""


class CorsPolicy:
    """CORS settings, checked and rendered once.

    Example:
        policy = CorsPolicy(origins=["https://app.example"], credentials=True)
        assert policy.allows(b"https://app.example")
    """

    def __init__(
        self,
        *,
        origins: Sequence[str] = (),
        origin_regexes: Sequence[str] = (),
        credentials: bool = False,
        methods: Sequence[str] = ("GET", "HEAD", "POST"),
        headers: Sequence[str] = (),
        expose_headers: Sequence[str] = (),
        max_age: int = 600,
    ) -> None:
        self.any_origin = "*" in origins
        if self.any_origin and credentials:
            raise ImproperlyConfigured(
                'CORS_ALLOWED_ORIGINS = ["*"] with CORS_ALLOW_CREDENTIALS = True would let every '
                "site on the web make requests with your users' cookies; list the origins that "
                "may (https://app.example), or turn credentials off"
            )
        normalized = set()
        for origin in origins:
            if origin == "*":
                continue
            try:
                normalized.add(normalize_origin(origin))
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"CORS_ALLOWED_ORIGINS: {origin!r} {exc}; write origins as "
                    "scheme://host[:port], such as 'https://app.example'"
                ) from None
        regexes = []
        for pattern in origin_regexes:
            try:
                regexes.append(re.compile(pattern))
            except (re.error, TypeError) as exc:
                raise ImproperlyConfigured(
                    f"CORS_ALLOWED_ORIGIN_REGEXES: {pattern!r} is not a regular expression ({exc})"
                ) from None
        if max_age < 0:
            raise ImproperlyConfigured("CORS_MAX_AGE: must be 0 or a number of seconds")
        self.origins = frozenset(normalized)
        self._origin_bytes = frozenset(origin.encode("latin-1") for origin in normalized)
        self.regexes = tuple(regexes)
        self.credentials = credentials
        self.methods = _tokens(methods, "CORS_ALLOWED_METHODS", upper=True)
        self.any_method = "*" in self.methods
        self.headers = _tokens(headers, "CORS_ALLOWED_HEADERS")
        self.any_header = "*" in self.headers
        self._header_names = SAFELISTED_HEADERS | {name.lower() for name in self.headers}
        self.expose_headers = _tokens(expose_headers, "CORS_EXPOSE_HEADERS")
        self.max_age = max_age

        shared: list[Pair] = []
        if credentials:
            shared.append((b"access-control-allow-credentials", b"true"))
        self._shared = tuple(shared)
        expose = (
            ((b"access-control-expose-headers", ", ".join(self.expose_headers).encode()),)
            if self.expose_headers
            else ()
        )
        self._simple = (*shared, *expose)
        self._star = (b"access-control-allow-origin", b"*") if self.any_origin else None
        self._answers: dict[bytes, tuple[Pair, ...]] = {}
        self._methods = ", ".join(self.methods).encode()
        self._allowed_headers = ", ".join(self.headers).encode()
        self.names = frozenset(
            {
                b"access-control-allow-origin",
                b"access-control-allow-credentials",
                b"access-control-expose-headers",
            }
        )

    @classmethod
    def from_settings(cls) -> CorsPolicy | None:
        """The policy the CORS_* settings describe, or None when they allow no origin."""
        from kwik.conf import settings

        if not settings.CORS_ALLOWED_ORIGINS and not settings.CORS_ALLOWED_ORIGIN_REGEXES:
            return None
        return cls(
            origins=settings.CORS_ALLOWED_ORIGINS,
            origin_regexes=settings.CORS_ALLOWED_ORIGIN_REGEXES,
            credentials=settings.CORS_ALLOW_CREDENTIALS,
            methods=settings.CORS_ALLOWED_METHODS,
            headers=settings.CORS_ALLOWED_HEADERS,
            expose_headers=settings.CORS_EXPOSE_HEADERS,
            max_age=settings.CORS_MAX_AGE,
        )

    def allows(self, origin: bytes) -> bool:
        """Whether a page from `origin` (the request's `Origin` header) may read responses.

        Regexes must match the whole origin (`https://[a-z]+\\.shop\\.example`)."""
        if self.any_origin or origin in self._origin_bytes:
            return True
        if self.regexes:
            text = origin.decode("latin-1")
            return any(regex.fullmatch(text) for regex in self.regexes)
        return False

    def response_headers(self, origin: bytes | None) -> tuple[Pair, ...]:
        """What a response to a request from `origin` gets: `Vary: Origin`, and for an
        allowed origin `Access-Control-Allow-Origin` and the credentials/expose headers.
        Answers are remembered per origin: a site's callers come from a few."""
        if origin is None:
            return _VARY_ONLY
        answer = self._answers.get(origin)
        if answer is None:
            if len(self._answers) >= _KNOWN_ORIGINS:
                self._answers.clear()  # many different origins: start again rather than grow
            if self.allows(origin):
                allow = self._star or (b"access-control-allow-origin", origin)
                answer = (allow, VARY_ORIGIN, *self._simple)
            else:
                answer = _VARY_ONLY
            self._answers[origin] = answer
        return answer

    def preflight(self, origin: bytes, method: bytes, requested: bytes | None) -> Preflight:
        """The answer to `OPTIONS` with `Access-Control-Request-Method: method` and
        `Access-Control-Request-Headers: requested` from `origin`."""
        if not self.allows(origin):
            return Preflight(False, reason=f"origin {origin.decode('latin-1')} is not allowed")
        method_text = method.decode("latin-1").strip()
        if not self.any_method and method_text.upper() not in self.methods:
            return Preflight(False, reason=f"method {method_text} is not allowed")
        names = (
            [name.strip() for name in requested.decode("latin-1").split(",") if name.strip()]
            if requested
            else []
        )
        if not self.any_header:
            refused = [name for name in names if name.lower() not in self._header_names]
            if refused:
                return Preflight(False, reason=f"headers {', '.join(refused)} are not allowed")
        allow = self._star or (b"access-control-allow-origin", origin)
        methods = method_text.encode("latin-1") if self.any_method else self._methods
        if self.any_header:
            allowed_headers = ", ".join(names).encode("latin-1")
        else:
            allowed_headers = self._allowed_headers
        pairs = [
            allow,
            (b"vary", b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
            (b"access-control-allow-methods", methods),
            (b"access-control-max-age", str(self.max_age).encode()),
            *self._shared,
        ]
        if allowed_headers:
            pairs.append((b"access-control-allow-headers", allowed_headers))
        return Preflight(True, tuple(pairs))


def check_cors_settings() -> None:
    """Refuse unsafe or malformed CORS_* settings at start-up, naming the setting."""
    CorsPolicy.from_settings()
