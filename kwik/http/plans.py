"""Call plans: a handler's or dependency's signature compiled once into how to call it.

A plan says, for each parameter, how to get its value: the connection itself, a path value the
route converted already, the injected response, the security scopes required where it runs, the
plan's validated inputs (one Pydantic call for every path, query, header, cookie and form
parameter, plus the JSON body), or a dependency to resolve first. Compiling happens when a
route is declared, so mistakes surface at import and the request path does no inspection.

`solve` runs a plan for one request. Validation problems of the whole tree are collected before
anything is called, so a request with a bad query parameter and a bad header hears about both,
and a dependency with side effects (a database session) doesn't run for a request refused anyway.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Awaitable, Callable, Hashable, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from functools import partial
from types import TracebackType
from typing import Any

from starlette.background import BackgroundTasks
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import Response

from kwik.exceptions import ImproperlyConfigured
from kwik.http.errors import RequestValidationError
from kwik.http.inputs import Inputs, compile_inputs
from kwik.http.params import Depends, SecurityScopes, merge_scopes
from kwik.http.signature import PathParams, describe, read_signature

__all__ = [
    "Extractor",
    "PathParams",
    "Plan",
    "Solving",
    "background_tasks",
    "check_one_body",
    "compile_plan",
    "describe",
    "injected_response",
    "solve",
    "split_guards",
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
    background: tuple[str, ...]  # parameters that receive its BackgroundTasks
    inputs: Inputs | None
    dependencies: tuple[tuple[str | None, Depends, Plan], ...]  # None: run, result unused
    path_params: PathParams
    manager: Callable[..., Any] | None = None  # a generator dependency as a context manager
    scopes: tuple[str, ...] = ()  # every Security scope on the way from the route down to here
    reads_scopes: bool = False  # it or a dependency below takes a SecurityScopes parameter
    cache_key: Hashable = None  # what its result is cached under in a request (see compile_plan)

    def __post_init__(self) -> None:
        if self.cache_key is None:  # a plan that reads no scopes is cached by its function
            object.__setattr__(self, "cache_key", self.call)

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


def _is_guard(name: str | None, plan: Plan) -> bool:
    """A route dependency (result unused) whose function says `guard = True` and takes nothing
    but the connection, as an `async def`."""
    return (
        name is None
        and getattr(plan.call, "guard", False) is True
        and plan.kind == "async"
        and plan.inputs is None
        and not plan.dependencies
        and not plan.responses
        and not plan.background
        and not plan.reads_scopes
        and len(plan.extractors) == 1
        and plan.extractors[0][1] is _the_connection
    )


def split_guards(plan: Plan) -> tuple[tuple[Callable[[Any], Awaitable[Any]], ...], Plan]:
    """The guards leading `plan`'s dependencies, and the plan without them.

    A guard is a check run on every request before anything else of the route (security's CSRF
    check and rate limits): it takes only the request, so it needs none of the dependency
    machinery (exit stack, cache, two-pass validation) and costs one call. It runs before the
    route's parameters are validated, so it sees invalid requests too (a rate limit should).
    A guard listed twice runs once; one also used deeper in the plan stays an ordinary
    dependency, so the request's cache keeps it to one run.
    """
    guards: list[Callable[[Any], Awaitable[Any]]] = []
    count = 0
    for name, _, sub_plan in plan.dependencies:
        if not _is_guard(name, sub_plan):
            break
        count += 1
        if sub_plan.call not in guards:
            guards.append(sub_plan.call)
    rest = replace(plan, dependencies=plan.dependencies[count:])
    deeper = {found.call for _, found in walk(rest)}
    if deeper.intersection(guards):
        return (), plan
    return tuple(guards), rest


def check_one_body(plan: Plan) -> None:
    """Refuse a route whose handler and dependencies read the body in two formats (one a JSON
    body, another form fields): a request has one body, so every request would be a 415."""
    json_reader = form_reader = None
    for _, found in walk(plan):
        inputs = found.inputs
        if inputs is None:
            continue
        if inputs.body is not None and json_reader is None:
            json_reader = f"{found.owner} reads the JSON body ({inputs.body.name!r})"
        if inputs.reads_form and form_reader is None:
            fields = ", ".join(repr(f.name) for f in inputs.fields if f.source == "form")
            form_reader = f"{found.owner} reads form fields ({fields})"
    if json_reader is not None and form_reader is not None:
        raise ImproperlyConfigured(
            f"Handler {plan.owner}: {json_reader} and {form_reader}; a request has one body, "
            "so every request would be refused with a 415: read either JSON or form fields, "
            "in the handler and in all its dependencies"
        )


def _the_connection(connection: HTTPConnection) -> HTTPConnection:
    return connection


def _path_value(name: str) -> Extractor:
    def extract(connection: HTTPConnection) -> Any:
        return connection.path_params[name]

    return extract


def _security_scopes(scopes: tuple[str, ...]) -> Extractor:
    def extract(connection: HTTPConnection) -> SecurityScopes:
        return SecurityScopes(scopes)  # a new one per call: a dependency may change its list

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


def compile_plan(
    function: Callable[..., Any], path_params: PathParams, scopes: Sequence[str] = ()
) -> Plan:
    """The plan for calling `function` (a handler or a dependency) under a route.

    `scopes` are those the `Security` markers above it require (its own marker's included); a
    `SecurityScopes` parameter receives them. A dependency whose plan reads them, itself or
    below, caches its result per set of scopes, so `Security(key, scopes=["a"])` and
    `Security(key, scopes=["b"])` on one route are two checks; any other is cached by function,
    so a database session is shared whatever the scopes above it.
    """
    found = read_signature(function, path_params)
    owner = describe(function)
    scopes = tuple(scopes)
    dependencies = []
    for name, depends in found.dependencies:
        assert depends.dependency is not None
        below = merge_scopes(scopes, depends.scopes)
        dependencies.append((name, depends, compile_plan(depends.dependency, path_params, below)))
    extractors = [(name, _the_connection) for name in found.connection]
    extractors += [(name, _path_value(name)) for name in found.trusted_path]
    extractors += [(name, _security_scopes(scopes)) for name in found.security_scopes]
    reads_scopes = bool(found.security_scopes) or any(
        sub_plan.reads_scopes for _, _, sub_plan in dependencies
    )
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
        background=tuple(found.background),
        inputs=compile_inputs(owner, found.fields, found.body, _model_name(function)),
        dependencies=tuple(dependencies),
        path_params=path_params,
        manager=manager,
        scopes=scopes,
        reads_scopes=reads_scopes,
        cache_key=(function, tuple(sorted(scopes))) if reads_scopes else None,
    )


def injected_response() -> Response:
    """The response a handler or dependency asks for by annotating a parameter `Response`:
    no status (the route's applies unless one is set) and no headers of its own."""
    response = Response()
    response.raw_headers.clear()
    response.status_code = None  # type: ignore[assignment]
    return response


def background_tasks(response: Response) -> BackgroundTasks:
    """The tasks a handler or dependency adds to by annotating a parameter `BackgroundTasks`;
    they ride on the injected response, and run after the response the route sends."""
    if response.background is None:
        response.background = BackgroundTasks()
    assert isinstance(response.background, BackgroundTasks)
    return response.background


class Solving:
    """One request's state while its plan runs: the teardown stack, the per-request cache of
    dependency results, the validation problems found so far, and the injected response."""

    __slots__ = ("cache", "errors", "overrides", "response", "stack")

    def __init__(self, stack: AsyncExitStack, overrides: Any) -> None:
        self.stack = stack
        self.cache: dict[Hashable, Any] = {}
        self.errors: list[dict[str, Any]] = []
        self.overrides = overrides
        self.response: Response | None = None

    def injected(self) -> Response:
        if self.response is None:
            self.response = injected_response()
        return self.response


# One dependency call, in the order calls happen (a dependency's own dependencies first): its
# plan (None: its cached result), its validated arguments, the arguments it is given to, under
# which name (None: run for its effect), its cache key, and whether its result is cached.
_Step = tuple[Plan | None, dict[str, Any], dict[str, Any], str | None, Hashable, bool]


async def solve(plan: Plan, connection: HTTPConnection, state: Solving) -> dict[str, Any]:
    """The keyword arguments for `plan.call`, in two passes: validate the whole tree, then call.

    The first pass reads and validates the parameters of the plan and of every dependency under
    it, collecting problems in `state.errors`; only when there is none does the second pass call
    the dependencies, depth first, so a refused request runs none of them.
    """
    steps: list[_Step] = []
    kwargs = await _validate(plan, connection, state, steps, set())
    if state.errors:
        return kwargs
    cache = state.cache
    stack = state.stack
    for sub_plan, sub_kwargs, target, name, key, use_cache in steps:
        if sub_plan is None:
            value = cache[key]
        else:
            value = await _call(sub_plan, sub_kwargs, stack)
            if use_cache:
                cache[key] = value
        if name is not None:
            target[name] = value
    return kwargs


async def _validate(
    plan: Plan,
    connection: HTTPConnection,
    state: Solving,
    steps: list[_Step],
    cached: set[Hashable],
) -> dict[str, Any]:
    """`plan`'s own arguments, validated; its dependencies' calls appended to `steps`, each
    after those of its own dependencies. A cached dependency is validated once, where first
    used; later uses take its result."""
    kwargs = {name: extract(connection) for name, extract in plan.extractors}
    for name in plan.responses:
        kwargs[name] = state.injected()
    for name in plan.background:
        kwargs[name] = background_tasks(state.injected())
    inputs = plan.inputs
    if inputs is not None:
        try:
            kwargs.update(
                await inputs.read(connection) if inputs.is_async else inputs.read_now(connection)
            )
        except RequestValidationError as exc:
            state.errors.extend(exc.errors)
    overrides = state.overrides
    for name, depends, sub_plan in plan.dependencies:
        if overrides:
            replacement = overrides.get(depends.dependency)
            if replacement is not None:
                sub_plan = _override_plan(replacement, plan.path_params, sub_plan.scopes)
        key = sub_plan.cache_key
        if depends.use_cache and key in cached:
            steps.append((None, {}, kwargs, name, key, True))
            continue
        sub_kwargs = await _validate(sub_plan, connection, state, steps, cached)
        if depends.use_cache:
            cached.add(key)
        steps.append((sub_plan, sub_kwargs, kwargs, name, key, depends.use_cache))
    return kwargs


_override_plans: weakref.WeakKeyDictionary[
    Callable[..., Any], dict[tuple[tuple[str, ...], tuple[str, ...]], Plan]
] = weakref.WeakKeyDictionary()


def _override_plan(
    function: Callable[..., Any], path_params: PathParams, scopes: tuple[str, ...]
) -> Plan:
    """The plan of a test's replacement dependency (given the scopes of the one it replaces),
    compiled on first use and kept while the replacement exists."""
    by_route = _override_plans.setdefault(function, {})
    key = (tuple(sorted(path_params)), scopes)
    plan = by_route.get(key)
    if plan is None:
        plan = by_route[key] = compile_plan(function, path_params, scopes)
    return plan


async def _call(plan: Plan, kwargs: dict[str, Any], stack: AsyncExitStack) -> Any:
    if plan.kind == "async":
        return await plan.call(**kwargs)
    if plan.kind == "asyncgen":
        assert plan.manager is not None
        manager = plan.manager(**kwargs)
        value = await manager.__aenter__()
        stack.push_async_exit(_leaving(manager.__aexit__, plan.owner))
        return value
    if plan.kind == "gen":
        # A sync generator may block: enter and leave it on a worker thread, like a sync call.
        assert plan.manager is not None
        manager = plan.manager(**kwargs)
        value = await run_in_threadpool(manager.__enter__)
        stack.push_async_exit(_leaving(partial(run_in_threadpool, manager.__exit__), plan.owner))
        return value
    return await run_in_threadpool(plan.call, **kwargs)


def _leaving(exit: Callable[..., Awaitable[bool | None]], owner: str) -> Callable[..., Any]:
    """A generator dependency's exit, refusing to let it swallow the exception it was given.

    Code after `yield` that catches the handler's exception and doesn't re-raise it would leave
    the request without a response, and the error unseen; it is a bug in the dependency, so it
    is raised as one, naming it.
    """

    async def leave(
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        suppressed = await exit(exc_type, exc, traceback)
        if suppressed and exc is not None:
            raise RuntimeError(
                f"Dependency {owner} caught {type(exc).__name__}({exc}) after its yield and did "
                "not raise it again, so the request would have no response; re-raise the "
                "exception after cleanup (`except ...: rollback(); raise`)"
            ) from exc
        return False

    return leave
