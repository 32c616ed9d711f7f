"""OpenAPI 3.1 for kwik routes: the document, the problem schemas, and serving it with docs.

`openapi_document(routes, title=..., version=...)` builds the document from the routes' specs;
`openapi_routes(...)` serves it at OPENAPI_URL (built on first request, cached until the routes
change) with Swagger UI at DOCS_URL, from files installed with kwik so the page works offline.
"""

from __future__ import annotations

from kwik.http.openapi.document import OPENAPI_VERSION, openapi_document, route_specs
from kwik.http.openapi.problems import Problem, ValidationErrorDetail, ValidationProblem

__all__ = [
    "OPENAPI_VERSION",
    "Problem",
    "ValidationErrorDetail",
    "ValidationProblem",
    "openapi_document",
    "route_specs",
]
