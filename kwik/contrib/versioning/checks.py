"""Versioning's system checks (`kwik check`). Settings that can't work stop start-up in
`VersioningConfig.ready` already; these are the ones that work but likely not as meant.

- versioning.W001 a version deprecated without a date: no `Deprecation` header is sent
- versioning.W002 the default version is deprecated or past its sunset
- versioning.W003 a version is past its sunset: its routes answer 410
"""

from __future__ import annotations

from datetime import UTC, datetime

from kwik.checks.messages import CheckMessage, Warning
from kwik.contrib.versioning.config import current
from kwik.exceptions import ImproperlyConfigured

__all__ = ["versioning_checks"]


def versioning_checks() -> list[CheckMessage]:
    try:
        versioning = current()
    except ImproperlyConfigured:
        return []  # start-up refuses these settings already, with the message
    found: list[CheckMessage] = []
    now = datetime.now(UTC)
    for version in versioning.versions.versions:
        lifecycle = version.lifecycle
        if lifecycle.deprecated and lifecycle.deprecated_at is None:
            found.append(
                Warning(
                    f"API version {version.name} is deprecated without a date, so its responses "
                    "carry no Deprecation header (RFC 9745 needs the date)",
                    id="versioning.W001",
                    hint=f'API_VERSIONS = {{"{version.name}": {{"deprecated": "2026-06-01"}}}}',
                    obj="API_VERSIONS",
                )
            )
        if lifecycle.sunset is not None and lifecycle.sunset <= now:
            found.append(
                Warning(
                    f"API version {version.name} is past its sunset "
                    f"({lifecycle.sunset.date().isoformat()}): its routes answer 410 Gone",
                    id="versioning.W003",
                    hint="Remove the version and its routes when no client needs the 410",
                    obj="API_VERSIONS",
                )
            )
    default = versioning.versions.default
    if default.lifecycle.deprecated or default.lifecycle.sunset is not None:
        found.append(
            Warning(
                f"The default API version {default.name} is deprecated or retiring: clients "
                "that name no version get it",
                id="versioning.W002",
                hint="Set API_DEFAULT_VERSION to a current version",
                obj="API_DEFAULT_VERSION",
            )
        )
    return found
