"""The API's versions, from settings: their order, their lifecycle, and what `version="..."`
on a route means.

A version declaration is a comma-separated list whose items are a version (`v1`) or a version
and every later one (`v2+`): `"v1,v3+"`. The versions are checked against API_VERSIONS when the
routing table is built, so a typo stops start-up instead of hiding a route.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from kwik.exceptions import ImproperlyConfigured

__all__ = ["APIVersion", "Lifecycle", "VersionSet", "moment"]


def moment(value: object, what: str) -> datetime | None:
    """A lifecycle date as an aware datetime: a `date` is its midnight UTC, ISO text is parsed,
    a naive datetime is taken as UTC. None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"{what}: {value!r} is not an ISO 8601 date (write 2027-01-31 or "
                "2027-01-31T12:00:00+00:00)"
            ) from None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    raise ImproperlyConfigured(f"{what}: {value!r} is not a date")


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """Deprecation and sunset of a version or a route. `deprecated` is True when deprecated
    without a date (OpenAPI marks it; no `Deprecation` header, which needs the date)."""

    deprecated: bool = False
    deprecated_at: datetime | None = None
    sunset: datetime | None = None
    link: str | None = None

    @classmethod
    def of(cls, deprecated: object, sunset: object, link: str | None, what: str) -> Lifecycle:
        if isinstance(deprecated, bool):
            deprecated_at = None
        else:
            deprecated_at = moment(deprecated, f"{what}: deprecated")
            deprecated = True
        return cls(bool(deprecated), deprecated_at, moment(sunset, f"{what}: sunset"), link)

    def over(self, fallback: Lifecycle) -> Lifecycle:
        """This lifecycle (a route's), taking from `fallback` (its version's) what it lacks."""
        return Lifecycle(
            self.deprecated or fallback.deprecated,
            self.deprecated_at or fallback.deprecated_at,
            self.sunset or fallback.sunset,
            self.link or fallback.link,
        )


@dataclass(frozen=True, slots=True)
class APIVersion:
    """One version: its name, its place (0 is the oldest) and its lifecycle."""

    name: str
    index: int
    lifecycle: Lifecycle

    def __str__(self) -> str:
        return self.name


class VersionSet:
    """The ordered versions of API_VERSIONS and the default one."""

    def __init__(self, versions: Sequence[APIVersion], default: str | None = None) -> None:
        if not versions:
            raise ImproperlyConfigured(
                'API_VERSIONS is empty: list the API\'s versions, oldest first (["v1", "v2"])'
            )
        self.versions = tuple(versions)
        self.by_name = {version.name: version for version in self.versions}
        if default is not None and default not in self.by_name:
            raise ImproperlyConfigured(
                f"API_DEFAULT_VERSION: {default!r} is not in API_VERSIONS ({self.names()})"
            )
        self.default = self.by_name[default] if default else self.versions[-1]
        self.latest = self.versions[-1]

    @classmethod
    def from_settings(
        cls, declared: Sequence[str] | Mapping[str, object], default: str | None
    ) -> VersionSet:
        versions = []
        for index, name in enumerate(declared):
            if not name or not isinstance(name, str) or any(c in name for c in ",+/ "):
                raise ImproperlyConfigured(
                    f"API_VERSIONS: {name!r} can't be a version name (no commas, '+', '/' or "
                    "spaces)"
                )
            if name in (v.name for v in versions):
                raise ImproperlyConfigured(f"API_VERSIONS: {name!r} is listed twice")
            lifecycle = Lifecycle()
            if isinstance(declared, Mapping):
                entry = declared[name]
                lifecycle = Lifecycle.of(
                    getattr(entry, "deprecated", False),
                    getattr(entry, "sunset", None),
                    getattr(entry, "link", None),
                    f"API_VERSIONS[{name!r}]",
                )
            versions.append(APIVersion(name, index, lifecycle))
        return cls(versions, default)

    def names(self, versions: Sequence[APIVersion] | None = None) -> str:
        """`v1, v2, v3`: for messages."""
        return ", ".join(v.name for v in (self.versions if versions is None else versions))

    def get(self, name: str) -> APIVersion | None:
        return self.by_name.get(name)

    def parse(self, declaration: str, owner: str) -> tuple[APIVersion, ...]:
        """The versions `declaration` (`"v1,v2"`, `"v2+"`) names, oldest first."""
        found: dict[str, APIVersion] = {}
        items = [item.strip() for item in declaration.split(",")]
        if not declaration.strip() or not all(items):
            raise ImproperlyConfigured(
                f"{owner}: version={declaration!r} is empty or has an empty item; write "
                '"v1,v2" or "v2+"'
            )
        for item in items:
            onwards = item.endswith("+")
            name = item[:-1].strip() if onwards else item
            version = self.by_name.get(name)
            if version is None:
                raise ImproperlyConfigured(
                    f"{owner}: version={declaration!r} names {name!r}, which is not in "
                    f"API_VERSIONS ({self.names()})"
                )
            chosen = self.versions[version.index :] if onwards else (version,)
            found.update((v.name, v) for v in chosen)
        return tuple(sorted(found.values(), key=lambda v: v.index))

    def before(self, name: str, owner: str) -> int:
        """The index of `name`, for a change's `since`; unknown names are refused."""
        version = self.by_name.get(name)
        if version is None:
            raise ImproperlyConfigured(
                f"{owner}: a change since {name!r}, which is not in API_VERSIONS ({self.names()})"
            )
        return version.index
