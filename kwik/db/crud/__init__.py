"""CRUD services: get, list (filters, sort, offset and cursor pages), create, update, delete.

See docs/database.md ("CRUD services", "Query-string syntax for lists", "Pagination").
"""

from __future__ import annotations

from kwik.db.crud.errors import (
    Conflict,
    InvalidData,
    InvalidQuery,
    ObjectNotFound,
    QueryProblem,
)
from kwik.db.crud.operators import OPERATORS
from kwik.db.crud.pages import CursorPage, Page
from kwik.db.crud.query import RESERVED, Filter, ListQuery, parse_query
from kwik.db.crud.service import CRUDService, Data
from kwik.db.crud.spec import ALL, ListSpec, SortKey

__all__ = [
    "ALL",
    "OPERATORS",
    "RESERVED",
    "CRUDService",
    "Conflict",
    "CursorPage",
    "Data",
    "Filter",
    "InvalidData",
    "InvalidQuery",
    "ListQuery",
    "ListSpec",
    "ObjectNotFound",
    "Page",
    "QueryProblem",
    "SortKey",
    "parse_query",
]
