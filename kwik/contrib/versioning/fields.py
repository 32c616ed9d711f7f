"""Reading one OpenAPI document for `diff`: operations, parameters, and bodies flattened into
dotted fields, each with its type and whether it is required.

`$ref`s are resolved in the document they come from; a `$ref` already being expanded is
described but not expanded again, so recursive models end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["VARIABLE", "Field", "Operation", "Parameter", "SchemaReader", "nested", "unique"]

VARIABLE = re.compile(r"{([^{}/]*)}")
"""A path variable; operations match whatever their variables are named."""

MAX_DEPTH = 32
"""Nesting beyond which fields are not flattened: a guard for huge schemas, not for recursion
(a `$ref` met again while it is being expanded already stops)."""


@dataclass(frozen=True, slots=True)
class Field:
    types: tuple[str, ...]
    required: bool

    @property
    def type(self) -> str:
        return " | ".join(self.types)

    def described(self) -> str:
        return f"{'required' if self.required else 'optional'} {self.type}"


@dataclass(frozen=True, slots=True)
class Parameter:
    location: str
    name: str
    field: Field
    deprecated: bool


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    spec: Mapping[str, Any]
    shared_parameters: Sequence[Any]

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"


def unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def nested(types: tuple[str, ...]) -> str:
    joined = " | ".join(types)
    return f"({joined})" if len(types) > 1 else joined


class SchemaReader:
    """Reads one document's schemas: `$ref`s followed, types described, fields flattened."""

    def __init__(self, document: Mapping[str, Any], label: str) -> None:
        self.document = document
        self.label = label

    def _target(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise ValueError(
                f"$ref {ref!r} in the {self.label} OpenAPI document points outside it: "
                "bundle the document so every reference starts with '#'"
            )
        node: Any = self.document
        for raw in ref[1:].split("/")[1:]:
            step = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and step in node:
                node = node[step]
            elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                raise ValueError(
                    f"$ref {ref!r} in the {self.label} OpenAPI document points to nothing: "
                    "add what it names or correct the reference"
                )
        return node

    def resolve(
        self, schema: Any, seen: frozenset[str] = frozenset()
    ) -> tuple[Mapping[str, Any] | None, frozenset[str]]:
        """`schema` with its `$ref`s followed, and the refs followed so far; None when a ref
        already in `seen` comes back (a recursive schema)."""
        while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in seen:
                return None, seen
            seen = seen | {ref}
            schema = self._target(ref)
        return (schema if isinstance(schema, Mapping) else {}), seen

    def types(self, schema: Any, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
        """The alternatives a value may be: ("string", "null"), ("array of object",)."""
        resolved, seen = self.resolve(schema, seen)
        if resolved is None:
            return ("recursive",)
        for key in ("anyOf", "oneOf"):
            options = resolved.get(key)
            if isinstance(options, list) and options:
                return unique(name for option in options for name in self.types(option, seen))
        all_of = resolved.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            return self.types(all_of[0], seen)
        declared = resolved.get("type")
        names = [declared] if isinstance(declared, str) else declared
        if isinstance(names, list) and names:
            found = [self._one(resolved, str(name), seen) for name in names]
            if resolved.get("nullable") is True:  # OpenAPI 3.0's spelling of "| null"
                found.append("null")
            return unique(found)
        if "properties" in resolved or all_of:
            return ("object",)
        return ("any",)

    def _one(self, schema: Mapping[str, Any], name: str, seen: frozenset[str]) -> str:
        if name == "array":
            items = schema.get("items")
            if isinstance(items, Mapping):
                return f"array of {nested(self.types(items, seen))}"
            return "array"
        if name == "object":
            values = schema.get("additionalProperties")
            if not schema.get("properties") and isinstance(values, Mapping) and values:
                return f"map of {nested(self.types(values, seen))}"
            return "object"
        form = schema.get("format")
        return f"{name} ({form})" if isinstance(form, str) and form and name != "null" else name

    def fields(self, schema: Any) -> dict[str, Field]:
        """Every field of a body by dotted name; "" is the body itself."""
        found = {"": Field(self.types(schema), True)}
        self._expand(schema, "", frozenset(), 0, found)
        return found

    def _expand(
        self, schema: Any, name: str, seen: frozenset[str], depth: int, found: dict[str, Field]
    ) -> None:
        resolved, seen = self.resolve(schema, seen)
        if resolved is None or depth > MAX_DEPTH:
            return
        for key in ("anyOf", "oneOf", "allOf"):
            options = resolved.get(key)
            if isinstance(options, list):
                for option in options:
                    self._expand(option, name, seen, depth + 1, found)
        properties = resolved.get("properties")
        if isinstance(properties, Mapping):
            required = resolved.get("required")
            required = required if isinstance(required, list) else []
            for key, value in properties.items():
                child = f"{name}.{key}" if name else str(key)
                found.setdefault(child, Field(self.types(value), key in required))
                self._expand(value, child, seen, depth + 1, found)
        items = resolved.get("items")
        if isinstance(items, Mapping):
            self._expand(items, f"{name}[]", seen, depth + 1, found)
        values = resolved.get("additionalProperties")
        if isinstance(values, Mapping):
            self._expand(values, f"{name}{{}}", seen, depth + 1, found)

    def parameters(self, operation: Operation) -> dict[tuple[str, str], Parameter]:
        """The operation's parameters (the path item's, overridden by its own) by (in, name);
        path variables by position, header names lower-cased, as clients match them."""
        positions = {
            name: str(index) for index, name in enumerate(VARIABLE.findall(operation.path))
        }
        own = operation.spec.get("parameters")
        found: dict[tuple[str, str], Parameter] = {}
        for raw in [*operation.shared_parameters, *(own if isinstance(own, list) else [])]:
            parameter, _ = self.resolve(raw)
            if not parameter or not isinstance(parameter.get("name"), str):
                continue
            location, name = str(parameter.get("in", "")), parameter["name"]
            key = name.lower() if location == "header" else name
            if location == "path":
                key = positions.get(name, name)
            schema = parameter.get("schema")
            content = parameter.get("content")
            if schema is None and isinstance(content, Mapping) and content:
                schema = next(iter(content.values())).get("schema")
            field = Field(self.types(schema), bool(parameter.get("required", False)))
            found[(location, key)] = Parameter(
                location, name, field, bool(parameter.get("deprecated"))
            )
        return found
