"""The problem documents kwik answers errors with, as models OpenAPI can reference.

Every kwik error is an RFC 9457 problem (`kwik.http.problems`); these models give that shape a
name in `components.schemas`, so each operation's error responses point at one schema instead of
repeating it. Declare `responses={409: Problem}` on a route to document an error of your own.

Their JSON schemas are written out by hand rather than derived from the fields: the document
should say exactly what kwik sends (`detail` only when there is one, never `null`) and allow the
extension members RFC 9457 permits.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from kwik.http.errors import MAX_REPORTED_ERRORS

__all__ = ["Problem", "ValidationErrorDetail", "ValidationProblem"]


def _problem_properties() -> dict[str, Any]:
    return {
        "type": {
            "type": "string",
            "format": "uri-reference",
            "description": "A URI reference identifying the problem type.",
            "default": "about:blank",
        },
        "title": {"type": "string", "description": "A short summary of the problem type."},
        "status": {
            "type": "integer",
            "minimum": 100,
            "maximum": 599,
            "description": "The HTTP status code of this occurrence.",
        },
        "detail": {
            "type": "string",
            "description": "What went wrong in this occurrence, for a person to read.",
        },
        "instance": {
            "type": "string",
            "format": "uri-reference",
            "description": "A URI reference identifying this occurrence.",
        },
    }


class Problem(BaseModel):
    """An RFC 9457 problem document (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "object",
            "title": "Problem",
            "description": "An error, as an RFC 9457 problem document.",
            "properties": _problem_properties(),
            "required": ["type", "title", "status"],
            "additionalProperties": True,
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "No item has id 7",
                }
            ],
        }


class ValidationErrorDetail(BaseModel):
    """One invalid value of a request: where it was (`loc`), what is wrong, and the error type."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(Problem):
    """The 422 problem: a Problem with one entry in `errors` per invalid value."""

    errors: list[ValidationErrorDetail]
    omitted_errors: int | None = None

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        error = {
            "type": "object",
            "properties": {
                "loc": {
                    "type": "array",
                    "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    "description": "Where the value was: its source, then the path to it "
                    '(["query", "limit"], ["body", "items", 0, "price"]).',
                },
                "msg": {"type": "string", "description": "What is wrong with it."},
                "type": {"type": "string", "description": "The error type, e.g. too_short."},
            },
            "required": ["loc", "msg", "type"],
            "additionalProperties": True,
        }
        return {
            "type": "object",
            "title": "ValidationProblem",
            "description": "A request that failed validation: one entry in `errors` per value.",
            "properties": {
                **_problem_properties(),
                "errors": {
                    "type": "array",
                    "items": error,
                    "maxItems": MAX_REPORTED_ERRORS,
                    "description": f"At most {MAX_REPORTED_ERRORS}, the first found.",
                },
                "omitted_errors": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "How many more invalid values there were, when there were "
                    "more than `errors` lists.",
                },
            },
            "required": ["type", "title", "status", "errors"],
            "additionalProperties": True,
            "examples": [
                {
                    "type": "urn:kwik:problem:validation-error",
                    "title": "Invalid request",
                    "status": 422,
                    "detail": "query.limit: Input should be less than or equal to 100",
                    "errors": [
                        {
                            "loc": ["query", "limit"],
                            "msg": "Input should be less than or equal to 100",
                            "type": "less_than_equal",
                        }
                    ],
                }
            ],
        }
