"""The settings object: validated values of kwik and of every installed app, read by attribute.

`kwik.conf.settings` is a lazy proxy. The first attribute read loads kwik's own settings from the
located module; `kwik.setup()` then binds each installed app's settings model and refuses names
nobody declared. Values are read-only; tests change them with `override()`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from kwik.conf.locate import ENVIRONMENT_VARIABLE, locate_settings
from kwik.conf.models import AppSettings, CoreSettings
from kwik.conf.sources import RawSettings, env_overrides, read_module
from kwik.conf.validation import check_unknown, validate_settings
from kwik.exceptions import ImproperlyConfigured
from kwik.suggestions import did_you_mean

__all__ = ["CORE", "LazySettings", "Settings", "load_settings", "settings"]

CORE = "kwik"
_FIXED_AT_STARTUP = frozenset({"INSTALLED_APPS"})


class Settings:
    """A project's validated settings, grouped by the model (kwik's or an app's) declaring them."""

    def __init__(
        self,
        module: str | None,
        raw: RawSettings,
        core: CoreSettings,
        environ: Mapping[str, str],
    ) -> None:
        object.__setattr__(self, "module", module)
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "_environ", environ)
        object.__setattr__(self, "_groups", {CORE: core})
        object.__setattr__(self, "_owner", dict.fromkeys(CoreSettings.model_fields, CORE))
        object.__setattr__(self, "_apps_checked", False)

    module: str | None
    _raw: RawSettings
    _environ: Mapping[str, str]
    _groups: dict[str, AppSettings]
    _owner: dict[str, str]
    _apps_checked: bool

    @property
    def core(self) -> CoreSettings:
        """Kwik's own settings as their typed model."""
        core = self._groups[CORE]
        assert isinstance(core, CoreSettings)
        return core

    def bind(self, owner: str, model: type[AppSettings]) -> AppSettings:
        """Validate the settings an app declares; called once per app by the registry."""
        for name in model.model_fields:
            if self._owner.get(name, owner) != owner:
                raise ImproperlyConfigured(
                    f"Setting {name} is declared by both {self._owner[name]!r} and {owner!r}; "
                    "rename one (prefix app settings with the app's name)"
                )
        env_overrides([model], self._environ, self._raw)
        values = validate_settings(model, self._raw)
        self._groups[owner] = values
        self._owner.update(dict.fromkeys(model.model_fields, owner))
        return values

    def check_unknown(self) -> None:
        """Refuse module names that neither kwik nor an installed app declares."""
        check_unknown(self._raw, self._owner)
        object.__setattr__(self, "_apps_checked", True)

    def group(self, owner: str) -> AppSettings:
        """The settings model instance of `owner` (an app label, or `"kwik"`)."""
        return self._groups[owner]

    def names(self) -> list[str]:
        """Every known setting name, sorted."""
        return sorted(self._owner)

    def source(self, name: str) -> str:
        """Where `name`'s value came from: a module, an environment variable, or the default."""
        self._require(name)
        return self._raw.sources.get(name, "default")

    def default(self, name: str) -> Any:
        """The value `name` has when nothing sets it."""
        model = type(self._groups[self._require(name)])
        return model.model_fields[name].get_default(call_default_factory=True)

    def as_dict(self) -> dict[str, Any]:
        """All settings by name, for display and diffing."""
        return {name: getattr(self, name) for name in self.names()}

    @contextmanager
    def override(self, **values: Any) -> Iterator[None]:
        """Change settings inside a `with` block, validated as at start-up, then put them back."""
        fixed = _FIXED_AT_STARTUP.intersection(values)
        if fixed:
            raise ImproperlyConfigured(
                f"{', '.join(sorted(fixed))} can't be overridden: the app registry is built "
                "from it once at start-up. Give the test its own settings module instead."
            )
        by_owner: dict[str, dict[str, Any]] = {}
        for name, value in values.items():
            by_owner.setdefault(self._require(name), {})[name] = value
        saved_groups = dict(self._groups)
        saved_raw = RawSettings(dict(self._raw.values), dict(self._raw.sources))
        try:
            for owner, changes in by_owner.items():
                current = self._groups[owner]
                trial = RawSettings(
                    {**current.model_dump(), **changes},
                    {**self._raw.sources, **dict.fromkeys(changes, "override")},
                )
                self._groups[owner] = validate_settings(type(current), trial)
                for name, value in changes.items():
                    self._raw.set(name, value, "override")
            yield
        finally:
            self._groups.clear()
            self._groups.update(saved_groups)
            object.__setattr__(self, "_raw", saved_raw)

    def _require(self, name: str) -> str:
        owner = self._owner.get(name)
        if owner is None:
            hint = did_you_mean(name, self._owner)
            if not hint and not self._apps_checked:
                hint = " (Installed apps' settings exist once kwik.setup() has run.)"
            raise AttributeError(f"Setting {name} does not exist.{hint}")
        return owner

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._groups[self._require(name)], name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"Settings are read-only at run time; to change {name} in a test use "
            "kwik.testing.override_settings or the `settings` pytest fixture"
        )

    def __repr__(self) -> str:
        return f"<Settings {self.module or '(configured in code)'}>"


def load_settings(
    module: str | None = None,
    *,
    values: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Load kwik's own settings from the located module (or from `values` alone).

    The module is found through `module`, then KWIK_SETTINGS_MODULE, then pyproject.toml. Its
    folder goes on `sys.path` so the project's packages import from any working directory.
    """
    environ = os.environ if environ is None else environ
    raw = RawSettings()
    location = locate_settings(module, environ=environ)
    if location is None and values is None:
        raise ImproperlyConfigured(
            f"No settings module: pass --settings, set {ENVIRONMENT_VARIABLE}, or add "
            '[tool.kwik] settings = "package.settings" to pyproject.toml '
            "(`kwik startproject NAME` makes a project with all of this)"
        )
    if location is not None:
        location.make_importable()
        raw = read_module(location.module, found_through=location.source)
    for name, value in (values or {}).items():
        raw.set(name, value, "configure()")
    env_overrides([CoreSettings], environ, raw)
    core = validate_settings(CoreSettings, raw)
    return Settings(location.module if location else None, raw, core, environ)


class LazySettings:
    """The `settings` every module imports; it loads the project's settings on first use."""

    def __init__(self) -> None:
        object.__setattr__(self, "_wrapped", None)

    _wrapped: Settings | None

    @property
    def configured(self) -> bool:
        """Whether settings are loaded (first attribute read, `configure()` or `kwik.setup()`)."""
        return self._wrapped is not None

    def configure(self, loaded: Settings) -> None:
        """Install already loaded settings; `kwik.setup()` and tests use it."""
        object.__setattr__(self, "_wrapped", loaded)

    def unwrap(self) -> Settings:
        """The loaded `Settings`, loading them first if needed."""
        if self._wrapped is None:
            object.__setattr__(self, "_wrapped", load_settings())
        assert self._wrapped is not None
        return self._wrapped

    def reset(self) -> None:
        """Forget loaded settings, so the next read loads them again (tests switching projects)."""
        object.__setattr__(self, "_wrapped", None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unwrap(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.unwrap(), name, value)

    def __repr__(self) -> str:
        return repr(self._wrapped) if self._wrapped else "<LazySettings (not loaded)>"


settings = LazySettings()
