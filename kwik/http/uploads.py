"""`UploadFile`: Starlette's uploaded file, as a type Pydantic validates and documents."""

from __future__ import annotations

from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema
from starlette import datastructures

__all__ = ["UploadFile"]


class UploadFile(datastructures.UploadFile):
    """A file from a `multipart/form-data` body: `filename`, `content_type`, `size`, and async
    `read()`, `seek()`, `close()`.

    Annotate a handler parameter with it (`avatar: UploadFile`); the value is the
    `starlette.datastructures.UploadFile` the form parser made. Files are closed after the
    response is sent.
    """

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.is_instance_schema(datastructures.UploadFile)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "contentMediaType": "application/octet-stream"}
