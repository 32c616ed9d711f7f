"""`Router`: routes declared with decorators, grouped, prefixed and mounted by the app registry.

Routers only collect routes. The ASGI application flattens every app's router into one routing
table at start-up (no nested mounts), so a request is matched once against a flat list.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from starlette import routing as starlette_routing
from starlette.routing import BaseRoute, compile_path

from kwik.http.handlers import Endpoint, compile_handler

__all__ = ["Route", "Router", "WebSocketRoute", "join_paths"]

F = TypeVar("F", bound=Callable[..., Any])


def join_paths(prefix: str, path: str) -> str:
    """`/catalog` + `/items` -> `/catalog/items`; an empty prefix leaves `path` as it is."""
    if prefix and not prefix.startswith("/"):
        raise ValueError(f"Route prefix {prefix!r} must start with '/'")
    joined = prefix.rstrip("/") + path
    return joined or "/"


def _qualify(name: str, namespace: str | None) -> str:
    return f"{namespace}:{name}" if namespace else name


class Route(starlette_routing.Route):
    """An HTTP route whose handler was compiled once; it remembers the app that declared it."""

    def __init__(
        self,
        path: str,
        handler: Callable[..., Any],
        *,
        methods: Collection[str],
        name: str | None = None,
        status_code: int = 200,
        include_in_schema: bool = True,
        app_label: str | None = None,
        endpoint: Endpoint | None = None,
    ) -> None:
        if endpoint is None:
            _, _, convertors = compile_path(path)
            endpoint = compile_handler(handler, convertors, status_code)
        super().__init__(
            path,
            endpoint,
            methods=methods,
            name=name or handler.__name__,
            include_in_schema=include_in_schema,
        )
        self.handler = handler
        self.status_code = status_code
        self.app_label = app_label

    def copy_with(self, prefix: str, namespace: str | None, app_label: str | None) -> Route:
        """This route mounted under `prefix`, its name in `namespace`, owned by `app_label`.

        The compiled endpoint is reused: a handler is compiled once however often it is mounted.
        """
        return Route(
            join_paths(prefix, self.path),
            self.handler,
            methods=self.methods or (),
            name=_qualify(self.name, namespace),
            status_code=self.status_code,
            include_in_schema=self.include_in_schema,
            app_label=self.app_label or app_label,
            endpoint=self.endpoint,
        )


class WebSocketRoute(starlette_routing.WebSocketRoute):
    """A WebSocket route that remembers the app that declared it."""

    def __init__(
        self,
        path: str,
        handler: Callable[..., Any],
        *,
        name: str | None = None,
        app_label: str | None = None,
    ) -> None:
        super().__init__(path, handler, name=name or handler.__name__)
        self.handler = handler
        self.app_label = app_label

    def copy_with(
        self, prefix: str, namespace: str | None, app_label: str | None
    ) -> WebSocketRoute:
        return WebSocketRoute(
            join_paths(prefix, self.path),
            self.handler,
            name=_qualify(self.name, namespace),
            app_label=self.app_label or app_label,
        )


class Router:
    """A group of routes under a common prefix.

    Example:
        router = Router(prefix="/items")

        @router.get("/{item_id:int}")
        async def read_item(item_id: int) -> dict[str, int]:
            return {"id": item_id}
    """

    def __init__(self, prefix: str = "") -> None:
        join_paths(prefix, "/")  # validates the prefix now, not at the first route
        self.prefix = prefix
        self.routes: list[BaseRoute] = []

    def add_route(
        self,
        path: str,
        handler: Callable[..., Any],
        *,
        methods: Collection[str],
        name: str | None = None,
        status_code: int = 200,
        include_in_schema: bool = True,
    ) -> Route:
        """Register `handler` for `methods` on `path` (relative to the router's prefix)."""
        route = Route(
            join_paths(self.prefix, path),
            handler,
            methods=methods,
            name=name,
            status_code=status_code,
            include_in_schema=include_in_schema,
        )
        self.routes.append(route)
        return route

    def route(
        self,
        path: str,
        *,
        methods: Collection[str],
        name: str | None = None,
        status_code: int = 200,
        include_in_schema: bool = True,
    ) -> Callable[[F], F]:
        """Decorator form of `add_route`."""

        def decorator(handler: F) -> F:
            self.add_route(
                path,
                handler,
                methods=methods,
                name=name,
                status_code=status_code,
                include_in_schema=include_in_schema,
            )
            return handler

        return decorator

    def get(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, methods=["GET"], **options)

    def post(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, methods=["POST"], **options)

    def put(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, methods=["PUT"], **options)

    def patch(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, methods=["PATCH"], **options)

    def delete(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, methods=["DELETE"], **options)

    def head(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, methods=["HEAD"], **options)

    def options(self, path: str, **options: Any) -> Callable[[F], F]:
        return self.route(path, methods=["OPTIONS"], **options)

    def websocket(self, path: str, *, name: str | None = None) -> Callable[[F], F]:
        """Register an `async def handler(websocket)` for WebSocket connections on `path`."""

        def decorator(handler: F) -> F:
            self.routes.append(WebSocketRoute(join_paths(self.prefix, path), handler, name=name))
            return handler

        return decorator

    def include_router(
        self,
        router: Router,
        *,
        prefix: str = "",
        namespace: str | None = None,
        app_label: str | None = None,
    ) -> None:
        """Copy `router`'s routes into this one, under `prefix`, named `namespace:name`."""
        base = join_paths(self.prefix, prefix) if (self.prefix or prefix) else ""
        for route in router.routes:
            if not isinstance(route, Route | WebSocketRoute):
                raise TypeError(f"include_router() can only re-mount kwik routes, not {route!r}")
            self.routes.append(route.copy_with(base, namespace, app_label))
