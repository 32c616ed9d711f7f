"""Which version a request asks for: read from its header, its `Accept` media type parameter or
its query string, as API_VERSIONING says, once per request (kept in the scope).

A URL-prefixed route knows its version without asking: the prefix chose it when the route was
matched. Everything here reads the raw ASGI scope, so a versioned route costs a header scan,
not a Request object.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl

from starlette.requests import HTTPConnection
from starlette.types import Scope

from kwik.contrib.versioning.problems import unknown_version
from kwik.contrib.versioning.versions import APIVersion, VersionSet

__all__ = ["VERSION_KEY", "Selector", "api_version"]

VERSION_KEY = "kwik.api_version"
"""The scope key holding the request's APIVersion once it is known."""


def _media_type_version(accept: str, parameter: str) -> str | None:
    """`application/json; version=v2` -> `v2` (the first media range naming one)."""
    for media_range in accept.split(","):
        for item in media_range.split(";")[1:]:
            name, _, value = item.partition("=")
            if name.strip().lower() == parameter:
                return value.strip().strip('"') or None
    return None


class Selector:
    """Reads the requested version with the strategies in API_VERSIONING other than `url`."""

    def __init__(
        self,
        versions: VersionSet,
        strategies: Sequence[str],
        *,
        header: str,
        query_param: str,
        media_type_param: str,
        required: bool,
    ) -> None:
        self.versions = versions
        self.header = header.lower().encode("latin-1") if "header" in strategies else None
        self.header_name = header
        self.media_type_param = media_type_param.lower() if "media_type" in strategies else None
        self.query_param = query_param if "query" in strategies else None
        self.query_marker = f"{query_param}=".encode()
        self.required = required
        self.supported = [version.name for version in versions.versions]
        self.only_header = set(strategies) - {"url"} == {"header"}
        varies = [header] if self.header is not None else []
        varies += ["Accept"] if self.media_type_param is not None else []
        self.vary = ", ".join(varies) or None
        """The `Vary` of a response whose version a header chose, so caches keep one copy per
        version (a query parameter is part of the URL already)."""

    def requested(self, scope: Scope) -> APIVersion:
        """The request's version (the default when it names none); raises the 400 problem for
        an unknown version, for two that disagree, or for none when one is required."""
        if self.only_header:  # the common case, in one pass and no collections
            for name, value in scope["headers"]:
                if name == self.header:
                    return self._named(value.decode("latin-1").strip())
            return self._default()
        found: dict[str, str] = {}
        if self.header is not None or self.media_type_param is not None:
            for name, value in scope["headers"]:
                if name == self.header:
                    found[self.header_name] = value.decode("latin-1").strip()
                elif name == b"accept" and self.media_type_param is not None:
                    named = _media_type_version(value.decode("latin-1"), self.media_type_param)
                    if named is not None:
                        found["Accept"] = named
        if self.query_param is not None and self.query_marker in scope["query_string"]:
            for name, value in parse_qsl(scope["query_string"].decode("latin-1")):
                if name == self.query_param:
                    found[f"?{self.query_param}"] = value
                    break
        names = set(found.values())
        if len(names) > 1:
            said = ", ".join(f"{where} says {name!r}" for where, name in found.items())
            raise unknown_version(f"The request names two API versions ({said})", self.supported)
        return self._named(names.pop()) if names else self._default()

    def _named(self, name: str) -> APIVersion:
        version = self.versions.get(name)
        if version is None:
            raise unknown_version(f"No API version {name!r}", self.supported)
        return version

    def _default(self) -> APIVersion:
        if self.required:
            raise unknown_version("The request names no API version", self.supported)
        return self.versions.default

    def of(self, scope: Scope) -> APIVersion:
        """The request's version, read once and kept in the scope."""
        version: APIVersion | None = scope.get(VERSION_KEY)
        if version is None:
            version = scope[VERSION_KEY] = self.requested(scope)
        return version


def api_version(connection: HTTPConnection) -> APIVersion:
    """The API version serving this request: the one its URL prefix, header, media type or
    query string chose, else API_DEFAULT_VERSION. Call it in a handler, or depend on it:

        @router.get("/users", version="v1+")
        async def users(request: Request) -> list[User]:
            if api_version(request).name == "v1": ...
    """
    from kwik.contrib.versioning.config import current

    return current().selector.of(connection.scope)
