"""Security headers: the SECURE_* settings rendered once as bytes, and per-route overrides.

`HeaderPolicy` holds the settings' values, checked at start-up (a typo in a policy is refused
with the setting's name, not sent to browsers that would ignore it). `compile()` renders it
into the header pairs `SecurityMiddleware` adds to every response, so a request only picks
the HTTP or the HTTPS set (HSTS is for HTTPS only) and, when something asked for one, writes
the CSP nonce in.

A route changes its own headers with `@security_headers(...)`: the decorator marks the
handler, and the middleware finds the mark through the matched route (`scope["route"]`),
compiling each marked handler's headers once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, TypeVar

from kwik.contrib.security.csp import (
    CompiledPolicy,
    check_policy,
    check_report_uri,
    compile_policy,
)
from kwik.exceptions import ImproperlyConfigured

__all__ = [
    "ROUTE_HEADERS_ATTRIBUTE",
    "CompiledHeaders",
    "HeaderPolicy",
    "RouteHeaders",
    "check_header_settings",
    "route_headers",
    "security_headers",
]

F = TypeVar("F", bound=Callable[..., Any])
Pair = tuple[bytes, bytes]
Policy = Mapping[str, Sequence[str]]

ROUTE_HEADERS_ATTRIBUTE = "__kwik_security_headers__"

REFERRER_POLICIES = frozenset(
    {
        "no-referrer",
        "no-referrer-when-downgrade",
        "origin",
        "origin-when-cross-origin",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
        "unsafe-url",
    }
)
OPENER_POLICIES = frozenset(
    {"same-origin", "same-origin-allow-popups", "noopener-allow-popups", "unsafe-none"}
)
RESOURCE_POLICIES = frozenset({"same-origin", "same-site", "cross-origin"})
FRAME_OPTIONS = frozenset({"DENY", "SAMEORIGIN"})
_FEATURE = re.compile(r"[a-z][a-z0-9-]*")
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^\s\"(),;\\]+")


def _choice(value: object, allowed: frozenset[str], setting: str) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise ImproperlyConfigured(
            f"{setting}: {value!r} is not one of {', '.join(sorted(allowed))} (or None: no header)"
        )
    assert isinstance(value, str)
    return value


def _referrer_policy(value: object, setting: str) -> str | None:
    if value is None:
        return None
    tokens = [token.strip() for token in value.split(",")] if isinstance(value, str) else [value]
    for token in tokens:  # a list is allowed: browsers use the last one they know
        _choice(token, REFERRER_POLICIES, setting)
    return ", ".join(str(token) for token in tokens)


def _permissions_policy(
    value: Mapping[str, Sequence[str]] | None, setting: str
) -> dict[str, tuple[str, ...]] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured(f"{setting}: expected a dict of feature -> allowed origins")
    checked: dict[str, tuple[str, ...]] = {}
    for feature, allowed in value.items():
        if not isinstance(feature, str) or not _FEATURE.fullmatch(feature):
            raise ImproperlyConfigured(f"{setting}: {feature!r} is not a feature name")
        if isinstance(allowed, str) or not isinstance(allowed, Sequence):
            raise ImproperlyConfigured(
                f'{setting}[{feature!r}]: expected a list ([] for nobody, ["self"] for this '
                'site, origins such as "https://maps.example")'
            )
        for item in allowed:
            if item not in ("self", "*", "src") and not (
                isinstance(item, str) and _ORIGIN.fullmatch(item)
            ):
                raise ImproperlyConfigured(
                    f"{setting}[{feature!r}]: {item!r} is neither self, * nor an origin "
                    "(https://maps.example)"
                )
        checked[feature] = tuple(allowed)
    return checked


def _allowlist(items: Sequence[str]) -> str:
    if "*" in items:
        return "*"
    return "(" + " ".join(item if item in ("self", "src") else f'"{item}"' for item in items) + ")"


@dataclass(frozen=True, slots=True)
class HeaderPolicy:
    """What the security headers say; `HeaderPolicy.from_settings()` reads the SECURE_* ones.

    Example:
        headers = HeaderPolicy(frame_options="DENY", hsts_seconds=3600).compile()
    """

    enabled: bool = True
    hsts_seconds: int = 0
    hsts_include_subdomains: bool = False
    hsts_preload: bool = False
    content_security_policy: Policy | None = None
    csp_report_only: bool = False
    csp_report_uri: str | None = None
    content_type_nosniff: bool = True
    frame_options: str | None = None
    referrer_policy: str | None = None
    permissions_policy: Mapping[str, Sequence[str]] | None = None
    cross_origin_opener_policy: str | None = None
    cross_origin_resource_policy: str | None = None

    def __post_init__(self) -> None:
        if self.hsts_seconds < 0:
            raise ImproperlyConfigured(
                "SECURE_HSTS_SECONDS: must be 0 (no header) or a number of seconds"
            )
        for name, value in _checked(_values(self)).items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_settings(cls) -> HeaderPolicy:
        """The policy the SECURE_* settings describe; malformed values are refused, named."""
        from kwik.conf import settings

        return cls(
            enabled=settings.SECURE_HEADERS_ENABLED,
            hsts_seconds=settings.SECURE_HSTS_SECONDS,
            hsts_include_subdomains=settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
            hsts_preload=settings.SECURE_HSTS_PRELOAD,
            content_security_policy=settings.SECURE_CONTENT_SECURITY_POLICY,
            csp_report_only=settings.SECURE_CSP_REPORT_ONLY,
            csp_report_uri=settings.SECURE_CSP_REPORT_URI,
            content_type_nosniff=settings.SECURE_CONTENT_TYPE_NOSNIFF,
            frame_options=settings.SECURE_FRAME_OPTIONS,
            referrer_policy=settings.SECURE_REFERRER_POLICY,
            permissions_policy=settings.SECURE_PERMISSIONS_POLICY,
            cross_origin_opener_policy=settings.SECURE_CROSS_ORIGIN_OPENER_POLICY,
            cross_origin_resource_policy=settings.SECURE_CROSS_ORIGIN_RESOURCE_POLICY,
        )

    def merged(self, route: RouteHeaders) -> HeaderPolicy:
        """This policy with a route's overrides: a CSP dict changes only the directives it
        names (None removes one); any other value replaces the setting's."""
        changes = dict(route.overrides)
        csp = changes.get("content_security_policy")
        if isinstance(csp, Mapping):
            combined = dict(self.content_security_policy or {})
            for directive, sources in csp.items():
                if sources is None:
                    combined.pop(directive, None)
                else:
                    combined[directive] = sources
            changes["content_security_policy"] = combined
        return replace(self, **changes)

    def compile(self) -> CompiledHeaders:
        """The header pairs, rendered once."""
        if not self.enabled:
            return CompiledHeaders([], None, None)
        pairs: list[tuple[str, str]] = []
        if self.content_type_nosniff:
            pairs.append(("x-content-type-options", "nosniff"))
        if self.frame_options:
            pairs.append(("x-frame-options", self.frame_options))
        if self.referrer_policy:
            pairs.append(("referrer-policy", self.referrer_policy))
        if self.permissions_policy is not None:
            value = ", ".join(f"{f}={_allowlist(a)}" for f, a in self.permissions_policy.items())
            if value:
                pairs.append(("permissions-policy", value))
        if self.cross_origin_opener_policy:
            pairs.append(("cross-origin-opener-policy", self.cross_origin_opener_policy))
        if self.cross_origin_resource_policy:
            pairs.append(("cross-origin-resource-policy", self.cross_origin_resource_policy))
        hsts = None
        if self.hsts_seconds:
            value = f"max-age={self.hsts_seconds}"
            value += "; includeSubDomains" if self.hsts_include_subdomains else ""
            value += "; preload" if self.hsts_preload else ""
            hsts = (b"strict-transport-security", value.encode("latin-1"))
        csp = None
        if self.content_security_policy is not None:
            name = "content-security-policy" + ("-report-only" if self.csp_report_only else "")
            csp = (
                name.encode("latin-1"),
                compile_policy(self.content_security_policy, self.csp_report_uri),
            )
        encoded = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs]
        return CompiledHeaders(encoded, hsts, csp)


