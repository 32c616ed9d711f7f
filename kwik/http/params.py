"""Parameter markers: where a handler parameter comes from, and the constraints it must meet.

`Path`, `Query`, `Header`, `Cookie`, `Body`, `Form` and `File` are FastAPI's names with FastAPI's
meaning. They subclass Pydantic's `FieldInfo`, so the constraints they carry (`ge=1`,
`max_length=50`, `pattern=...`) are enforced by Pydantic exactly as in a model field:

    async def search(
        q: Annotated[str, Query(min_length=2, description="Words to look for")],
        page: Annotated[int, Query(ge=1)] = 1,
        user_agent: Annotated[str | None, Header()] = None,
    ) -> Results: ...

`Depends` marks a dependency: `session: Annotated[AsyncSession, Depends(get_session)]` or
`session: AsyncSession = Depends(get_session)`.

A dependency that reads the request itself (`request.query_params`, say) tells OpenAPI what it
reads with a `param_specs` attribute, as one that authenticates declares a `security_spec`:

    search.param_specs = [param_spec("q", str, Query(description="Words to look for"))]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Literal, TypedDict

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from typing_extensions import Unpack

from kwik.exceptions import ImproperlyConfigured
from kwik.http.specs import ParamSpec, SecuritySpec
from kwik.suggestions import did_you_mean

__all__ = [
    "Body",
    "Cookie",
    "Depends",
    "File",
    "Form",
    "Header",
    "Param",
    "ParamOptions",
    "Path",
    "Query",
    "Security",
    "SecurityScopes",
    "Source",
    "merge_scopes",
    "param_spec",
    "params_of",
    "security_of",
]

Source = Literal["path", "query", "header", "cookie", "body", "form"]
_DECLARABLE = ("path", "query", "header", "cookie")


class ParamOptions(TypedDict, total=False):
    """The keyword options every marker takes (Pydantic's `Field` names and meanings)."""

    default_factory: Callable[[], Any]
    alias: str
    title: str
    description: str
    gt: float
    ge: float
    lt: float
    le: float
    multiple_of: float
    min_length: int
    max_length: int
    pattern: str
    strict: bool
    max_digits: int
    decimal_places: int
    examples: list[Any]
    deprecated: bool | str
    include_in_schema: bool
    json_schema_extra: dict[str, Any]


_OPTIONS = ParamOptions.__optional_keys__
# What FastAPI or Pydantic 1 called options that Pydantic 2 names otherwise.
_RENAMED = {
    "regex": "pattern",
    "lte": "le",
    "gte": "ge",
    "min_items": "min_length",
    "max_items": "max_length",
    "example": "examples",
}


def _unknown_option(marker: str, option: str) -> str:
    """Why `marker(option=...)` is refused: an option Pydantic wouldn't enforce would leave the
    parameter unchecked without a word, so it fails where it is written instead."""
    if option == "embed":
        return (
            f"{marker}(embed=...) is not supported: kwik validates the whole body as the "
            "parameter's type. To read {'item': {...}}, take a model with an `item` field"
        )
    if option in _RENAMED:
        return f"{marker}({option}=...) is not an option; use {_RENAMED[option]}= instead"
    return (
        f"{marker}({option}=...) is not an option; a marker takes "
        f"{', '.join(sorted(_OPTIONS))}.{did_you_mean(option, _OPTIONS)}"
    )


class Param(FieldInfo):
    """What every marker shares: a default, an alias (the name on the wire), constraints and
    documentation. Use one of the subclasses.

    `default=...` (or no default) makes the parameter required; a default given as the
    parameter's own default value (`page: Annotated[int, Query(ge=1)] = 1`) works the same.
    `include_in_schema=False` leaves the parameter out of the OpenAPI document.
    """

    source: ClassVar[Source]

    def __init__(self, default: Any = PydanticUndefined, **options: Unpack[ParamOptions]) -> None:
        unknown = options.keys() - _OPTIONS
        if unknown:
            raise ImproperlyConfigured(_unknown_option(type(self).__name__, min(unknown)))
        given: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
        alias = given.pop("alias", None)
        self.include_in_schema: bool = given.pop("include_in_schema", True)
        if default is not PydanticUndefined and default is not Ellipsis:
            given["default"] = default
        # Kept apart from the alias: kwik validates by parameter name and reads the wire name
        # itself, so one plan may take `id` from the path and `id` from a header.
        self.field_options = given
        if alias is None:
            super().__init__(**given)
        else:
            super().__init__(alias=alias, **given)

    def wire_name(self, name: str) -> str:
        """The name this parameter has in the request: its alias, else the parameter's name."""
        return self.alias or name


class Path(Param):
    """A path parameter, `{item_id:int}`: named like the parameter, converted by the path."""

    source = "path"


class Query(Param):
    """A query-string parameter. `list[str]` reads every `?tag=a&tag=b`; a Pydantic model
    annotated `Query()` groups several parameters (each field is one)."""

    source = "query"


class Header(Param):
    """A request header. `user_agent` reads `User-Agent`: underscores become hyphens (unless
    `convert_underscores=False`), and the name is matched case-insensitively."""

    source = "header"

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        convert_underscores: bool = True,
        **options: Unpack[ParamOptions],
    ) -> None:
        super().__init__(default, **options)
        self.convert_underscores = convert_underscores

    def wire_name(self, name: str) -> str:
        if self.alias:
            return self.alias.lower()
        return (name.replace("_", "-") if self.convert_underscores else name).lower()


