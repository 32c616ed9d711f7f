"""Settings: kwik's defaults under a project's settings module under `KWIK_<NAME>` variables."""

from __future__ import annotations

from kwik.conf.locate import ENVIRONMENT_VARIABLE, SettingsLocation, locate_settings
from kwik.conf.models import INSECURE_KEY_PREFIX, AppSettings, CoreSettings, secret_key_problem
from kwik.conf.settings import LazySettings, Settings, load_settings, settings

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "INSECURE_KEY_PREFIX",
    "AppSettings",
    "CoreSettings",
    "LazySettings",
    "Settings",
    "SettingsLocation",
    "load_settings",
    "locate_settings",
    "secret_key_problem",
    "settings",
]
