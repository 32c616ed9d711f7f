"""Raw setting values and where each came from: the settings module and the environment.

Values are only collected here; `kwik.conf.validation` turns them into typed settings. Keeping the
source of every value lets an error say "from environment variable KWIK_DEBUG" instead of leaving
the user to guess which of three places is wrong.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from kwik.conf.models import type_name
from kwik.exceptions import ImproperlyConfigured
from kwik.imports import import_optional

__all__ = ["ENV_PREFIX", "RawSettings", "env_overrides", "read_module"]

ENV_PREFIX = "KWIK_"


@dataclass
class RawSettings:
    """Unvalidated values by setting name, with a human description of each value's source."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, value: Any, source: str) -> None:
        self.values[name] = value
        self.sources[name] = source


def read_module(module_name: str, *, found_through: str) -> RawSettings:
    """Import the settings module and collect its UPPER_CASE names (others are private helpers)."""
    module = import_optional(module_name, what=f"Settings module {module_name!r}")
    if module is None:
        raise ImproperlyConfigured(
            f"Settings module {module_name!r} (from {found_through}) cannot be found. "
            "Check the name, and run kwik from the project folder."
        )
    raw = RawSettings()
    for name, value in vars(module).items():
        if name.isupper() and not name.startswith("_"):
            raw.set(name, value, module_name)
    return raw


def _wants_json(annotation: Any) -> bool:
    """Lists, dicts and models come from the environment as JSON; scalars as plain text."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_wants_json(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    if origin in (list, dict, tuple, set, frozenset):
        return True
    return isinstance(annotation, type) and issubclass(annotation, BaseModel | list | dict)


def _json_example(annotation: Any) -> str:
    """A JSON value of the shape `annotation` wants, for error messages."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        wanted = [arg for arg in typing.get_args(annotation) if _wants_json(arg)]
        return _json_example(wanted[0]) if wanted else '["a", "b"]'
    if origin is dict or (
        isinstance(annotation, type) and issubclass(annotation, BaseModel | dict)
    ):
        return '{"key": "value"}'
    return '["a", "b"]'


def env_overrides(
    models: Iterable[type[BaseModel]], environ: Mapping[str, str], raw: RawSettings
) -> None:
    """Apply `KWIK_<NAME>` variables for every field of `models` onto `raw`."""
    for model in models:
        for name, info in model.model_fields.items():
            variable = ENV_PREFIX + name
            if variable not in environ:
                continue
            text = environ[variable]
            source = f"environment variable {variable}"
            if not _wants_json(info.annotation):
                raw.set(name, text, source)
                continue
            try:
                raw.set(name, json.loads(text), source)
            except json.JSONDecodeError as exc:
                example = _json_example(info.annotation)
                raise ImproperlyConfigured(
                    f"Setting {name} from {source} must be JSON for a "
                    f"{type_name(info.annotation)}, e.g. {variable}='{example}' ({exc})"
                ) from exc
