"""`Router`: routes declared with decorators, grouped, prefixed and mounted by the app registry.

Routers only collect routes. The ASGI application flattens every app's router into one routing
table at start-up (no nested mounts), so a request is matched once against a flat list. Each
route is compiled when it is declared: its plan (parameters and dependencies), its responder
(the response schema), its endpoint, and its `spec` (what OpenAPI documents).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any, TypedDict, TypeVar

from starlette import routing as starlette_routing
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, compile_path
from starlette.types import Receive, Scope, Send
from typing_extensions import Unpack

from kwik.exceptions import ImproperlyConfigured
from kwik.http.handlers import asgi_app, compile_endpoint, compile_websocket
from kwik.http.params import Depends
from kwik.http.plans import Plan, check_one_body, compile_plan, walk
from kwik.http.responders import DEFAULT, compile_responder
from kwik.http.route_specs import ResponsesOption, build_route_spec, extra_responses
from kwik.http.signature import PathParams, describe
from kwik.http.specs import RouteSpec

__all__ = [
    "Route",
    "RouteOptions",
    "Router",
    "WebSocketRoute",
    "allowed_methods",
    "attach_dependencies",
    "join_paths",
]

_ATTACHED = "__kwik_dependencies__"
_ROUTED = "__kwik_routed__"

F = TypeVar("F", bound=Callable[..., Any])

Moment = date | datetime | str
"""A lifecycle date: a `date`, an aware `datetime`, or ISO 8601 text (`"2027-01-31"`)."""
Deprecated = bool | Moment


class RouteOptions(TypedDict, total=False):
    """What a route decorator takes besides the path (FastAPI's names and meanings).

    `response_model` overrides the return annotation as the response schema (None: no schema);
    `dependencies` run before the handler, their results unused; `responses` documents other
    responses (`{404: {"description": ..., "model": ...}}`); `description` defaults to the
    handler's docstring.

    The API-version options are read by `kwik.contrib.versioning` (docs/versioning.md), which
    must be installed to use them: `version` is the versions a route serves (`"v1,v2"`, `"v2+"`
    for v2 and every later one), `deprecated` may be the date it was deprecated on, `sunset` the
    date it stops answering (410 after), `link` a page saying what replaces it, and `changes` the
    request and response changes through which it serves versions older than the newest.
    """

    name: str | None
    status_code: int
    response_model: Any
    tags: Sequence[str]
    summary: str | None
    description: str | None
    deprecated: Deprecated
    dependencies: Sequence[Depends]
    responses: ResponsesOption
    include_in_schema: bool
    version: str | None
    sunset: Moment | None
    link: str | None
    changes: Sequence[Any]


def join_paths(prefix: str, path: str) -> str:
    """`/catalog` + `/items` -> `/catalog/items`; an empty prefix leaves `path` as it is."""
    if prefix and not prefix.startswith("/"):
        raise ValueError(f"Route prefix {prefix!r} must start with '/'")
    joined = prefix.rstrip("/") + path
    return joined or "/"


def attach_dependencies(handler: F, *dependencies: Depends) -> F:
    """Make every route that serves `handler` run `dependencies` after its router's and its own
    (`dependencies=`); for decorators such as security's `@rate_limit`.

    Such a decorator goes below the route decorator, which compiles the handler when it runs:

        @router.get("/search")
        @rate_limit("10/second")
        async def search(q: str) -> list[Hit]: ...
    """
    if getattr(handler, _ROUTED, False):
        raise ImproperlyConfigured(
            f"Handler {describe(handler)} is already routed, so {list(dependencies)} would never "
            "run: put this decorator below @router.get/post/... (decorators apply bottom-up)"
        )
    setattr(handler, _ATTACHED, (*getattr(handler, _ATTACHED, ()), *dependencies))
    return handler


def _attached(handler: Callable[..., Any]) -> tuple[Depends, ...]:
    """The handler's attached dependencies, and a mark that it is routed now."""
    try:
        setattr(handler, _ROUTED, True)
    except AttributeError:  # a bound method or a builtin: nothing can be attached to it either
        return ()
    return tuple(getattr(handler, _ATTACHED, ()))


def _qualify(name: str, namespace: str | None) -> str:
    return f"{namespace}:{name}" if namespace else name


def _shape(path_params: PathParams) -> dict[str, type]:
    return {name: type(convertor) for name, convertor in path_params.items()}


def _dependency_plans(
    owner: Callable[..., Any],
    dependencies: Sequence[Depends],
    path_params: PathParams,
    known: Sequence[tuple[Depends, Plan]] = (),
) -> tuple[tuple[Depends, Plan], ...]:
    """Plans for route and router dependencies; ones compiled for this path already are kept."""
    reusable = {id(depends): plan for depends, plan in known}
    plans = []
    for depends in dependencies:
        if not isinstance(depends, Depends) or depends.dependency is None:
            raise ImproperlyConfigured(
                f"Handler {describe(owner)}: dependencies= takes Depends(callable) items, "
                f"not {depends!r}"
            )
        plan = reusable.get(id(depends)) or compile_plan(
            depends.dependency, path_params, depends.scopes
        )
        plans.append((depends, plan))
    return tuple(plans)


def _same(first: Sequence[tuple[Depends, Plan]], second: Sequence[tuple[Depends, Plan]]) -> bool:
    return len(first) == len(second) and all(
        a is c and b is d for (a, b), (c, d) in zip(first, second, strict=True)
    )


def allowed_methods(scope: Scope) -> list[str]:
    """Every method some route of the routing table accepts at this request's path.

    GET and POST on one path are usually two routes; Starlette's 405 names the methods of the
    first one only, and a client following `Allow` would never find the second. Only asked for on
    a 405, so the walk over the table costs nothing on the request path.
    """
    router = scope.get("router")
    routes = router.routes if router is not None else [scope["route"]]
    methods: set[str] = set()
    for route in routes:
        if isinstance(route, starlette_routing.Route) and route.methods:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                methods.update(route.methods)
    return sorted(methods)


class Route(starlette_routing.Route):
    """An HTTP route whose handler was compiled once; it remembers the app that declared it.

    `spec` (a RouteSpec) is what OpenAPI reads; `plan` is what runs per request.
    """

    def __init__(
        self,
        path: str,
        handler: Callable[..., Any],
        *,
        methods: Collection[str],
        name: str | None = None,
        status_code: int = 200,
        response_model: Any = DEFAULT,
        tags: Sequence[str] = (),
        summary: str | None = None,
        description: str | None = None,
        deprecated: Deprecated = False,
        dependencies: Sequence[Depends] = (),
        responses: ResponsesOption | None = None,
        include_in_schema: bool = True,
        version: str | None = None,
        sunset: Moment | None = None,
        link: str | None = None,
        changes: Sequence[Any] = (),
        app_label: str | None = None,
        compiled_from: Route | None = None,
    ) -> None:
        _, _, path_params = compile_path(path)
        same_shape = compiled_from is not None and _shape(compiled_from.path_params) == _shape(
            path_params
        )
        if compiled_from is not None and same_shape:
            handler_plan = compiled_from.handler_plan
            responder = compiled_from.responder
            known = compiled_from.dependency_plans
        else:
            handler_plan = compile_plan(handler, path_params)
            responder = compile_responder(handler, status_code, response_model)
            known = ()
        dependency_plans = _dependency_plans(
            handler, (*dependencies, *_attached(handler)), path_params, known
        )
        if compiled_from is not None and same_shape and _same(dependency_plans, known):
            plan, endpoint, app = compiled_from.plan, compiled_from.endpoint, compiled_from.app
        else:
            plan = handler_plan.with_dependencies(dependency_plans)
            check_one_body(plan)
            endpoint = compile_endpoint(plan, responder)
            app = asgi_app(plan, endpoint, passes_responses=responder.schema is None)
        route_name = name or handler.__name__
        super().__init__(
            path, endpoint, methods=methods, name=route_name, include_in_schema=include_in_schema
        )
        self.app = app  # kwik's ASGI application, not Starlette's request_response wrapper
        self.handler = handler
        self.path_params = path_params
        self.handler_plan = handler_plan
        self.dependency_plans = dependency_plans
        self.plan = plan
        self.responder = responder
        self.declared_methods = tuple(method.upper() for method in methods)
        self.status_code = status_code
        self.response_model = response_model
        self.tags = tuple(tags)
        self.summary = summary
        self.description = description
        self.deprecated = deprecated
        self.dependencies = tuple(dependencies)
        self.responses = dict(responses or {})
        self.version = version
        self.sunset = sunset
        self.link = link
        self.changes = tuple(changes)
        self.app_label = app_label
        self.spec: RouteSpec = build_route_spec(
            path=path,
            methods=self.declared_methods,
            name=route_name,
            handler=handler,
            plan=plan,
            responder=responder,
            path_params=path_params,
            tags=self.tags,
            summary=summary,
            description=description,
            deprecated=deprecated is not False,
            include_in_schema=include_in_schema,
            responses=extra_responses(describe(handler), self.responses),
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            raise HTTPException(405, headers={"Allow": ", ".join(allowed_methods(scope))})
        await self.app(scope, receive, send)

    def shadows(self, other: Route) -> bool:
        """Whether this route, placed before `other` on the same method and path, answers
        requests meant for it (`kwik check`'s kwik.E003). A route that matches on more than the
        path (an API version chosen by a header) says when it leaves others a chance."""
        return True

    def options(self) -> dict[str, Any]:
        """The options this route was declared with, as `Route(path, handler, **options)`
        takes them (without `compiled_from`)."""
        return {
            "methods": self.declared_methods,
            "name": self.name,
            "status_code": self.status_code,
            "response_model": self.response_model,
            "tags": self.tags,
            "summary": self.summary,
            "description": self.description,
            "deprecated": self.deprecated,
            "dependencies": self.dependencies,
            "responses": self.responses,
            "include_in_schema": self.include_in_schema,
            "version": self.version,
            "sunset": self.sunset,
            "link": self.link,
            "changes": self.changes,
            "app_label": self.app_label,
        }

    def copy_with(
        self,
        prefix: str,
        namespace: str | None,
        app_label: str | None,
        *,
        tags: Sequence[str] = (),
        dependencies: Sequence[Depends] = (),
        version: str | None = None,
    ) -> Route:
        """This route mounted under `prefix`, its name in `namespace`, owned by `app_label`,
        with `tags` and `dependencies` put before its own, serving `version` unless it names
        its own versions.

        What was compiled is reused: a handler is compiled once however often it is mounted
        (again only when the prefix adds path parameters it may read).
        """
        options = self.options()
        options.update(
            name=_qualify(self.name, namespace),
            tags=(*tags, *self.tags),
            dependencies=(*dependencies, *self.dependencies),
            version=self.version if self.version is not None else version,
            app_label=self.app_label or app_label,
        )
        return Route(join_paths(prefix, self.path), self.handler, **options, compiled_from=self)


class WebSocketRoute(starlette_routing.WebSocketRoute):
    """A WebSocket route compiled like an HTTP one: path and query parameters, headers,
    cookies, `WebSocket`, and dependencies. It remembers the app that declared it."""

    def __init__(
        self,
        path: str,
        handler: Callable[..., Any],
        *,
        name: str | None = None,
        dependencies: Sequence[Depends] = (),
        app_label: str | None = None,
    ) -> None:
        _, _, path_params = compile_path(path)
        plan = compile_plan(handler, path_params).with_dependencies(
            _dependency_plans(handler, (*dependencies, *_attached(handler)), path_params)
        )
        for _, found in walk(plan):
            if (
                found.responses
                or found.background
                or (found.inputs is not None and (found.inputs.body or found.inputs.reads_form))
            ):
                raise ImproperlyConfigured(
                    f"WebSocket handler {describe(handler)}: {found.owner} reads a request body "
                    "or a Response (or its BackgroundTasks), which a WebSocket has not; receive "
                    "messages instead"
                )
        super().__init__(path, handler, name=name or handler.__name__)
        self.app = compile_websocket(plan)
        self.handler = handler
        self.plan = plan
        self.dependencies = tuple(dependencies)
        self.app_label = app_label

    def copy_with(
        self,
        prefix: str,
        namespace: str | None,
        app_label: str | None,
        *,
        tags: Sequence[str] = (),
        dependencies: Sequence[Depends] = (),
        version: str | None = None,
    ) -> WebSocketRoute:
        """As `Route.copy_with`; a WebSocket serves every API version, so `version` is unused."""
        return WebSocketRoute(
            join_paths(prefix, self.path),
            self.handler,
            name=_qualify(self.name, namespace),
            dependencies=(*dependencies, *self.dependencies),
            app_label=self.app_label or app_label,
        )


class Router:
    """A group of routes under a common prefix, with tags, dependencies and the API versions
    (`version=`, see docs/versioning.md) they share.

    Example:
        router = Router(prefix="/items", tags=["items"], dependencies=[Depends(api_key)])

        @router.get("/{item_id:int}")
        async def read_item(item_id: int) -> Item:
            ...
    """

    def __init__(
        self,
        prefix: str = "",
        *,
        tags: Sequence[str] = (),
        dependencies: Sequence[Depends] = (),
        version: str | None = None,
    ) -> None:
        join_paths(prefix, "/")  # validates the prefix now, not at the first route
        self.prefix = prefix
        self.tags = tuple(tags)
        self.dependencies = tuple(dependencies)
        self.version = version
        self.routes: list[BaseRoute] = []

    def add_route(
        self,
        path: str,
        handler: Callable[..., Any],
        *,
        methods: Collection[str],
        **options: Unpack[RouteOptions],
    ) -> Route:
        """Register `handler` for `methods` on `path` (relative to the router's prefix)."""
        options["tags"] = (*self.tags, *options.get("tags", ()))
        options["dependencies"] = (*self.dependencies, *options.get("dependencies", ()))
        if options.get("version") is None:
            options["version"] = self.version
        route = Route(join_paths(self.prefix, path), handler, methods=methods, **options)
        self.routes.append(route)
        return route

    def route(
        self, path: str, *, methods: Collection[str], **options: Unpack[RouteOptions]
    ) -> Callable[[F], F]:
        """Decorator form of `add_route`."""

        def decorator(handler: F) -> F:
            self.add_route(path, handler, methods=methods, **options)
            return handler

        return decorator

    def get(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route(path, methods=["GET"], **options)

    def post(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route(path, methods=["POST"], **options)

    def put(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route(path, methods=["PUT"], **options)

    def patch(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route(path, methods=["PATCH"], **options)

    def delete(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route(path, methods=["DELETE"], **options)

    def head(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route(path, methods=["HEAD"], **options)

    def options(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        return self.route(path, methods=["OPTIONS"], **options)

    def websocket(
        self, path: str, *, name: str | None = None, dependencies: Sequence[Depends] = ()
    ) -> Callable[[F], F]:
        """Register an `async def handler(websocket, ...)` for WebSocket connections on `path`."""

        def decorator(handler: F) -> F:
            route = WebSocketRoute(
                join_paths(self.prefix, path),
                handler,
                name=name,
                dependencies=(*self.dependencies, *dependencies),
            )
            self.routes.append(route)
            return handler

        return decorator

    def include_router(
        self,
        router: Router,
        *,
        prefix: str = "",
        namespace: str | None = None,
        app_label: str | None = None,
        tags: Sequence[str] = (),
        dependencies: Sequence[Depends] = (),
        version: str | None = None,
    ) -> None:
        """Copy `router`'s routes into this one, under `prefix`, named `namespace:name`.

        This router's tags and dependencies, then `tags` and `dependencies`, come before each
        route's own; a route that names no API version serves `version`, else this router's.
        """
        base = join_paths(self.prefix, prefix) if (self.prefix or prefix) else ""
        outer_tags = (*self.tags, *tags)
        outer_dependencies = (*self.dependencies, *dependencies)
        for route in router.routes:
            if not isinstance(route, Route | WebSocketRoute):
                raise TypeError(f"include_router() can only re-mount kwik routes, not {route!r}")
            self.routes.append(
                route.copy_with(
                    base,
                    namespace,
                    app_label,
                    tags=outer_tags,
                    dependencies=outer_dependencies,
                    version=version if version is not None else self.version,
                )
            )
