"""Call plans: a handler's or dependency's signature compiled once into how to call it.

A plan lists, for each parameter, either an extractor (a plain function of the request: the
request itself, a path parameter) or a dependency to resolve first. Compiling happens when a
route is declared, so mistakes surface at import and the request path does no inspection.
"""

from __future__ import annotations

import inspect
import typing
import uuid
import weakref
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from starlette import convertors
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from kwik.exceptions import ImproperlyConfigured
from kwik.http.params import Depends

__all__ = ["Extractor", "PathParams", "Plan", "compile_plan", "describe", "solve"]

Extractor = Callable[[HTTPConnection], Any]
PathParams = Mapping[str, convertors.Convertor[Any]]

_CONVERTED_TO: dict[type[convertors.Convertor[Any]], type] = {
    convertors.StringConvertor: str,
    convertors.PathConvertor: str,
    convertors.IntegerConvertor: int,
    convertors.FloatConvertor: float,
    convertors.UUIDConvertor: uuid.UUID,
}
_CONVERTER_FOR = {int: "int", float: "float", uuid.UUID: "uuid"}


def describe(function: Callable[..., Any]) -> str:
    """`Handler shop.routes.create`: how messages name a handler or dependency."""
    module = getattr(function, "__module__", "?")
    name = getattr(function, "__qualname__", type(function).__qualname__)
    return f"{module}.{name}"


@dataclass(frozen=True, slots=True)
class Plan:
    """How to call `call` for one request."""

    call: Callable[..., Any]
    kind: str  # "async", "sync", "asyncgen" or "gen"
    extractors: tuple[tuple[str, Extractor], ...]
    dependencies: tuple[tuple[str, Depends, Plan], ...]
    path_params: PathParams


def _the_connection(connection: HTTPConnection) -> HTTPConnection:
    return connection


def _path_parameter(name: str) -> Extractor:
    def extract(connection: HTTPConnection) -> Any:
        return connection.path_params[name]

    return extract


def _check_path_type(
    owner: Callable[..., Any], name: str, annotation: Any, convertor: convertors.Convertor[Any]
) -> None:
    """Refuse `{n}` with `n: int`: the path gives a str, and the handler would get one."""
    produced = _CONVERTED_TO.get(type(convertor))
    if produced is None or not isinstance(annotation, type) or issubclass(produced, annotation):
        return
    hint = _CONVERTER_FOR.get(annotation)
    fix = f"declare it as {{{name}:{hint}}} in the path" if hint else "annotate it str"
    raise ImproperlyConfigured(
        f"Handler {describe(owner)}: path parameter {name!r} is annotated "
        f"{annotation.__name__} but the path gives {produced.__name__}; {fix}"
    )


def _marker(parameter: inspect.Parameter) -> tuple[Any, Depends | None]:
    """The parameter's type, and its Depends marker if it has one."""
    annotation = parameter.annotation
    found = parameter.default if isinstance(parameter.default, Depends) else None
    if typing.get_origin(annotation) is Annotated:
        annotation, *metadata = typing.get_args(annotation)
        found = next((m for m in metadata if isinstance(m, Depends)), found)
    if found is not None and found.dependency is None:
        found = Depends(annotation, use_cache=found.use_cache)  # `x: Service = Depends()`
    return annotation, found


def _wants_connection(name: str, annotation: Any) -> bool:
    """Annotated Request/WebSocket (or any HTTPConnection), or named `request` unannotated."""
    if isinstance(annotation, type) and issubclass(annotation, HTTPConnection):
        return True
    return name == "request" and annotation is inspect.Parameter.empty


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


def compile_plan(function: Callable[..., Any], path_params: PathParams) -> Plan:
    """The plan for calling `function` (a handler or a dependency) under a route."""
    try:
        signature = inspect.signature(function, eval_str=True)
    except NameError as exc:
        raise ImproperlyConfigured(
            f"Handler {describe(function)}: an annotation can't be resolved ({exc}); "
            "import the type at module level"
        ) from exc
    extractors: list[tuple[str, Extractor]] = []
    dependencies: list[tuple[str, Depends, Plan]] = []
    for parameter in signature.parameters.values():
        annotation, depends = _marker(parameter)
        if depends is not None:
            assert depends.dependency is not None
            sub_plan = compile_plan(depends.dependency, path_params)
            dependencies.append((parameter.name, depends, sub_plan))
        elif _wants_connection(parameter.name, annotation):
            extractors.append((parameter.name, _the_connection))
        elif parameter.name in path_params:
            _check_path_type(function, parameter.name, annotation, path_params[parameter.name])
            extractors.append((parameter.name, _path_parameter(parameter.name)))
        else:
            raise ImproperlyConfigured(
                f"Handler {describe(function)}: cannot tell where parameter {parameter.name!r} "
                f"comes from; it is not a path parameter ({sorted(path_params)}), not annotated "
                "as Request, and not a Depends(...)"
            )
    return Plan(function, _kind(function), tuple(extractors), tuple(dependencies), path_params)


async def solve(
    plan: Plan,
    connection: HTTPConnection,
    stack: AsyncExitStack,
    cache: dict[Callable[..., Any], Any],
) -> dict[str, Any]:
    """The keyword arguments for `plan.call`: extracted values and resolved dependencies."""
    kwargs = {name: extract(connection) for name, extract in plan.extractors}
    if not plan.dependencies:
        return kwargs
    overrides = getattr(connection.app, "dependency_overrides", None)
    for name, depends, sub_plan in plan.dependencies:
        if overrides:
            replacement = overrides.get(depends.dependency)
            if replacement is not None:
                sub_plan = _override_plan(replacement, plan.path_params)
        function = sub_plan.call
        if depends.use_cache and function in cache:
            kwargs[name] = cache[function]
            continue
        value = await _call(sub_plan, connection, stack, cache)
        if depends.use_cache:
            cache[function] = value
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


async def _call(
    plan: Plan,
    connection: HTTPConnection,
    stack: AsyncExitStack,
    cache: dict[Callable[..., Any], Any],
) -> Any:
    kwargs = await solve(plan, connection, stack, cache)
    if plan.kind == "async":
        return await plan.call(**kwargs)
    if plan.kind == "asyncgen":
        return await stack.enter_async_context(asynccontextmanager(plan.call)(**kwargs))
    if plan.kind == "gen":
        # A sync generator may block: enter and leave it on a worker thread, like a sync call.
        manager = contextmanager(plan.call)(**kwargs)
        value = await run_in_threadpool(manager.__enter__)
        stack.push_async_exit(partial(run_in_threadpool, manager.__exit__))
        return value
    return await run_in_threadpool(plan.call, **kwargs)
