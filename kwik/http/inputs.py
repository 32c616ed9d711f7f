"""A plan's inputs: every parameter read from the request, validated by Pydantic in one call.

At declaration the parameters of one handler or dependency (path, query, header, cookie and form
fields) become the fields of one generated model, and each gets a getter that reads its raw value
from the request. Per request: run the getters, validate the dict once, hand the values over. A
JSON body is validated straight from the bytes. Errors name where each bad value came from
(`["query", "page"]`, `["body", "price"]`), and all of them are reported together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError
from pydantic.fields import FieldInfo
from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection, Request

from kwik.exceptions import ImproperlyConfigured
from kwik.http.annotations import mentions_upload, model_of
from kwik.http.errors import (
    MalformedJSON,
    RequestValidationError,
    UnsupportedMediaType,
    error_entries,
)
from kwik.http.params import Source
from kwik.http.specs import BodySpec, ParamSpec

__all__ = [
    "FORM_MEDIA_TYPES",
    "JSON_MEDIA_TYPE",
    "BodyInput",
    "GroupMember",
    "InputField",
    "Inputs",
    "compile_inputs",
]

MISSING: Any = object()
JSON_MEDIA_TYPE = "application/json"
FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

Getter = Callable[[Any], Any]  # a connection (or a form) -> the raw value, or MISSING


@dataclass(frozen=True, slots=True)
class GroupMember:
    """One field of a Pydantic model that groups parameters: the key the model validates, and
    the name it has in the request (the one documented). `other_wires` are the further names of
    an `AliasChoices`, read in order when `wire` is absent."""

    key: str
    wire: str
    many: bool
    other_wires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InputField:
    """One parameter outside a JSON body, as compiled from the signature."""

    name: str
    source: Source
    wire: str
    annotation: Any
    info: FieldInfo  # default and constraints, without the alias (the getter reads the wire)
    many: bool = False
    group: tuple[GroupMember, ...] | None = None
    forbid_extra: bool = False  # a group model that refuses unknown names sees all of them
    reads_content: bool = False  # File() as bytes: the upload's content
    documented: bool = True


@dataclass(frozen=True, slots=True)
class BodyInput:
    """A JSON body: its type, validated from the bytes."""

    name: str
    annotation: Any
    info: FieldInfo
    required: bool


def _media_type(header: str | None) -> str | None:
    if header is None:
        return None
    return header.partition(";")[0].strip().lower()


def _is_json(media_type: str) -> bool:
    return media_type == JSON_MEDIA_TYPE or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _mapping_getter(attribute: str, wire: str, many: bool) -> Getter:
    """Read `wire` from `connection.<attribute>` (query_params, headers, cookies)."""
    if many:

        def get_all(connection: Any) -> Any:
            return getattr(connection, attribute).getlist(wire) or MISSING

        return get_all

    if attribute == "query_params":  # the common case, without getattr

        def get_query(connection: Any) -> Any:
            return connection.query_params.get(wire, MISSING)

        return get_query

    def get(connection: Any) -> Any:
        return getattr(connection, attribute).get(wire, MISSING)

    return get


def _form_getter(wire: str, many: bool) -> Getter:
    """Read `wire` from a form; an empty text field counts as absent, as browsers send one for
    every input left blank."""
    if many:

        def get_all(form: Any) -> Any:
            return [value for value in form.getlist(wire) if value != ""] or MISSING

        return get_all

    def get(form: Any) -> Any:
        value = form.get(wire, MISSING)
        return MISSING if value == "" else value

    return get


_SOURCE_ATTRIBUTE = {"query": "query_params", "header": "headers", "cookie": "cookies"}


def _value_getter(source: str, wire: str, many: bool) -> Getter:
    if source == "path":
        return lambda connection: connection.path_params.get(wire, MISSING)
    if source == "form":
        return _form_getter(wire, many)
    return _mapping_getter(_SOURCE_ATTRIBUTE[source], wire, many)


def _every_value(source: str, connection: Any) -> Any:
    """The whole mapping a source reads from: a form, the query parameters, the cookies."""
    return connection if source == "form" else getattr(connection, _SOURCE_ATTRIBUTE[source])


def _getter(field: InputField) -> Getter:
    source = field.source
    if field.group is None:
        return _value_getter(source, field.wire, field.many)
    members = tuple((member.key, _member_getter(source, member)) for member in field.group)
    known = {wire for member in field.group for wire in (member.wire, *member.other_wires)}
    forbid_extra = field.forbid_extra

    def get_group(connection: Any) -> Any:
        values = {}
        for key, get in members:
            value = get(connection)
            if value is not MISSING:
                values[key] = value
        if forbid_extra:
            mapping = _every_value(source, connection)
            for name in mapping:
                if name not in known:
                    values[name] = mapping[name]
        return values

    return get_group


def _member_getter(source: str, member: GroupMember) -> Getter:
    """The value of the first of the member's names the request has."""
    get = _value_getter(source, member.wire, member.many)
    if not member.other_wires:
        return get
    getters = (get, *(_value_getter(source, wire, member.many) for wire in member.other_wires))

    def get_first(connection: Any) -> Any:
        for get_one in getters:
            value = get_one(connection)
            if value is not MISSING:
                return value
        return MISSING

    return get_first