def _values(policy: HeaderPolicy) -> dict[str, Any]:
    return {field.name: getattr(policy, field.name) for field in fields(policy)}


_OPTION_SETTINGS = {
    "content_security_policy": "SECURE_CONTENT_SECURITY_POLICY",
    "csp_report_only": "SECURE_CSP_REPORT_ONLY",
    "csp_report_uri": "SECURE_CSP_REPORT_URI",
    "frame_options": "SECURE_FRAME_OPTIONS",
    "referrer_policy": "SECURE_REFERRER_POLICY",
    "permissions_policy": "SECURE_PERMISSIONS_POLICY",
    "cross_origin_opener_policy": "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "cross_origin_resource_policy": "SECURE_CROSS_ORIGIN_RESOURCE_POLICY",
}


def _checked(values: Mapping[str, Any], *, route: bool = False) -> dict[str, Any]:
    """`values` (policy fields) checked and normalized; errors name the setting (or, for a
    route's override, the decorator's argument)."""

    def name(field: str) -> str:
        return f"@security_headers({field}=...)" if route else _OPTION_SETTINGS[field]

    checked = dict(values)
    for field, value in values.items():
        if field == "content_security_policy" and value is not None:
            checked[field] = check_policy(value, name(field), allow_removal=route)
        elif field == "csp_report_uri":
            check_report_uri(value, name(field))
        elif field == "frame_options":
            checked[field] = _choice(value, FRAME_OPTIONS, name(field))
        elif field == "referrer_policy":
            checked[field] = _referrer_policy(value, name(field))
        elif field == "permissions_policy":
            checked[field] = _permissions_policy(value, name(field))
        elif field == "cross_origin_opener_policy":
            checked[field] = _choice(value, OPENER_POLICIES, name(field))
        elif field == "cross_origin_resource_policy":
            checked[field] = _choice(value, RESOURCE_POLICIES, name(field))
    return checked


