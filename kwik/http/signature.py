"""Where each parameter of a handler or dependency comes from, read from its signature once.

The rules, in order: a `Depends` marker makes a dependency; `Request`/`WebSocket` is the
connection; `Response` is the response kwik injects, `BackgroundTasks` the tasks run after it
is sent, `SecurityScopes` the scopes required where the dependency runs; a `Path`/`Query`/
`Header`/`Cookie`/`Body`/`Form`/`File` marker says its source; otherwise a name in the path is a
path parameter, an `UploadFile` is a form's file, a Pydantic model (or other structured type) is
the JSON body, and anything else is a query parameter.
"""

from __future__ import annotations

import inspect
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from starlette import convertors, datastructures
from starlette.background import BackgroundTasks
from starlette.requests import HTTPConnection
from starlette.responses import Response

from kwik.exceptions import ImproperlyConfigured
from kwik.http.annotations import (
    is_body_type,
    is_many,
    mentions_upload,
    model_of,
    split_annotated,
    strip_optional,
)
from kwik.http.converters import SlugConvertor
from kwik.http.inputs import BodyInput, GroupMember, InputField
from kwik.http.params import Depends, File, Header, Param, Security, SecurityScopes
from kwik.http.uploads import UploadFile

__all__ = ["CONVERTED_TO", "PathParams", "Signature", "describe", "read_signature"]

PathParams = Mapping[str, convertors.Convertor[Any]]

CONVERTED_TO: dict[type[convertors.Convertor[Any]], type] = {
    convertors.StringConvertor: str,
    convertors.PathConvertor: str,
    SlugConvertor: str,
    convertors.IntegerConvertor: int,
    convertors.FloatConvertor: float,
    convertors.UUIDConvertor: uuid.UUID,
}
_CONVERTER_FOR = {int: "int", float: "float", uuid.UUID: "uuid"}


def describe(function: Callable[..., Any]) -> str:
    """`shop.routes.create`: how messages name a handler or dependency."""
    module = getattr(function, "__module__", "?")
    name = getattr(function, "__qualname__", type(function).__qualname__)
    return f"{module}.{name}"


@dataclass(slots=True)
class Signature:
    """A signature sorted by source."""

    connection: list[str] = field(default_factory=list)
    response: list[str] = field(default_factory=list)
    background: list[str] = field(default_factory=list)
    security_scopes: list[str] = field(default_factory=list)
    trusted_path: list[str] = field(default_factory=list)  # converted by the path already
    dependencies: list[tuple[str, Depends]] = field(default_factory=list)
    fields: list[InputField] = field(default_factory=list)
    body: BodyInput | None = None


def _parameters(function: Callable[..., Any]) -> list[inspect.Parameter]:
    try:
        signature = inspect.signature(function, eval_str=True)
    except NameError as exc:
        raise ImproperlyConfigured(
            f"Handler {describe(function)}: an annotation can't be resolved ({exc}); "
            "import the type at module level"
        ) from exc
    return list(signature.parameters.values())


def read_signature(function: Callable[..., Any], path_params: PathParams) -> Signature:
    """Sort `function`'s parameters by where their values come from; refuse what can't be."""
    owner = describe(function)
    found = Signature()
    for parameter in _parameters(function):
        _place(owner, parameter, path_params, found)
    if found.body is not None and any(f.source == "form" for f in found.fields):
        raise ImproperlyConfigured(
            f"Handler {owner}: parameter {found.body.name!r} is a JSON body and others are form "
            "fields; a request has one body, so read either JSON or a form"
        )
    return found


