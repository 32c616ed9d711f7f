"""`FixedPaths`: routes with no path parameters, matched by one dictionary lookup.

Kwik's own URLs (the OpenAPI document, the docs page and its files) sit first in the routing
table so no project route can shadow them. As plain routes they would cost every request one
regular-expression match each before the project's routes are tried; grouped here they cost one
lookup, whatever their number.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

__all__ = ["FixedPaths"]


def _route_path(scope: Scope) -> str:
    """The path the routing table sees: without the ASGI root_path (as Starlette's routes do)."""
    path: str = scope["path"]
    root = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("/", ""):
        return path[len(root) :]
    return path


class FixedPaths(BaseRoute):
    """Several routes whose paths have no parameters, matched as one."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self.routes = list(routes)
        for route in self.routes:
            if route.param_convertors:
                raise ValueError(f"FixedPaths: {route.path} has path parameters")
        self._by_path = {route.path: route for route in self.routes}

    def __repr__(self) -> str:
        return f"FixedPaths({', '.join(self._by_path)})"

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        route = self._by_path.get(_route_path(scope))
        if route is None:
            return Match.NONE, {}
        return route.matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._by_path[_route_path(scope)].handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                continue
        raise NoMatchFound(name, path_params)
