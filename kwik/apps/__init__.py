"""The app registry: `apps` (the project's, loaded by `kwik.setup()`), `AppConfig`, `Apps`."""

from __future__ import annotations

from kwik.apps.config import PARTS, AppConfig
from kwik.apps.registry import Apps, apps, create_config

__all__ = ["PARTS", "AppConfig", "Apps", "apps", "create_config"]
