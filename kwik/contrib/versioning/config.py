"""Versioning as the settings configure it, built once per settings object: the versions, the
request selector, and the URL prefix of each version."""

from __future__ import annotations

import re

from kwik.conf import settings
from kwik.contrib.versioning.selection import Selector
from kwik.contrib.versioning.settings import VersioningSettings
from kwik.contrib.versioning.versions import VersionSet
from kwik.exceptions import ImproperlyConfigured

__all__ = ["Versioning", "current"]


class Versioning:
    """Everything the routing table and the documents need from the settings."""

    def __init__(self, group: VersioningSettings) -> None:
        self.group = group
        self.versions = VersionSet.from_settings(group.API_VERSIONS, group.API_DEFAULT_VERSION)
        strategies = list(dict.fromkeys(group.API_VERSIONING))
        if not strategies:
            raise ImproperlyConfigured(
                'API_VERSIONING is empty: name how requests choose a version ("url", "header", '
                '"media_type", "query")'
            )
        self.strategies = tuple(strategies)
        self.by_url = "url" in strategies
        self.by_request = any(strategy != "url" for strategy in strategies)
        self.prefix_template = _template(
            group.API_VERSION_URL_PREFIX, "API_VERSION_URL_PREFIX", "/"
        )
        self.openapi_template = _template(
            group.API_VERSION_OPENAPI_URL, "API_VERSION_OPENAPI_URL", "/"
        )
        self.selector = Selector(
            self.versions,
            strategies,
            header=group.API_VERSION_HEADER,
            query_param=group.API_VERSION_QUERY_PARAM,
            media_type_param=group.API_VERSION_MEDIA_TYPE_PARAM,
            required=group.API_VERSION_REQUIRED,
        )
        head, _, tail = self.prefix_template.partition("{version}")
        self.prefix_pattern = re.compile(
            f"^{re.escape(head)}(?P<version>[^/]+){re.escape(tail)}(?P<rest>/.*)$"
        )

    def prefix(self, version: str) -> str:
        """The URL prefix of `version` (`/v1`)."""
        return self.prefix_template.format(version=version).rstrip("/")

    def openapi_url(self, version: str) -> str:
        return self.openapi_template.format(version=version)


def _template(value: str, setting: str, start: str) -> str:
    if not value.startswith(start) or value.count("{version}") != 1:
        raise ImproperlyConfigured(
            f"{setting}: {value!r} must start with {start!r} and hold {{version}} once"
        )
    if "{" in value.replace("{version}", "") or "}" in value.replace("{version}", ""):
        raise ImproperlyConfigured(f"{setting}: {value!r} may hold no braces but {{version}}")
    return value


_current: Versioning | None = None


def current() -> Versioning:
    """Versioning as the settings in effect say (rebuilt when they are replaced)."""
    global _current
    try:
        group = settings.unwrap().group("versioning")
    except KeyError:
        raise ImproperlyConfigured(
            "API versions need kwik.contrib.versioning in INSTALLED_APPS (docs/versioning.md)"
        ) from None
    if _current is None or _current.group is not group:
        assert isinstance(group, VersioningSettings)
        _current = Versioning(group)
    return _current