def _place(
    owner: str, parameter: inspect.Parameter, path_params: PathParams, found: Signature
) -> None:
    name = parameter.name
    annotation, metadata = split_annotated(parameter.annotation)
    default = parameter.default
    depends = next((m for m in metadata if isinstance(m, Depends)), None)
    marker = next((m for m in metadata if isinstance(m, Param)), None)
    if isinstance(default, Depends):
        depends, default = depends or default, inspect.Parameter.empty
    if isinstance(default, Param):
        marker, default = marker or default, inspect.Parameter.empty
    other = tuple(m for m in metadata if not isinstance(m, Depends | Param))
    if depends is not None:
        if depends.dependency is None:  # `x: Service = Depends()`: the annotated class
            depends = _with_dependency(depends, annotation)
        found.dependencies.append((name, depends))
        return
    if _is_class(annotation, HTTPConnection) or (
        name == "request" and annotation is inspect.Parameter.empty
    ):
        found.connection.append(name)
        return
    if _is_class(annotation, Response):
        found.response.append(name)
        return
    if _is_class(annotation, BackgroundTasks):
        found.background.append(name)
        return
    if _is_class(annotation, SecurityScopes):
        found.security_scopes.append(name)
        return
    if annotation is inspect.Parameter.empty:
        if marker is None and name in path_params:
            found.trusted_path.append(name)
            return
        raise ImproperlyConfigured(
            f"Handler {owner}: cannot tell where parameter {name!r} comes from; annotate it: "
            "a type (a query parameter, or a path parameter when the path names it), Request, "
            "a Pydantic model (the JSON body), or Depends(...)"
        )
    source = _source(annotation, marker, name, path_params)
    options = dict(marker.field_options) if marker is not None else {}
    if default is not inspect.Parameter.empty:
        options["default"] = default
    info = FieldInfo(**options)
    typed = _uploads_typed(Annotated[(annotation, *other)] if other else annotation)
    documented = marker.include_in_schema if marker is not None else True
    if source == "body":
        if found.body is not None:
            raise ImproperlyConfigured(
                f"Handler {owner}: parameters {found.body.name!r} and {name!r} both read the JSON "
                "body; kwik validates the body as one type, so make one model holding both"
            )
        found.body = BodyInput(name, typed, info, info.is_required())
        return
    if source == "path":
        wire = marker.wire_name(name) if marker is not None else name
        if wire not in path_params:
            raise ImproperlyConfigured(
                f"Handler {owner}: parameter {name!r} is declared Path() but the path has no "
                f"{{{wire}}} (it has {sorted(path_params) or 'no parameters'})"
            )
        convertor = path_params[wire]
        if marker is None and not other and _converted_exactly(annotation, convertor):
            found.trusted_path.append(name)
            return
        _check_path_type(owner, name, annotation, convertor)
    group = model_of(annotation) if marker is not None and source != "path" else None
    if group is not None:
        found.fields.append(
            _group_field(owner, name, source, typed, info, group, marker, documented)
        )
        return
    if source == "cookie" and is_many(annotation):
        raise ImproperlyConfigured(_one_cookie(owner, f"parameter {name!r}"))
    wire = marker.wire_name(name) if marker is not None else name
    reads_content = isinstance(marker, File) and _is_bytes(annotation)
    found.fields.append(
        InputField(
            name,
            source,
            wire,
            typed,
            info,
            many=source != "path" and is_many(annotation),
            reads_content=reads_content,
            documented=documented,
        )
    )


def _source(annotation: Any, marker: Param | None, name: str, path_params: PathParams) -> Any:
    if marker is not None:
        return marker.source
    if name in path_params:
        return "path"
    if mentions_upload(annotation):  # a file comes only in a form
        return "form"
    if is_body_type(annotation):
        return "body"
    return "query"


def _one_cookie(owner: str, what: str) -> str:
    return (
        f"Handler {owner}: {what} is a list, but a request sends one value per cookie name; "
        "read a str (and split it, if it holds several values) or take the list from the "
        "query or a header"
    )