def _field_key(name: str) -> str:
    """The model field for parameter `name`: its name, unless Pydantic reserves it."""
    if name.startswith("_") or name.startswith("model_") or hasattr(BaseModel, name):
        return f"kwik_param_{name.lstrip('_')}"
    return name


class Inputs:
    """The compiled inputs of one handler or dependency; `read_now`/`read` per request."""

    def __init__(
        self, owner: str, fields: Sequence[InputField], body: BodyInput | None, model_name: str
    ) -> None:
        self.owner = owner
        self.fields = tuple(fields)
        self.body = body
        keys = {field.name: _field_key(field.name) for field in fields}
        self.model = _build_model(owner, model_name, fields, keys) if fields else None
        self._validate = self.model.__pydantic_validator__.validate_python if self.model else None
        self._renamed = tuple((key, name) for name, key in keys.items() if key != name)
        self._where = {keys[f.name]: f for f in fields}
        self._getters = tuple((keys[f.name], _getter(f)) for f in fields if f.source != "form")
        self._form_getters = tuple(
            (keys[f.name], _getter(f), f.reads_content) for f in fields if f.source == "form"
        )
        self.reads_form = bool(self._form_getters)
        self.reads_files = any(mentions_upload(f.annotation) or f.reads_content for f in fields)
        self.is_async = body is not None or self.reads_form
        self._body_validate = _body_validator(body) if body is not None else None
        self._body_spec: Any = MISSING

    # Per request --------------------------------------------------------------------------

    def read_now(self, connection: HTTPConnection) -> dict[str, Any]:
        """The validated values of a plan without body or form: one Pydantic call."""
        assert self._validate is not None
        raw = {}
        for key, get in self._getters:
            value = get(connection)
            if value is not MISSING:
                raw[key] = value
        try:
            values: dict[str, Any] = self._validate(raw).__dict__
        except ValidationError as exc:
            raise RequestValidationError(self._locate(exc)) from None
        return self._renamed_back(values) if self._renamed else values

    async def read(self, connection: HTTPConnection) -> dict[str, Any]:
        """The validated values, the body and form included."""
        assert isinstance(connection, Request)
        raw = {}
        for key, get in self._getters:
            value = get(connection)
            if value is not MISSING:
                raw[key] = value
        if self.reads_form:
            await self._read_form(connection, raw)
        errors: list[dict[str, Any]] = []
        body = self.body
        body_value = await self._read_body(connection, errors) if body is not None else MISSING
        values: dict[str, Any] = {}
        if self._validate is not None:
            try:
                values = self._renamed_back(self._validate(raw).__dict__)
            except ValidationError as exc:
                errors[:0] = self._locate(exc)  # the parameters' problems before the body's
        if errors:
            raise RequestValidationError(errors)
        if body is not None:
            values[body.name] = body_value
        return values

    def _renamed_back(self, values: dict[str, Any]) -> dict[str, Any]:
        for key, name in self._renamed:
            values[name] = values.pop(key)
        return values

    def _locate(self, exc: ValidationError) -> list[dict[str, Any]]:
        """Pydantic's locations (model field, ...) as the request's (source, wire name, ...)."""
        entries = []
        for entry in error_entries(exc):
            key, *rest = entry["loc"]
            field = self._where[key]
            source = "body" if field.source == "form" else field.source
            if field.group is None:
                loc = [source, field.wire, *rest]
            elif rest:
                wires = {member.key: member.wire for member in field.group}
                loc = [source, wires.get(rest[0], rest[0]), *rest[1:]]
            else:
                loc = [source]
            entries.append({**entry, "loc": loc})
        return entries

    async def _read_form(self, request: Request, raw: dict[str, Any]) -> None:
        media_type = _media_type(request.headers.get("content-type"))
        if media_type is not None and media_type not in FORM_MEDIA_TYPES:
            raise UnsupportedMediaType(FORM_MEDIA_TYPES, media_type)
        form = await request.form()
        for key, get, reads_content in self._form_getters:
            value = get(form)
            if value is MISSING:
                continue
            if reads_content:
                value = await _content(value)
            raw[key] = value

    async def _read_body(self, request: Request, errors: list[dict[str, Any]]) -> Any:
        body = self.body
        assert body is not None
        assert self._body_validate is not None
        media_type = _media_type(request.headers.get("content-type"))
        if media_type is not None and not _is_json(media_type):
            raise UnsupportedMediaType([JSON_MEDIA_TYPE], media_type)
        data = await request.body()
        if not data:
            if body.required:
                errors.append({"loc": ["body"], "msg": "Field required", "type": "missing"})
                return MISSING
            return body.info.get_default(call_default_factory=True)
        try:
            return self._body_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            if first["type"] == "json_invalid":
                raise MalformedJSON(first["ctx"]["error"]) from None
            errors.extend(error_entries(exc, ["body"]))
            return MISSING

    # Declared -----------------------------------------------------------------------------

    def param_specs(self) -> list[ParamSpec]:
        """The parameters outside the body, as OpenAPI describes them (groups as their fields)."""
        specs = []
        assert self.model is not None or not self.fields
        for field in self.fields:
            if field.source == "form" or not field.documented:
                continue
            source = field.source
            assert source != "body"
            if field.group is None:
                info = self.model.model_fields[_field_key(field.name)]  # type: ignore[union-attr]
                specs.append(
                    ParamSpec(
                        field.name, source, field.wire, info.annotation, info, info.is_required()
                    )
                )
                continue
            group_model = _model_of(field.annotation)
            for member, (name, info) in zip(
                field.group, group_model.model_fields.items(), strict=True
            ):
                specs.append(
                    ParamSpec(name, source, member.wire, info.annotation, info, info.is_required())
                )
        return specs

    def body_spec(self) -> BodySpec | None:
        """The JSON body, or the form as one generated model (made once)."""
        if self._body_spec is MISSING:
            self._body_spec = self._describe_body()
        return self._body_spec  # type: ignore[no-any-return]

    def _describe_body(self) -> BodySpec | None:
        if self.body is not None:
            return BodySpec(
                self.body.annotation, JSON_MEDIA_TYPE, self.body.required, self.body.info
            )
        form_fields = [field for field in self.fields if field.source == "form"]
        if not form_fields:
            return None
        model = _form_model(self.owner, form_fields)
        media_type = FORM_MEDIA_TYPES[0] if self.reads_files else FORM_MEDIA_TYPES[1]
        required = any(info.is_required() for info in model.model_fields.values())
        return BodySpec(model, media_type, required, FieldInfo.from_annotation(model))


