"""JSON schemas for a whole document, generated in one Pydantic pass.

Operations ask for schemas as they are built (`SchemaRegistry.add`) and get an empty dict back;
`resolve()` then generates every schema at once, fills those dicts in, and returns the shared
definitions for `components.schemas`. One pass is what deduplicates: a model used by ten routes
is one component, and two models that share a name, or one model whose input and output shapes
differ (`Item-Input`, `Item-Output`), get distinct names chosen by Pydantic the same way every
time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ConfigDict, TypeAdapter
from pydantic.errors import PydanticSchemaGenerationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import CoreSchema, core_schema
from starlette.datastructures import UploadFile

__all__ = ["BINARY_SCHEMA", "REF_PREFIX", "KwikJsonSchema", "SchemaRegistry"]

REF_PREFIX = "#/components/schemas/"
BINARY_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "binary",
    "contentMediaType": "application/octet-stream",
}
"""An uploaded file: `format: binary` for Swagger UI's file picker, `contentMediaType` for 3.1."""

Finish = Callable[[dict[str, Any]], dict[str, Any]]


class KwikJsonSchema(GenerateJsonSchema):
    """Pydantic's generator, plus uploaded files, and `{}` for types JSON schema can't describe.

    An arbitrary class in a signature (allowed by `arbitrary_types_allowed`) has no schema;
    describing it as "any value" keeps the document servable instead of failing every request
    for it.
    """

    def is_instance_schema(self, schema: core_schema.IsInstanceSchema) -> JsonSchemaValue:
        cls = schema["cls"]
        if isinstance(cls, type) and issubclass(cls, UploadFile):
            return dict(BINARY_SCHEMA)
        return super().is_instance_schema(schema)

    def handle_invalid_for_json_schema(
        self, schema: CoreSchema | core_schema.CoreSchema, error_info: str
    ) -> JsonSchemaValue:
        return {}


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    try:
        return TypeAdapter(annotation)
    except PydanticSchemaGenerationError:
        # An arbitrary class (UploadFile, list[UploadFile]) at the top: let Pydantic accept it.
        return TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))


class SchemaRegistry:
    """Collects (type, mode) pairs while a document is built, then generates them together.

    `mode` is "validation" for what a client sends (parameters, bodies) and "serialization" for
    what it receives (responses): a field with a default is optional in the first and always
    present in the second, and computed fields only exist in the second.
    """

    def __init__(self) -> None:
        self._inputs: list[tuple[int, JsonSchemaMode, TypeAdapter[Any]]] = []
        self._slots: list[tuple[dict[str, Any], Finish | None]] = []
        self._adapters: dict[Any, TypeAdapter[Any]] = {}

    def adapter(self, annotation: Any) -> TypeAdapter[Any]:
        """The TypeAdapter of `annotation`, made once per document for a hashable annotation."""
        try:
            cached = self._adapters.get(annotation)
        except TypeError:  # unhashable metadata inside Annotated[...]
            return _adapter(annotation)
        if cached is None:
            cached = self._adapters[annotation] = _adapter(annotation)
        return cached

    def add(
        self, annotation: Any, mode: JsonSchemaMode, finish: Finish | None = None
    ) -> dict[str, Any]:
        """A dict that `resolve()` fills with the schema of `annotation` (passed through
        `finish` first, to add what only the caller knows: a parameter's default, say)."""
        slot: dict[str, Any] = {}
        self._inputs.append((len(self._slots), mode, self.adapter(annotation)))
        self._slots.append((slot, finish))
        return slot

    def resolve(self) -> dict[str, Any]:
        """Generate every schema asked for; the shared definitions, sorted by name."""
        if not self._inputs:
            return {}
        schemas, definitions = TypeAdapter.json_schemas(
            self._inputs, ref_template=REF_PREFIX + "{model}", schema_generator=KwikJsonSchema
        )
        for index, (slot, finish) in enumerate(self._slots):
            mode = self._inputs[index][1]
            schema = dict(schemas[(index, mode)])
            slot.update(finish(schema) if finish else schema)
        defs = definitions.get("$defs", {})
        return {name: defs[name] for name in sorted(defs)}
