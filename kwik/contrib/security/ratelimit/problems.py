"""The 429 problem document a refused request gets, and its OpenAPI description.

    HTTP/1.1 429 Too Many Requests
    Content-Type: application/problem+json
    Retry-After: 17
    RateLimit-Policy: "ip:10/minute";q=10;w=60
    RateLimit: "ip:10/minute";r=0;t=17

    {"type": "urn:kwik:problem:rate-limited", "title": "Too many requests", "status": 429,
     "detail": "...", "violated-policies": ["ip:10/minute"]}

`violated-policies` is the member the IETF draft's `quota-exceeded` problem type defines.
"""

from __future__ import annotations

from typing import Any

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from starlette.responses import Response

from kwik.contrib.security.ratelimit.policy import Decision
from kwik.http.openapi.problems import Problem
from kwik.http.problems import HTTPError, problem_response

__all__ = [
    "OPENAPI_RESPONSES",
    "RATE_LIMITED",
    "RateLimitedProblem",
    "too_many_requests",
    "too_many_requests_response",
]

RATE_LIMITED = "urn:kwik:problem:rate-limited"


class RateLimitedProblem(Problem):
    """The 429 problem: which limits refused, and (in `Retry-After`) when to try again."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = Problem.__get_pydantic_json_schema__(core_schema, handler)
        return {
            **schema,
            "title": "RateLimitedProblem",
            "description": "Too many requests: wait the seconds the Retry-After header says. "
            "RateLimit-Policy and RateLimit describe the limits.",
            "properties": {
                **schema["properties"],
                "violated-policies": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "The limits that refused the request, as named in "
                    "RateLimit-Policy.",
                },
            },
            "examples": [
                {
                    "type": RATE_LIMITED,
                    "title": "Too many requests",
                    "status": 429,
                    "detail": "At most 10/minute; retry in 17 seconds",
                    "violated-policies": ["ip:10/minute"],
                }
            ],
        }


OPENAPI_RESPONSES: dict[int, dict[str, Any]] = {
    429: {
        "description": "Too many requests: retry after the seconds in the Retry-After header",
        "model": RateLimitedProblem,
    }
}


def _problem(decision: Decision, with_headers: bool) -> dict[str, Any]:
    seconds = decision.retry_after
    headers = {"Retry-After": str(seconds)}
    if with_headers:
        for name, value in decision.header_pairs():
            headers[name.decode()] = value.decode()
    violated = decision.violated
    limits = ", ".join(name.partition(":")[2] for name in violated)
    return {
        "detail": f"At most {limits}; retry in {seconds} second{'' if seconds == 1 else 's'}",
        "title": "Too many requests",
        "type": RATE_LIMITED,
        "headers": headers,
        "violated-policies": violated,
    }


def too_many_requests(decision: Decision, *, with_headers: bool = True) -> HTTPError:
    """The 429 HTTPError for a refused `decision`: Retry-After always, the RateLimit headers
    when `with_headers` (RATE_LIMIT_HEADERS)."""
    fields = _problem(decision, with_headers)
    return HTTPError(429, fields.pop("detail"), **fields)


def too_many_requests_response(decision: Decision, *, with_headers: bool = True) -> Response:
    """The same 429, as a response, for middleware that answers before routing."""
    return problem_response(429, **_problem(decision, with_headers))
