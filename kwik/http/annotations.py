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

_MAPPINGS = {dict, abc.Mapping, abc.MutableMapping}
_TEXT = (str, bytes, bytearray)  # sequences, but one value each


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


def _is_collection(annotation: Any) -> bool:
    """A sequence or set type other than text: `list[int]`, `tuple[str, ...]`, `deque[str]`,
    `Sequence[int]`, a bare `list`."""
    origin = typing.get_origin(annotation) or annotation
    return (
        isinstance(origin, type)
        and issubclass(origin, (abc.Sequence, abc.Set))
        and not issubclass(origin, _TEXT)
    )


def is_many(annotation: Any) -> bool:
    """A list, set, tuple or other collection: a query, header or form parameter that takes
    every value. OpenAPI asks the same function, so what is documented as an array is what the
    request path reads as one."""
    return _is_collection(strip_optional(annotation))


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
    if _is_collection(inner):
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
    if _is_collection(inner):
        return any(mentions_upload(arg) for arg in typing.get_args(inner))
    return isinstance(inner, type) and issubclass(inner, datastructures.UploadFile)