async def _content(value: Any) -> Any:
    if isinstance(value, UploadFile):
        return await value.read()
    if isinstance(value, list):
        return [await _content(item) for item in value]
    return value


def _model_of(annotation: Any) -> type[BaseModel]:
    model = model_of(annotation)
    assert model is not None
    return model


_CONFIG = ConfigDict(protected_namespaces=())


def _build_model(
    owner: str, name: str, fields: Sequence[InputField], keys: Mapping[str, str]
) -> type[BaseModel]:
    definitions: dict[str, Any] = {
        keys[field.name]: (field.annotation, field.info) for field in fields
    }
    try:
        return create_model(name, __config__=_CONFIG, **definitions)
    except (PydanticSchemaGenerationError, PydanticUserError, TypeError):
        for field in fields:  # find the parameter at fault, to name it
            try:
                TypeAdapter(field.annotation)
            except (PydanticSchemaGenerationError, PydanticUserError, TypeError) as exc:
                raise ImproperlyConfigured(
                    f"Handler {owner}: parameter {field.name!r} is read from the "
                    f"{field.source}, but its type {_type_name(field.annotation)} can't be "
                    "validated from request text; use str, int, float, bool, a date, an enum, "
                    "a list of those, or make it a dependency with Depends(...)"
                ) from exc
        raise


def _absent_not_null(schema: dict[str, Any]) -> None:
    """The form model's JSON schema with each optional field as its type alone: a form field is
    sent or left out, never null, and `anyOf: [string, null]` with `default: null` makes Swagger
    UI send the text "null"."""
    from kwik.http.openapi.operations import without_null

    properties = schema.get("properties", {})
    for key, value in properties.items():
        value = without_null(value)
        if value.get("default", ...) is None:
            del value["default"]
        properties[key] = value


_FORM_CONFIG = ConfigDict(protected_namespaces=(), json_schema_extra=_absent_not_null)


def _form_model(owner: str, fields: Sequence[InputField]) -> type[BaseModel]:
    """The form as one model, for OpenAPI: each field named as on the wire."""
    definitions: dict[str, Any] = {}
    for field in fields:
        if field.group is None:
            definitions[_field_key(field.wire)] = (
                Annotated[field.annotation, field.info],
                Field(alias=field.wire),
            )
        else:
            group_model = _model_of(field.annotation)
            for member, (key, info) in zip(
                field.group, group_model.model_fields.items(), strict=True
            ):
                definitions[_field_key(key)] = (
                    Annotated[info.annotation, info],
                    Field(alias=member.wire),
                )
    name = "".join(part.capitalize() for part in owner.rsplit(".", 1)[-1].split("_")) + "Form"
    return create_model(name, __config__=_FORM_CONFIG, **definitions)


def _body_validator(body: BodyInput) -> Callable[[bytes], Any]:
    model = _model_of(body.annotation) if _is_plain_model(body) else None
    if model is not None:
        return model.__pydantic_validator__.validate_json
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[body.annotation, body.info])
    return adapter.validate_json


def _is_plain_model(body: BodyInput) -> bool:
    annotation = body.annotation
    return (
        isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
        and not body.info.metadata
    )


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__qualname__
    return str(annotation).replace("typing.", "")


def compile_inputs(
    owner: str, fields: Sequence[InputField], body: BodyInput | None, model_name: str
) -> Inputs | None:
    """The inputs of one handler or dependency, or None when it reads nothing it must validate."""
    if not fields and body is None:
        return None
    return Inputs(owner, fields, body, model_name)
