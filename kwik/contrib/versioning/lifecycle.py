"""The headers a deprecated or retiring route answers with, and its 410 after the sunset.

`Deprecation: @<seconds since the epoch>` (RFC 9745) says since when a route is deprecated,
`Sunset: <HTTP-date>` (RFC 8594) when it stops answering, and `Link` points at what replaces it
(`rel="deprecation"`, `rel="sunset"`). They are encoded once per route and version, when the
routing table is built.
"""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime

from kwik.contrib.versioning.versions import Lifecycle

__all__ = ["lifecycle_headers", "sunset_text"]


def sunset_text(lifecycle: Lifecycle) -> str:
    """The sunset as people write dates: `2027-01-31`, or with the time when it isn't
    midnight UTC."""
    assert lifecycle.sunset is not None
    sunset = lifecycle.sunset
    if sunset.hour == sunset.minute == sunset.second == 0 and not sunset.utcoffset():
        return sunset.date().isoformat()
    return sunset.isoformat()


def lifecycle_headers(lifecycle: Lifecycle) -> dict[str, str]:
    """The lifecycle's response headers (none for a route that is neither deprecated nor
    retiring). A deprecation without a date marks OpenAPI only: RFC 9745 needs the date."""
    headers: dict[str, str] = {}
    if lifecycle.deprecated_at is not None:
        headers["Deprecation"] = f"@{int(lifecycle.deprecated_at.timestamp())}"
    if lifecycle.sunset is not None:
        headers["Sunset"] = format_datetime(lifecycle.sunset.astimezone(UTC), usegmt=True)
    if lifecycle.link is not None:
        relations = []
        if lifecycle.deprecated:
            relations.append(f'<{lifecycle.link}>; rel="deprecation"')
        if lifecycle.sunset is not None:
            relations.append(f'<{lifecycle.link}>; rel="sunset"')
        if relations:
            headers["Link"] = ", ".join(relations)
    return headers
