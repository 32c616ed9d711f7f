"""Reading type annotations once, at declaration: what a parameter's type says about where its
value comes from (`list[str]` reads every value, a Pydantic model is a body or a group)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections import abc
from typing import Annotated, Any, Union

from pydantic import BaseModel
from starlette import datastructures

__all__ = [
    "is_body_type",
    "is_many",
    "mentions_upload",
    "model_of",
    "split_annotated",
    "strip_optional",
]

_MANY = {list, set, frozenset, tuple, abc.Sequence, abc.Set, abc.MutableSequence, abc.MutableSet}
_MAPPINGS = {dict, abc.Mapping, abc.MutableMapping}


def split_annotated(annotation: Any) -> tuple[Any, tuple[Any, ...]]:
    """`Annotated[int, Query(ge=1)]` -> (int, (Query(ge=1),)); anything else -> (it, ())."""
    if typing.get_origin(annotation) is Annotated:
        base, *metadata = typing.get_args(annotation)
        return base, tuple(metadata)
    return annotation, ()


def strip_optional(annotation: Any) -> Any:
    """`X | None` -> X (and Annotated metadata dropped); other types unchanged."""
    annotation, _ = split_annotated(annotation)
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return strip_optional(members[0])
    return annotation


def is_many(annotation: Any) -> bool:
    """A list, set or tuple: a query, header or form parameter that takes every value."""
    return typing.get_origin(strip_optional(annotation)) in _MANY


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The Pydantic model `annotation` is (optional allowed), or None."""
    inner = strip_optional(annotation)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return inner
    return None


def is_body_type(annotation: Any) -> bool:
    """Only a JSON body can carry it: a model, a dataclass, a mapping, or a list of those."""
    inner = strip_optional(annotation)
    origin = typing.get_origin(inner)
    if origin in _MAPPINGS or inner in _MAPPINGS:
        return True
    if origin in _MANY:
        return any(is_body_type(arg) for arg in typing.get_args(inner) if arg is not Ellipsis)
    if not isinstance(inner, type):
        return False
    return (
        issubclass(inner, BaseModel)
        or dataclasses.is_dataclass(inner)
        or typing.is_typeddict(inner)
    )


def mentions_upload(annotation: Any) -> bool:
    """`UploadFile`, `UploadFile | None` or `list[UploadFile]`: a file field."""
    inner = strip_optional(annotation)
    if typing.get_origin(inner) in _MANY:
        return any(mentions_upload(arg) for arg in typing.get_args(inner))
    return isinstance(inner, type) and issubclass(inner, datastructures.UploadFile)