class CompiledHeaders:
    """Header pairs ready to send: one tuple for HTTP, one for HTTPS (with HSTS), the CSP
    last in both so a nonce replaces only that pair."""

    __slots__ = ("csp", "http", "https", "names")

    def __init__(
        self, pairs: list[Pair], hsts: Pair | None, csp: tuple[bytes, CompiledPolicy] | None
    ) -> None:
        http = list(pairs)
        if csp is not None:
            http.append((csp[0], csp[1].value))
        self.http: tuple[Pair, ...] = tuple(http)
        self.https: tuple[Pair, ...] = ((hsts,) if hsts else ()) + self.http
        self.csp = csp
        self.names = frozenset(name for name, _ in self.https)

    def pairs(self, https: bool, nonce: str | None) -> tuple[Pair, ...]:
        """The pairs for one response: HSTS over HTTPS only, the nonce in the CSP if made."""
        base = self.https if https else self.http
        csp = self.csp
        if nonce is None or csp is None or csp[1].nonce_parts is None:
            return base
        return (*base[:-1], (csp[0], csp[1].with_nonce(nonce)))

    def without_csp(self, https: bool) -> tuple[Pair, ...]:
        base = self.https if https else self.http
        return base[:-1] if self.csp is not None else base


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True, slots=True)
class RouteHeaders:
    """A route's overrides (`@security_headers`), by HeaderPolicy field."""

    overrides: Mapping[str, Any]


def security_headers(
    *,
    content_security_policy: Mapping[str, Sequence[str] | None] | None = UNSET,
    csp_report_only: bool = UNSET,
    csp_report_uri: str | None = UNSET,
    frame_options: Literal["DENY", "SAMEORIGIN"] | None = UNSET,
    referrer_policy: str | None = UNSET,
    permissions_policy: Mapping[str, Sequence[str]] | None = UNSET,
    cross_origin_opener_policy: str | None = UNSET,
    cross_origin_resource_policy: str | None = UNSET,
    content_type_nosniff: bool = UNSET,
) -> Callable[[F], F]:
    """Change the security headers of every route serving the decorated handler.

    Each argument overrides its SECURE_* setting; None drops that header. A CSP dict changes
    only the directives it names (a directive set to None is removed), so a page that may be
    framed by its own site says so in two words. A header the handler's response sets itself
    wins over both.

    Example:
        @router.get("/embed")
        @security_headers(frame_options="SAMEORIGIN",
                          content_security_policy={"frame-ancestors": ["'self'"]})
        async def embed(request: Request) -> HTMLResponse: ...
    """
    given = {
        "content_security_policy": content_security_policy,
        "csp_report_only": csp_report_only,
        "csp_report_uri": csp_report_uri,
        "frame_options": frame_options,
        "referrer_policy": referrer_policy,
        "permissions_policy": permissions_policy,
        "cross_origin_opener_policy": cross_origin_opener_policy,
        "cross_origin_resource_policy": cross_origin_resource_policy,
        "content_type_nosniff": content_type_nosniff,
    }
    overrides = _checked({k: v for k, v in given.items() if v is not UNSET}, route=True)
    for flag in ("csp_report_only", "content_type_nosniff"):
        if flag in overrides and not isinstance(overrides[flag], bool):
            raise ImproperlyConfigured(f"@security_headers({flag}=...): expected True or False")
    marker = RouteHeaders(overrides)

    def decorate(handler: F) -> F:
        previous = getattr(handler, ROUTE_HEADERS_ATTRIBUTE, None)
        if previous is not None:
            raise ImproperlyConfigured(
                f"{getattr(handler, '__qualname__', handler)!r} has @security_headers twice; "
                "give all the overrides to one"
            )
        setattr(handler, ROUTE_HEADERS_ATTRIBUTE, marker)
        return handler

    return decorate


def route_headers(handler: object) -> RouteHeaders | None:
    """The overrides `@security_headers` put on `handler`, if any."""
    return getattr(handler, ROUTE_HEADERS_ATTRIBUTE, None)


def check_header_settings() -> None:
    """Refuse malformed SECURE_* settings at start-up, naming the setting."""
    HeaderPolicy.from_settings().compile()