class Cookie(Param):
    """A cookie, by name."""

    source = "cookie"


class Body(Param):
    """The JSON request body, for a type other than a Pydantic model (which is the body without
    a marker), or to add constraints: `ids: Annotated[list[int], Body(max_length=100)]`."""

    source = "body"


class Form(Param):
    """A field of an `application/x-www-form-urlencoded` or `multipart/form-data` body. A
    Pydantic model annotated `Form()` groups several fields."""

    source = "form"


class File(Form):
    """An uploaded file of a `multipart/form-data` body: annotate it `UploadFile` (or `bytes`
    for its content, or `list[UploadFile]` for several under one name)."""


class Depends:
    """Mark a parameter as the result of calling `dependency` for the request.

    The dependency may itself take the request, path, query, header and cookie parameters, and
    other dependencies. A generator dependency's code after `yield` runs after the handler,
    before the response is sent, and sees the handler's exception if it raised. Within one
    request a dependency runs once and its result is shared, unless `use_cache=False`.
    """

    __slots__ = ("dependency", "use_cache")

    def __init__(
        self, dependency: Callable[..., Any] | None = None, *, use_cache: bool = True
    ) -> None:
        self.dependency = dependency
        self.use_cache = use_cache

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__qualname__", repr(self.dependency))
        return f"Depends({name})"

    @property
    def scopes(self) -> tuple[str, ...]:
        return ()


class Security(Depends):
    """A dependency that is also a security requirement, with the scopes this use needs.

    The dependency declares its scheme with a `security_spec` attribute (a `SecuritySpec`);
    `Security(current_user, scopes=["orders:write"])` lists it, with those scopes, in the
    route's `RouteSpec.security`. A plain `Depends` on such a dependency lists it without scopes.
    """

    __slots__ = ("_scopes",)

    def __init__(
        self,
        dependency: Callable[..., Any] | None = None,
        *,
        scopes: Sequence[str] = (),
        use_cache: bool = True,
    ) -> None:
        super().__init__(dependency, use_cache=use_cache)
        self._scopes = tuple(scopes)

    @property
    def scopes(self) -> tuple[str, ...]:
        return self._scopes


