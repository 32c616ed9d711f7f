"""The data layer: models, engines and sessions, CRUD services, pagination."""

from __future__ import annotations

from kwik.db.crud import (
    Conflict,
    CRUDService,
    CursorPage,
    Filter,
    InvalidData,
    InvalidQuery,
    ListQuery,
    ObjectNotFound,
    Page,
    SortKey,
)
from kwik.db.database import Database, database
from kwik.db.errors import DatabaseUnavailable
from kwik.db.models import NAMING_CONVENTION, IDMixin, Model, TimestampMixin, UUIDMixin
from kwik.db.session import DBSession, current_session, get_session, session
from kwik.db.types import UTCDateTime, utcnow

__all__ = [
    "NAMING_CONVENTION",
    "CRUDService",
    "Conflict",
    "CursorPage",
    "DBSession",
    "Database",
    "DatabaseUnavailable",
    "Filter",
    "IDMixin",
    "InvalidData",
    "InvalidQuery",
    "ListQuery",
    "Model",
    "ObjectNotFound",
    "Page",
    "SortKey",
    "TimestampMixin",
    "UTCDateTime",
    "UUIDMixin",
    "current_session",
    "database",
    "get_session",
    "session",
    "utcnow",
]
