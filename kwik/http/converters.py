"""Path converters kwik adds to Starlette's: `slug`, as in Django (`/posts/{slug:slug}`).

`path_schema` says, once for every converter, which values a path segment it matches can hold,
so OpenAPI documents a path parameter the same whether or not a handler reads it.
"""

from __future__ import annotations

from typing import Any

from starlette import convertors

__all__ = ["SlugConvertor", "path_schema", "register_converters"]


class SlugConvertor(convertors.Convertor[str]):
    """ASCII letters, digits, hyphens and underscores: `my-first-post`."""

    regex = "[-a-zA-Z0-9_]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


def register_converters() -> None:
    """Add kwik's converters to Starlette's registry; `kwik.http` calls it once, on import."""
    if "slug" not in convertors.CONVERTOR_TYPES:
        convertors.register_url_convertor("slug", SlugConvertor())


def path_schema(convertor: convertors.Convertor[Any] | str) -> dict[str, Any]:
    """The JSON schema of what `convertor` (or the converter of that name: "int") matches.

    `int` and `float` match digits only, so their values are never negative; `float` and `slug`
    give the converter's own pattern, which is the text the path must hold.
    """
    if isinstance(convertor, str):
        convertor = convertors.CONVERTOR_TYPES.get(convertor, convertors.StringConvertor())
    anchored = f"^{convertor.regex}$"
    if isinstance(convertor, convertors.IntegerConvertor):
        return {"type": "integer", "minimum": 0}
    if isinstance(convertor, convertors.FloatConvertor):
        return {"type": "number", "minimum": 0, "pattern": anchored}
    if isinstance(convertor, convertors.UUIDConvertor):
        return {"type": "string", "format": "uuid"}
    if isinstance(convertor, SlugConvertor):
        return {"type": "string", "pattern": anchored}
    return {"type": "string"}
