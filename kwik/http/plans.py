"""Call plans: a handler's or dependency's signature compiled once into how to call it.

A plan says, for each parameter, how to get its value: the connection itself, a path value the
route converted already, the injected response, the plan's validated inputs (one Pydantic call
for every path, query, header, cookie and form parameter, plus the JSON body), or a dependency
to resolve first. Compiling happens when a route is declared, so mistakes surface at import and
the request path does no inspection.

`solve` runs a plan for one request. Validation problems of the whole tree are collected before
anything is called, so a request with a bad query parameter and a bad header hears about both,
and a dependency with side effects (a database session) doesn't run for a request refused anyway.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import Response

from kwik.http.errors import RequestValidationError
from kwik.http.inputs import Inputs, compile_inputs
from kwik.http.params import Depends
from kwik.http.signature import PathParams, describe, read_signature

__all__ = [
    "Extractor",
    "PathParams",
    "Plan",
    "Solving",
    "compile_plan",
    "describe",
    "injected_response",
    "solve",
    "walk",
]

Extractor = Callable[[HTTPConnection], Any]


@dataclass(frozen=True, slots=True)
class Plan:
    """How to call `call` for one request."""

    call: Callable[..., Any]
    kind: str  # "async", "sync", "asyncgen" or "gen"
    owner: str
    extractors: tuple[tuple[str, Extractor], ...]
    responses: tuple[str, ...]  # parameters that receive the injected Response
    inputs: Inputs | None
    dependencies: tuple[tuple[str | None, Depends, Plan], ...]  # None: run, result unused
    path_params: PathParams
    manager: Callable[..., Any] | None = None  # a generator dependency as a context manager

    def with_dependencies(self, extra: Sequence[tuple[Depends, Plan]]) -> Plan:
        """This plan with route or router dependencies run first, their results unused."""
        added = tuple((None, depends, plan) for depends, plan in extra)
        return replace(self, dependencies=added + self.dependencies)


def walk(plan: Plan) -> Iterator[tuple[Depends | None, Plan]]:
    """The plan, then every dependency plan under it, depth first, with its marker."""
    yield None, plan
    for _, depends, sub_plan in plan.dependencies:
        for found_depends, found in walk(sub_plan):
            yield (depends if found_depends is None else found_depends), found


def _the_connection(connection: HTTPConnection) -> HTTPConnection:
    return connection


def _path_value(name: str) -> Extractor:
    def extract(connection: HTTPConnection) -> Any:
        return connection.path_params[name]

    return extract


def _kind(function: Callable[..., Any]) -> str:
    target = function
    if not (inspect.isroutine(function) or inspect.isclass(function)):
        target = type(function).__call__  # a callable object: its __call__ decides
    if inspect.isasyncgenfunction(target):
        return "asyncgen"
    if inspect.isgeneratorfunction(target):
        return "gen"
    if inspect.iscoroutinefunction(target):
        return "async"
    return "sync"


def _model_name(function: Callable[..., Any]) -> str:
    name = getattr(function, "__name__", type(function).__name__)
    return "".join(part.capitalize() for part in name.split("_")) + "Params"


def compile_plan(function: Callable[..., Any], path_params: PathParams) -> Plan:
    """The plan for calling `function` (a handler or a dependency) under a route."""
    found = read_signature(function, path_params)
    owner = describe(function)
    dependencies = []
    for name, depends in found.dependencies:
        assert depends.dependency is not None
        dependencies.append((name, depends, compile_plan(depends.dependency, path_params)))
    extractors = [(name, _the_connection) for name in found.connection]
    extractors += [(name, _path_value(name)) for name in found.trusted_path]
    kind = _kind(function)
    manager = None
    if kind == "asyncgen":
        manager = asynccontextmanager(function)
    elif kind == "gen":
        manager = contextmanager(function)
    return Plan(
        call=function,
        kind=kind,
        owner=owner,
        extractors=tuple(extractors),
        responses=tuple(found.response),
        inputs=compile_inputs(owner, found.fields, found.body, _model_name(function)),
        dependencies=tuple(dependencies),
        path_params=path_params,
        manager=manager,
    )


def injected_response() -> Response:
    """The response a handler or dependency asks for by annotating a parameter `Response`:
    no status (the route's applies unless one is set) and no headers of its own."""
    response = Response()
    response.raw_headers.clear()
    response.status_code = None  # type: ignore[assignment]
    return response


class Solving:
    """One request's state while its plan runs: the teardown stack, the per-request cache of
    dependency results, the validation problems found so far, and the injected response."""

    __slots__ = ("cache", "errors", "overrides", "response", "stack")

    def __init__(self, stack: AsyncExitStack, overrides: Any) -> None:
        self.stack = stack
        self.cache: dict[Callable[..., Any], Any] = {}
        self.errors: list[dict[str, Any]] = []
        self.overrides = overrides
        self.response: Response | None = None

    def injected(self) -> Response:
        if self.response is None:
            self.response = injected_response()
        return self.response


async def solve(plan: Plan, connection: HTTPConnection, state: Solving) -> dict[str, Any]:
    """The keyword arguments for `plan.call`. Validation problems go to `state.errors`; once
    there is one, dependencies are still checked but no longer called."""
    kwargs = {name: extract(connection) for name, extract in plan.extractors}
    for name in plan.responses:
        kwargs[name] = state.injected()
    inputs = plan.inputs
    if inputs is not None:
        try:
            kwargs.update(
                await inputs.read(connection) if inputs.is_async else inputs.read_now(connection)
            )
        except RequestValidationError as exc:
            state.errors.extend(exc.errors)
    overrides = state.overrides
    cache = state.cache
    for name, depends, sub_plan in plan.dependencies:
        if overrides:
            replacement = overrides.get(depends.dependency)
            if replacement is not None:
                sub_plan = _override_plan(replacement, plan.path_params)
        function = sub_plan.call
        if depends.use_cache and function in cache:
            value = cache[function]
        else:
            sub_kwargs = await solve(sub_plan, connection, state)
            if state.errors:
                continue
            value = await _call(sub_plan, sub_kwargs, state.stack)
            if depends.use_cache:
                cache[function] = value
        if name is not None:
            kwargs[name] = value
    return kwargs


_override_plans: weakref.WeakKeyDictionary[Callable[..., Any], dict[tuple[str, ...], Plan]] = (
    weakref.WeakKeyDictionary()
)


def _override_plan(function: Callable[..., Any], path_params: PathParams) -> Plan:
    """The plan of a test's replacement dependency, compiled on first use and kept while the
    replacement exists."""
    by_route = _override_plans.setdefault(function, {})
    key = tuple(sorted(path_params))
    plan = by_route.get(key)
    if plan is None:
        plan = by_route[key] = compile_plan(function, path_params)
    return plan


async def _call(plan: Plan, kwargs: dict[str, Any], stack: AsyncExitStack) -> Any:
    if plan.kind == "async":
        return await plan.call(**kwargs)
    if plan.kind == "asyncgen":
        assert plan.manager is not None
        return await stack.enter_async_context(plan.manager(**kwargs))
    if plan.kind == "gen":
        # A sync generator may block: enter and leave it on a worker thread, like a sync call.
        assert plan.manager is not None
        manager = plan.manager(**kwargs)
        value = await run_in_threadpool(manager.__enter__)
        stack.push_async_exit(partial(run_in_threadpool, manager.__exit__))
        return value
    return await run_in_threadpool(plan.call, **kwargs)
