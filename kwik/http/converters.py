"""Path converters kwik adds to Starlette's: `slug`, as in Django (`/posts/{slug:slug}`)."""

from __future__ import annotations

from starlette import convertors

__all__ = ["SlugConvertor", "register_converters"]


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
