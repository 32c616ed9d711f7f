"""Testing a kwik project: settings overrides here; fixtures in the pytest plugin (`plugin`)."""

from __future__ import annotations

from kwik.testing.overrides import SettingsOverrides, override_settings

__all__ = ["SettingsOverrides", "override_settings"]
