"""The errors a CRUD service raises: HTTP problems that also read well outside a request.

Each is an `HTTPError`, so a handler needs no `try` around a service call: a missing row answers
404, a bad list query 400, data naming unknown fields 422, an integrity error 409, each as a
problem document whose `detail` names the thing at fault. Scripts catch them by class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kwik.http.problems import HTTPError

__all__ = [
    "CONFLICT",
    "INVALID_DATA",
    "INVALID_QUERY",
    "NOT_FOUND",
    "Conflict",
    "InvalidData",
    "InvalidQuery",
    "ObjectNotFound",
    "QueryProblem",
    "json_safe",
]

NOT_FOUND = "urn:kwik:problem:not-found"
INVALID_QUERY = "urn:kwik:problem:invalid-query"
INVALID_DATA = "urn:kwik:problem:invalid-data"
CONFLICT = "urn:kwik:problem:conflict"


def json_safe(value: Any) -> Any:
    """`value` as problem documents can carry it: JSON scalars stay, anything else is a str."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class ObjectNotFound(HTTPError):
    """404: no row of `model` has the primary key `key`."""

    def __init__(self, model: str, key: Mapping[str, Any]) -> None:
        described = ", ".join(f"{name}={value!r}" for name, value in key.items())
        super().__init__(
            404,
            f"{model} with {described} does not exist",
            type=NOT_FOUND,
            model=model,
            key={name: json_safe(value) for name, value in key.items()},
        )
        self.model = model
        self.key = dict(key)


@dataclass(frozen=True, slots=True)
class QueryProblem:
    """One bad query parameter: its name, what is wrong, and a short machine-readable code."""

    parameter: str
    message: str
    code: str

    def as_dict(self) -> dict[str, Any]:
        return {"loc": ["query", self.parameter], "msg": self.message, "type": self.code}


class InvalidQuery(HTTPError):
    """400: a list query (filters, sort, pagination, cursor) the service refuses.

    Every bad parameter is reported at once, one entry in `errors` each; `detail` joins their
    messages, so a person reading only `detail` sees all of them too.
    """

    def __init__(self, problems: Sequence[QueryProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            400,
            "; ".join(problem.message for problem in self.problems),
            title="Invalid list query",
            type=INVALID_QUERY,
            errors=[problem.as_dict() for problem in self.problems],
        )

    @classmethod
    def one(cls, parameter: str, message: str, code: str) -> InvalidQuery:
        return cls([QueryProblem(parameter, message, code)])


class InvalidData(HTTPError):
    """422: data for a create or update names fields the model can't take."""

    def __init__(self, model: str, unknown: Sequence[str], allowed: Sequence[str]) -> None:
        names = ", ".join(unknown)
        super().__init__(
            422,
            f"{model} has no writable field{'s' if len(unknown) > 1 else ''} {names}; "
            f"writable fields: {', '.join(allowed)}",
            title="Invalid data",
            type=INVALID_DATA,
            errors=[
                {"loc": [name], "msg": f"{model} has no writable field {name}", "type": "unknown"}
                for name in unknown
            ],
        )
        self.unknown = list(unknown)


class Conflict(HTTPError):
    """409: the database refused a write (a unique, foreign-key, not-null or check constraint).

    `fields` names the model fields involved when the database says which; `reason` is one of
    `unique`, `foreign_key`, `referenced`, `not_null`, `check`, `integrity`.
    """

    def __init__(
        self,
        detail: str,
        *,
        reason: str,
        fields: Sequence[str] = (),
        constraint: str | None = None,
    ) -> None:
        extensions: dict[str, Any] = {"reason": reason, "fields": list(fields)}
        if constraint:
            extensions["constraint"] = constraint
        super().__init__(409, detail, type=CONFLICT, **extensions)
        self.reason = reason
        self.fields = list(fields)
        self.constraint = constraint
