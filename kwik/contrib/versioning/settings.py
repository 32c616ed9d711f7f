"""Versioning's settings, validated with the project's (`kwik.conf`); docs/versioning.md
describes each. Only API_VERSIONS is required: the versions, oldest first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from kwik.conf import AppSettings

__all__ = ["Strategy", "VersionLifecycle", "VersioningSettings"]

Strategy = Literal["url", "header", "media_type", "query"]


class VersionLifecycle(BaseModel):
    """What API_VERSIONS says about one version when given as a mapping:
    `{"v1": {"deprecated": "2026-06-01", "sunset": "2027-01-01", "link": "https://..."}}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deprecated: bool | date | datetime = False
    sunset: date | datetime | None = None
    link: str | None = None


class VersioningSettings(AppSettings):
    API_VERSIONS: list[str] | dict[str, VersionLifecycle] = []
    """The API's versions, oldest first: `["v1", "v2"]`, or a mapping from each version to its
    lifecycle (`deprecated`, `sunset`, `link`)."""
    API_DEFAULT_VERSION: str | None = None
    """The version a request that names none gets (header, media type and query selection);
    None: the newest. Also the document OPENAPI_URL serves."""
    API_VERSION_REQUIRED: bool = False
    """Refuse (400) a request to a versioned route that names no version, instead of serving
    it API_DEFAULT_VERSION."""
    API_VERSIONING: list[Strategy] = ["url"]
    """How a request names its version, any of: `url` (a path prefix, `/v1/users`), `header`
    (API_VERSION_HEADER), `media_type` (`Accept: application/json; version=v1`), `query`
    (`?version=v1`). With `url` and another, both `/v1/users` and `/users` answer."""
    API_VERSION_URL_PREFIX: str = "/{version}"
    """The path prefix of a version with `url` selection; `{version}` is the version's name."""
    API_VERSION_HEADER: str = "Accept-Version"
    API_VERSION_QUERY_PARAM: str = "version"
    API_VERSION_MEDIA_TYPE_PARAM: str = "version"
    API_VERSION_OPENAPI_URL: str = "/openapi/{version}.json"
    """Where each version's OpenAPI document is served (with OPENAPI_URL set)."""