class SecurityScopes:
    """The scopes a security dependency must check where it runs: a parameter annotated
    `SecurityScopes` receives them (FastAPI's meaning).

    They are the scopes of every `Security(..., scopes=[...])` on the way from the route down
    to the dependency, its own included, outer ones first, each once. The route's plan works
    them out when it is compiled, so a request only reads them. A dependency used on one route
    with different scopes runs once per set of scopes, so each use is checked.

    Example:
        async def api_key(request: Request, required: SecurityScopes) -> Key:
            key = await authenticate(request)
            if missing := set(required.scopes) - key.scopes:
                raise HTTPError(403, f"Missing scopes: {', '.join(sorted(missing))}")
            return key

        @router.get("/orders")
        async def orders(key: Annotated[Key, Security(api_key, scopes=["orders:read"])]): ...
    """

    __slots__ = ("scope_str", "scopes")

    def __init__(self, scopes: Sequence[str] | None = None) -> None:
        self.scopes: list[str] = list(scopes or ())
        self.scope_str = " ".join(self.scopes)  # space-separated, as OAuth 2 writes them

    def __repr__(self) -> str:
        return f"SecurityScopes({self.scopes!r})"


def merge_scopes(outer: Sequence[str], inner: Sequence[str]) -> tuple[str, ...]:
    """`outer`, then the scopes of `inner` not in it: the scopes below a `Security` marker."""
    if not inner:
        return tuple(outer)
    return tuple(dict.fromkeys((*outer, *inner)))


def security_of(depends: Depends, scopes: Sequence[str] | None = None) -> SecuritySpec | None:
    """The security requirement a dependency declares, with the scopes it requires there:
    `scopes` (all those on the way to it, `Plan.scopes`), or else those `depends` asks for."""
    declared = getattr(depends.dependency, "security_spec", None)
    if not isinstance(declared, SecuritySpec):
        return None
    required = depends.scopes if scopes is None else tuple(scopes)
    if not required:
        return declared
    return replace(
        declared,
        scopes=required,
        alternatives=tuple(replace(each, scopes=required) for each in declared.alternatives),
    )


def param_spec(name: str, annotation: Any, marker: Param | None = None) -> ParamSpec:
    """The ParamSpec of a parameter a dependency reads itself, for its `param_specs`.

    `marker` says where it comes from and what OpenAPI says about it, as on a handler
    parameter: its default, constraints, description, examples, deprecation (a `Query()` when
    not given). The dependency still reads and checks the value itself; this only describes it.

    Example:
        param_spec("limit", int, Query(20, ge=1, le=100, description="Rows per page"))
    """
    marker = Query() if marker is None else marker
    if marker.source not in _DECLARABLE:
        raise ImproperlyConfigured(
            f"param_spec({name!r}): a {type(marker).__name__}() is part of the body, which a "
            f"dependency can't declare; use {', '.join(m.title() for m in _DECLARABLE)}"
        )
    return ParamSpec(
        name, marker.source, marker.wire_name(name), annotation, marker, marker.is_required()
    )


def params_of(function: Callable[..., Any], owner: str) -> tuple[ParamSpec, ...]:
    """The parameters a handler or dependency declares reading itself (its `param_specs`);
    ImproperlyConfigured, naming `owner`, when that isn't a sequence of path, query, header
    and cookie ParamSpecs, so a mistake fails when the route is declared."""
    declared = getattr(function, "param_specs", None)
    if declared is None:
        return ()
    if isinstance(declared, str | bytes) or not isinstance(declared, Sequence):
        raise ImproperlyConfigured(
            f"{owner}.param_specs must be a list of ParamSpec, not {type(declared).__name__}: "
            "build each with kwik.http.params.param_spec(name, type, Query(...))"
        )
    for spec in declared:
        if not isinstance(spec, ParamSpec):
            raise ImproperlyConfigured(
                f"{owner}.param_specs holds {spec!r}, which is not a ParamSpec: build each "
                "with kwik.http.params.param_spec(name, type, Query(...))"
            )
        if spec.source not in _DECLARABLE:
            raise ImproperlyConfigured(
                f"{owner}.param_specs: {spec.alias!r} comes from {spec.source!r}; a declared "
                f"parameter comes from one of {', '.join(_DECLARABLE)}"
            )
    return tuple(declared)
