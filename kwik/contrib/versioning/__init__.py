"""Versioner: API versions declared on routes (`@router.get("/users", version="v1,v2")`),
chosen per request by URL prefix, header, media type or query parameter, with per-version
OpenAPI documents, request and response changes for older versions, and deprecation and
sunset headers (docs/versioning.md)."""

from __future__ import annotations

from kwik.contrib.versioning.changes import Change, added, removed, renamed
from kwik.contrib.versioning.selection import api_version
from kwik.contrib.versioning.versions import APIVersion, Lifecycle

__all__ = ["APIVersion", "Change", "Lifecycle", "added", "api_version", "removed", "renamed"]
