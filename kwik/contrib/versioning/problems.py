"""The problems versioning answers with: a version the API doesn't have, a route missing from
the requested version, and a route past its sunset. Each lists what the client can do instead
(the supported versions, the versions serving the route, the replacement's link)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kwik.http.problems import HTTPError

__all__ = [
    "NOT_IN_VERSION",
    "SUNSET",
    "UNKNOWN_VERSION",
    "not_in_version",
    "sunset_passed",
    "unknown_version",
]

UNKNOWN_VERSION = "urn:kwik:problem:unknown-api-version"
NOT_IN_VERSION = "urn:kwik:problem:not-in-api-version"
SUNSET = "urn:kwik:problem:api-sunset"


def unknown_version(detail: str, supported: Sequence[str], *, status: int = 400) -> HTTPError:
    return HTTPError(
        status,
        f"{detail}; supported versions: {', '.join(supported)}",
        title="Unknown API version",
        type=UNKNOWN_VERSION,
        **{"supported-versions": list(supported)},
    )


def not_in_version(
    operation: str, version: str, serving: Sequence[str], supported: Sequence[str]
) -> HTTPError:
    where = f"it is in {', '.join(serving)}" if serving else "no version has it"
    return HTTPError(
        404,
        f"{operation} is not in API version {version}; {where}",
        title="Not in this API version",
        type=NOT_IN_VERSION,
        **{
            "api-version": version,
            "versions": list(serving),
            "supported-versions": list(supported),
        },
    )


def sunset_passed(
    operation: str, version: str | None, sunset: str, headers: Mapping[str, str]
) -> HTTPError:
    """410 for a route (of `version`; None: of every version) past its sunset."""
    which = f" (API version {version})" if version else ""
    extensions: dict[str, str] = {"sunset": sunset}
    if version:
        extensions["api-version"] = version
    return HTTPError(
        410,
        f"{operation}{which} was retired on {sunset}",
        title="Retired",
        type=SUNSET,
        headers=headers,
        **extensions,
    )
