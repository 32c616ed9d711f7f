"""Who a request counts for: its client's address, its API key, the route it hit.

Each function reads the ASGI scope only, so the default-limit middleware (before routing) and
the route dependencies share them, and none touches the database.
"""

from __future__ import annotations

from typing import Literal

from starlette.types import Scope

from kwik.contrib.security.clients import client_ip

__all__ = ["KEYS", "KeyKind", "api_key_id", "client_address", "route_name"]

KeyKind = Literal["ip", "user", "apikey", "endpoint"]
KEYS: tuple[KeyKind, ...] = ("ip", "user", "apikey", "endpoint")


def client_address(scope: Scope) -> str:
    """The client's address (`kwik.contrib.security.clients.client_ip`): the socket's peer,
    or the forwarded client when SecurityMiddleware (outermost) found a trusted proxy."""
    return client_ip(scope)


def route_name(scope: Scope) -> str:
    """The matched route's name (`catalog:search`), else its path: a route's own bucket."""
    route = scope.get("route")
    if route is None:
        return scope.get("path", "")
    return getattr(route, "name", None) or getattr(route, "path", "")


def api_key_id(scope: Scope, header: bytes) -> str | None:
    """The key id of a well-formed API key in the `header` (lower-case) request header, or
    None. Only the key's shape and checksum are checked (no database): a forged key with a
    valid shape counts against that key id, which is what limiting by key means."""
    from kwik.contrib.security.apikeys.keys import parse_key

    for name, value in scope.get("headers", ()):
        if name == header:
            parsed = parse_key(value.decode("latin-1"))
            return None if parsed is None else parsed.key_id
    return None
