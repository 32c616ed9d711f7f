"""A task's parameters as a Pydantic model, built once when the task is defined.

Enqueueing validates the arguments against it and stores their JSON form, so a wrong argument is
an error in the caller, at once, instead of a failed job later in a worker. The worker validates
the stored JSON back into the annotated types (a `datetime` parameter gets a datetime, a model
parameter its model), then calls the function by keyword.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model
from pydantic_core import to_jsonable_python

from kwik.contrib.tasks.errors import InvalidTaskArguments, TaskDefinitionError

__all__ = ["RESERVED_NAMES", "Arguments", "ResultCodec", "describe_errors"]

RESERVED_NAMES = frozenset({"run_at", "delay", "session", "connection"})
"""Keyword arguments `enqueue()` takes for itself, so no task parameter may have these names."""


def describe_errors(error: ValidationError) -> str:
    """`to: Field required; retries: Input should be a valid integer (got 'x')` on one line."""
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        got = "" if item["type"] == "missing" else f" (got {item['input']!r})"
        parts.append(f"{where}: {item['msg']}{got}")
    return "; ".join(parts)


class Arguments:
    """Binds, validates, dumps and loads the arguments of one task function."""

    def __init__(self, function: Callable[..., Any], task_name: str) -> None:
        self.task_name = task_name
        self.signature = inspect.signature(function)
        try:
            hints = typing.get_type_hints(function, include_extras=True)
        except Exception as exc:
            raise TaskDefinitionError(
                f"Task {task_name!r}: can't resolve its annotations ({type(exc).__name__}: "
                f"{exc}); import the types it uses at module level"
            ) from exc
        fields: dict[str, Any] = {}
        for name, parameter in self.signature.parameters.items():
            self._check_parameter(name, parameter)
            default = ... if parameter.default is inspect.Parameter.empty else parameter.default
            fields[name] = (hints.get(name, Any), default)
        self.names = tuple(fields)
        self.required = tuple(name for name, (_, default) in fields.items() if default is ...)
        config = ConfigDict(extra="forbid")
        try:
            self.model: type[BaseModel] = create_model(  # type: ignore[call-overload]
                f"{function.__name__}_arguments", __config__=config, **fields
            )
        except Exception as exc:
            raise TaskDefinitionError(
                f"Task {task_name!r}: its parameters can't be stored as JSON ({exc}); annotate "
                "them with JSON-friendly types: str, int, float, bool, datetime, UUID, lists, "
                "dicts or Pydantic models"
            ) from exc
        self._validate = self.model.__pydantic_validator__.validate_python
        self._validate_json = self.model.__pydantic_validator__.validate_json
        self._to_json = self.model.__pydantic_serializer__.to_json

    def _check_parameter(self, name: str, parameter: inspect.Parameter) -> None:
        kind = parameter.kind
        if kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise TaskDefinitionError(
                f"Task {self.task_name!r}: *{name} and **{name} parameters can't be validated "
                "or stored; name each parameter"
            )
        if kind is inspect.Parameter.POSITIONAL_ONLY:
            raise TaskDefinitionError(
                f"Task {self.task_name!r}: parameter {name!r} is positional-only; the worker "
                "calls tasks by keyword, so remove the '/'"
            )
        if name in RESERVED_NAMES:
            raise TaskDefinitionError(
                f"Task {self.task_name!r}: parameter {name!r} has the name of an enqueue() "
                f"option ({', '.join(sorted(RESERVED_NAMES))}); rename it"
            )

    def bind(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> BaseModel:
        """The arguments of one call, validated (InvalidTaskArguments when they don't fit)."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise InvalidTaskArguments(f"Task {self.task_name!r}: {exc}") from None
        return self.check(bound.arguments)

    def check(self, values: Mapping[str, Any]) -> BaseModel:
        """Arguments given by name (one item of `enqueue_many`), validated."""
        try:
            return self._validate(values)
        except ValidationError as exc:
            raise InvalidTaskArguments(
                f"Task {self.task_name!r} can't be enqueued with these arguments: "
                f"{describe_errors(exc)}"
            ) from None

    def encode(self, validated: BaseModel) -> str:
        """Validated arguments as the JSON text stored in the job."""
        return self._to_json(validated).decode()

    def plain(self, validated: BaseModel) -> dict[str, Any]:
        """Validated arguments as JSON-ready values (what a unique key is made from)."""
        return validated.model_dump(mode="json")

    def load_json(self, stored: str | bytes) -> dict[str, Any]:
        """Stored JSON text back as typed keyword arguments (ValidationError if they no longer
        fit, e.g. the signature changed while the job waited)."""
        if not self.names and stored in ("{}", b"{}"):
            return {}  # the no-argument task, on the worker's hot path
        validated = self._validate_json(stored)
        return {name: getattr(validated, name) for name in self.names}


class ResultCodec:
    """A task's return value to JSON and back, typed by its return annotation when it has one."""

    def __init__(self, function: Callable[..., Any]) -> None:
        try:
            annotation = typing.get_type_hints(function).get("return", Any)
        except Exception:
            annotation = Any
        self.annotation = annotation
        self._adapter: TypeAdapter[Any] | None = None
        if annotation not in (Any, None, type(None)):
            try:
                self._adapter = TypeAdapter(annotation)
            except Exception:
                self._adapter = None

    def dump(self, value: Any) -> Any:
        """The value as JSON-ready data (None stays None, so nothing is stored)."""
        if value is None:
            return None
        if self._adapter is not None:
            return self._adapter.dump_python(value, mode="json")
        return to_jsonable_python(value)

    def load(self, stored: Any) -> Any:
        if stored is None or self._adapter is None:
            return stored
        return self._adapter.validate_python(stored)
