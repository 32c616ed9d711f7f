"""How kwik sees versioning: its settings, the routing table it compiles versions into, one
OpenAPI document per version, its checks and `kwik api`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kwik.apps import AppConfig
from kwik.contrib.versioning.settings import VersioningSettings

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from kwik.checks.messages import CheckMessage
    from kwik.http.openapi.project import ApiDocument

__all__ = ["VersioningConfig"]


class VersioningConfig(AppConfig):
    """API versions on routes, per-version OpenAPI, deprecation and sunset (docs/versioning.md)."""

    name = "kwik.contrib.versioning"
    label = "versioning"
    verbose_name = "Versioning"
    settings_model = VersioningSettings

    def ready(self) -> None:
        """Refuse settings that name no version, or an unknown default, at start-up."""
        from kwik.contrib.versioning.config import current

        current()

    def rewrite_routes(self, routes: list[BaseRoute]) -> list[BaseRoute]:
        from kwik.contrib.versioning.config import current
        from kwik.contrib.versioning.table import compile_versions

        return compile_versions(routes, current())

    def api_documents(self) -> Sequence[ApiDocument]:
        from kwik.contrib.versioning.config import current
        from kwik.contrib.versioning.documents import version_documents

        return version_documents(current())

    def check(self, *, deploy: bool = False) -> list[CheckMessage]:
        from kwik.contrib.versioning.checks import versioning_checks

        return versioning_checks()
