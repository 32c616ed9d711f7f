"""Content-Security-Policy: the policy rendered once as bytes, and the per-request nonce.

An inline `<script>` or `<style>` runs under the default policy only when it carries this
response's nonce: `<script nonce="{{ csp_nonce() }}">`. The nonce is made on first use (128
random bits) and kept in the ASGI scope, so a response that never asks for one costs nothing
and its policy simply has no `'nonce-…'` source; `SecurityMiddleware` writes the one it finds
into the header when the response starts.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kwik.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection
    from starlette.types import Scope

__all__ = ["NONCE_KEY", "NONCE_SOURCE", "CompiledPolicy", "compile_policy", "csp_nonce"]

NONCE_KEY = "kwik.csp_nonce"
NONCE_SOURCE = "'nonce'"
"""The placeholder a policy's sources use for this response's nonce."""

_DIRECTIVE = re.compile(r"[a-z][a-z0-9-]*")
_FORBIDDEN = re.compile(r"[\s;,'\x00-\x1f\x7f]|[^\x00-\x7f]")
_QUOTED = re.compile(r"'[A-Za-z0-9+/=_-]+'")
_KEYWORDS = frozenset(
    {
        "self",
        "none",
        "unsafe-inline",
        "unsafe-eval",
        "unsafe-hashes",
        "strict-dynamic",
        "report-sample",
        "wasm-unsafe-eval",
        "inline-speculation-rules",
        "nonce",
    }
)
_MARK = "\x00"


def csp_nonce(connection: Scope | HTTPConnection) -> str:
    """This response's CSP nonce (a request, WebSocket or ASGI scope), made on first use.

    Every call during one request returns the same value, and the policy sent with the
    response allows it wherever the policy says `'nonce'`.

    Example:
        return HTMLResponse(f'<script nonce="{csp_nonce(request)}">start()</script>')
    """
    scope: Scope = getattr(connection, "scope", connection)
    nonce = scope.get(NONCE_KEY)
    if nonce is None:
        nonce = scope[NONCE_KEY] = secrets.token_urlsafe(16)
    return str(nonce)


def csp_template_globals() -> dict[str, Any]:
    """`{{ csp_nonce() }}` for templates; it reads `request` from the template's context."""
    import jinja2

    @jinja2.pass_context
    def template_nonce(context: jinja2.runtime.Context) -> str:
        request = context.get("request")
        if request is None:
            raise RuntimeError(
                "csp_nonce() needs `request` in the template's context: render the template "
                "with kwik.http.render(request, ...)"
            )
        return csp_nonce(request)

    return {"csp_nonce": template_nonce}


def _check_source(source: object, where: str) -> str:
    if not isinstance(source, str) or not source:
        raise ImproperlyConfigured(f"{where}: {source!r} is not a source expression")
    if source == NONCE_SOURCE:
        return source
    if source.startswith("'"):
        if source.startswith("'nonce-"):
            raise ImproperlyConfigured(
                f"{where}: {source!r} is a fixed nonce, which an attacker can copy; write "
                f"{NONCE_SOURCE} and use {{{{ csp_nonce() }}}} in templates"
            )
        if not _QUOTED.fullmatch(source):
            raise ImproperlyConfigured(f"{where}: {source!r} is not a source expression")
        return source
    if source.lower() in _KEYWORDS:
        raise ImproperlyConfigured(
            f"{where}: {source!r} names a host called {source}; the keyword is quoted: "
            f"\"'{source.lower()}'\""
        )
    if _FORBIDDEN.search(source):
        raise ImproperlyConfigured(f"{where}: {source!r} is not a source expression")
    return source


def check_policy(
    policy: Mapping[str, Sequence[str] | None], setting: str, *, allow_removal: bool = False
) -> dict[str, tuple[str, ...] | None]:
    """The policy with directive names lower-cased, every source checked: a stray `;` or an
    unquoted `self` would otherwise change the policy's meaning without a word."""
    if not isinstance(policy, Mapping):
        raise ImproperlyConfigured(f"{setting}: expected a dict of directive -> sources")
    checked: dict[str, tuple[str, ...] | None] = {}
    for name, sources in policy.items():
        directive = name.lower() if isinstance(name, str) else name
        if not isinstance(directive, str) or not _DIRECTIVE.fullmatch(directive):
            raise ImproperlyConfigured(f"{setting}: {name!r} is not a directive name")
        if sources is None and allow_removal:
            checked[directive] = None
            continue
        if isinstance(sources, str) or not isinstance(sources, Sequence):
            raise ImproperlyConfigured(
                f"{setting}[{name!r}]: expected a list of sources, such as [\"'self'\"]"
            )
        where = f"{setting}[{name!r}]"
        checked[directive] = tuple(_check_source(source, where) for source in sources)
    return checked


def check_report_uri(uri: str | None, setting: str) -> None:
    if uri is not None and (not uri or _FORBIDDEN.search(uri)):
        raise ImproperlyConfigured(f"{setting}: {uri!r} is not a URL a policy can name")


class CompiledPolicy:
    """A policy rendered once: the header's value without a nonce, and the pieces the value
    with a nonce is joined from (None when the policy has no `'nonce'`)."""

    __slots__ = ("nonce_parts", "value")

    def __init__(self, value: bytes, nonce_parts: tuple[bytes, ...] | None) -> None:
        self.value = value
        self.nonce_parts = nonce_parts

    def with_nonce(self, nonce: str) -> bytes:
        if self.nonce_parts is None:
            return self.value
        return nonce.encode("ascii").join(self.nonce_parts)


def compile_policy(
    policy: Mapping[str, Sequence[str]], report_uri: str | None = None
) -> CompiledPolicy:
    """Render a (checked) policy: `'nonce'` becomes `'nonce-<nonce>'`, or is dropped when no
    nonce was made; a directive left with no source then says `'none'`."""
    plain: list[str] = []
    nonced: list[str] = []
    for name, sources in policy.items():
        kept = [source for source in sources if source != NONCE_SOURCE]
        if len(kept) == len(sources):
            rendered = " ".join((name, *sources))
            plain.append(rendered)
            nonced.append(rendered)
            continue
        plain.append(" ".join((name, *(kept or ["'none'"]))))
        nonced.append(
            " ".join((name, *(f"'nonce-{_MARK}'" if s == NONCE_SOURCE else s for s in sources)))
        )
    if report_uri and "report-uri" not in policy:
        plain.append(f"report-uri {report_uri}")
        nonced.append(f"report-uri {report_uri}")
    value = "; ".join(plain).encode("latin-1")
    template = "; ".join(nonced)
    if _MARK not in template:
        return CompiledPolicy(value, None)
    return CompiledPolicy(value, tuple(part.encode("latin-1") for part in template.split(_MARK)))