def _group_field(
    owner: str,
    name: str,
    source: Any,
    typed: Any,
    info: FieldInfo,
    group: Any,
    marker: Param | None,
    documented: bool,
) -> InputField:
    """A Pydantic model annotated Query()/Header()/Cookie()/Form(): each field is a parameter."""
    members = []
    for field_name, field_info in group.model_fields.items():
        what = f"field {field_name!r} of {group.__name__} (parameter {name!r})"
        names = _member_names(owner, what, source, field_name, field_info)
        if isinstance(marker, Header):
            converts = marker.convert_underscores and not field_info.alias
            names = tuple((n.replace("_", "-") if converts else n).lower() for n in names)
        many = is_many(field_info.annotation)
        if many and source == "cookie":
            raise ImproperlyConfigured(_one_cookie(owner, what))
        key = _member_key(field_name, field_info)
        members.append(GroupMember(key, names[0], many, names[1:]))
    return InputField(
        name,
        source,
        name,
        typed,
        info,
        group=tuple(members),
        forbid_extra=group.model_config.get("extra") == "forbid" and source != "header",
        documented=documented,
    )


def _member_key(field_name: str, field_info: FieldInfo) -> str:
    """The key the group model validates the field under: its first name."""
    alias = field_info.validation_alias
    if isinstance(alias, AliasChoices):
        first = alias.choices[0]
        assert isinstance(first, str)  # _member_names refused the rest
        return first
    if isinstance(alias, str):
        return alias
    return field_info.alias or field_name


def _member_names(
    owner: str, what: str, source: str, field_name: str, field_info: FieldInfo
) -> tuple[str, ...]:
    """The names a grouped field is read under, first the one documented: its validation alias,
    alias or name, or each name of an `AliasChoices` in order (the first present wins)."""
    alias = field_info.validation_alias
    if alias is None or isinstance(alias, str):
        return (_member_key(field_name, field_info),)
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
    if not all(isinstance(choice, str) for choice in choices):
        raise ImproperlyConfigured(
            f"Handler {owner}: {what} has an AliasPath validation alias, which points into "
            f"nested data, but a {source} value is flat text; name it with alias='...' or "
            "validation_alias=AliasChoices('name', 'other_name')"
        )
    return tuple(str(choice) for choice in choices)


def _with_dependency(depends: Depends, dependency: Any) -> Depends:
    if isinstance(depends, Security):
        return Security(dependency, scopes=depends.scopes, use_cache=depends.use_cache)
    return Depends(dependency, use_cache=depends.use_cache)


def _is_class(annotation: Any, base: type) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, base)


def _is_bytes(annotation: Any) -> bool:
    inner = strip_optional(annotation)
    if is_many(inner):
        items = [arg for arg in typing.get_args(inner) if arg is not Ellipsis]
        return bool(items) and all(_is_bytes(arg) for arg in items)
    return inner is bytes


def _uploads_typed(annotation: Any) -> Any:
    """Starlette's UploadFile as kwik's, which Pydantic knows how to check and document."""
    if annotation is datastructures.UploadFile:
        return UploadFile
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is None or not args or not any(_mentions(arg) for arg in args):
        return annotation
    if origin is Annotated:
        return Annotated[(_uploads_typed(args[0]), *annotation.__metadata__)]
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_uploads_typed(arg) for arg in args)]  # noqa: UP007
    return origin[tuple(_uploads_typed(arg) for arg in args)]


def _mentions(annotation: Any) -> bool:
    return annotation is datastructures.UploadFile or any(
        _mentions(arg) for arg in typing.get_args(annotation)
    )


def _converted_exactly(annotation: Any, convertor: convertors.Convertor[Any]) -> bool:
    produced = CONVERTED_TO.get(type(convertor))
    return produced is not None and annotation in (produced, Any, object)


def _check_path_type(
    owner: str, name: str, annotation: Any, convertor: convertors.Convertor[Any]
) -> None:
    """Refuse `{n}` with `n: int`: the converter gives routing its meaning (`/items/abc` is not
    found, `/items/new` may be another route), so the path must say what the handler wants."""
    produced = CONVERTED_TO.get(type(convertor))
    wanted = strip_optional(annotation)
    hint = _CONVERTER_FOR.get(wanted)
    if produced is None or hint is None or produced is wanted:
        return
    raise ImproperlyConfigured(
        f"Handler {owner}: path parameter {name!r} is annotated "
        f"{wanted.__name__} but the path gives {produced.__name__}; "
        f"declare it as {{{name}:{hint}}} in the path"
    )
