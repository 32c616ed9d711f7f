"""The app registry: INSTALLED_APPS turned into loaded `AppConfig`s, in order, once.

Every other part of kwik asks the registry which apps, routes and commands exist; none looks at
the filesystem itself. Loading runs in phases, each finished for all apps before the next starts:
configs (import each package and its `apps.py`), settings (validate each app's settings model),
models (import each `models` module), ready (call each `ready()`).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from kwik.apps.config import AppConfig
from kwik.exceptions import AppRegistryNotReady, ImproperlyConfigured
from kwik.imports import import_optional
from kwik.suggestions import did_you_mean

if TYPE_CHECKING:
    from kwik.conf.settings import Settings

__all__ = ["RESERVED_LABEL", "Apps", "apps", "create_config"]

RESERVED_LABEL = "kwik"


def _import(entry: str) -> ModuleType | None:
    return import_optional(entry, what=f"App {entry!r} in INSTALLED_APPS")


def _config_class_in(package: ModuleType) -> type[AppConfig]:
    """The AppConfig subclass defined in the package's `apps.py`, or the plain AppConfig."""
    dotted = f"{package.__name__}.apps"
    module = import_optional(dotted, what=f"App {package.__name__!r}: {dotted}")
    if module is None:
        return AppConfig
    found = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, AppConfig)
        and value is not AppConfig
        and value.__module__ == dotted
    ]
    if len(found) > 1:
        found = [cls for cls in found if cls.default]
        if len(found) != 1:
            raise ImproperlyConfigured(
                f"{dotted} defines several AppConfig classes; mark one with `default = True` "
                "or list the one you want in INSTALLED_APPS"
            )
    return found[0] if found else AppConfig


def create_config(entry: str) -> AppConfig:
    """An `AppConfig` for one INSTALLED_APPS entry: a package path or an AppConfig class path."""
    module = _import(entry)
    if module is not None:
        if not hasattr(module, "__path__"):
            raise ImproperlyConfigured(
                f"App {entry!r} in INSTALLED_APPS is a module, not a package: make it a folder "
                "with an __init__.py"
            )
        return _config_class_in(module)(module)
    module_path, _, class_name = entry.rpartition(".")
    owner = _import(module_path) if module_path else None
    candidate = getattr(owner, class_name, None) if owner else None
    if owner is None or candidate is None:
        raise ImproperlyConfigured(
            f"Cannot import app {entry!r} listed in INSTALLED_APPS: No module named {entry!r}. "
            "Check the spelling, and that its folder is on the Python path."
        )
    if not (inspect.isclass(candidate) and issubclass(candidate, AppConfig)):
        raise ImproperlyConfigured(
            f"INSTALLED_APPS entry {entry!r} is neither a package nor an AppConfig subclass"
        )
    package_name = candidate.name or module_path.rpartition(".")[0] or module_path
    package = _import(package_name)
    if package is None:
        raise ImproperlyConfigured(
            f"{entry} names package {package_name!r}, which cannot be imported; fix its `name`"
        )
    return candidate(package)


class Apps:
    """A registry of installed apps. `kwik.apps.apps` is the project's; tests may make their own."""

    def __init__(self) -> None:
        self._configs: dict[str, AppConfig] = {}
        self.configs_ready = False
        self.models_ready = False
        self.ready = False
        self._loading = False

    def populate(self, installed_apps: Sequence[str], settings: Settings | None = None) -> None:
        """Load the apps in order, phase by phase. Calling it again once loaded does nothing.

        `settings` receives each app's settings model and then refuses unknown names; without it
        (tests of the registry alone) app settings take their defaults.
        """
        if self.ready:
            return
        if self._loading:
            raise ImproperlyConfigured(
                "Apps.populate() isn't reentrant: an app's ready() called kwik.setup(); "
                "ready() runs during setup, so it can use the registry directly"
            )
        self._loading = True
        try:
            self._load_configs(installed_apps)
            self.configs_ready = True
            for config in self._configs.values():
                config.bind_settings(settings)
            if settings is not None:
                settings.check_unknown()
            for config in self._configs.values():
                config.import_part("models")
            self.models_ready = True
            for config in self._configs.values():
                config.ready()
            self.ready = True
        except BaseException:
            self.reset()
            raise
        finally:
            self._loading = False

    def _load_configs(self, installed_apps: Sequence[str]) -> None:
        by_name: dict[str, str] = {}
        for entry in installed_apps:
            config = create_config(entry)
            if config.label == RESERVED_LABEL:
                raise ImproperlyConfigured(
                    f"App label {RESERVED_LABEL!r} is reserved for kwik itself (its settings and "
                    f"core commands); set a different `label` on the AppConfig of {config.name!r}"
                )
            if config.name in by_name:
                raise ImproperlyConfigured(
                    f"App {config.name!r} is installed twice (as {by_name[config.name]!r} and "
                    f"{entry!r}); keep one entry in INSTALLED_APPS"
                )
            if config.label in self._configs:
                other = self._configs[config.label]
                raise ImproperlyConfigured(
                    f"App labels aren't unique: {config.name!r} and {other.name!r} are both "
                    f"labelled {config.label!r}. Set a different `label` on one's AppConfig."
                )
            by_name[config.name] = entry
            self._configs[config.label] = config

    def reset(self) -> None:
        """Forget every app, so `populate()` can run again (tests switching projects)."""
        self._configs.clear()
        self.configs_ready = self.models_ready = self.ready = False

    def check_ready(self) -> None:
        """Raise unless `populate()` finished."""
        if not self.ready:
            raise AppRegistryNotReady(
                "Apps aren't loaded yet: call kwik.setup() first (the kwik command, manage.py, "
                "kwik.asgi.get_application() and the pytest plugin do it for you)"
            )

    def get_app_configs(self) -> list[AppConfig]:
        """Installed apps in INSTALLED_APPS order."""
        self.check_ready()
        return list(self._configs.values())

    def __iter__(self) -> Iterator[AppConfig]:
        return iter(self.get_app_configs())

    def get_app_config(self, label: str) -> AppConfig:
        """The app labelled `label`; LookupError (with a suggestion) when none is installed."""
        self.check_ready()
        try:
            return self._configs[label]
        except KeyError:
            raise LookupError(
                f"No installed app with label {label!r}.{did_you_mean(label, self._configs)}"
            ) from None

    def is_installed(self, name: str) -> bool:
        """Whether an app whose package is `name` is installed."""
        self.check_ready()
        return any(config.name == name for config in self._configs.values())

    def get_models(self) -> list[type[Any]]:
        """Every installed app's models, app by app in INSTALLED_APPS order."""
        return [model for config in self.get_app_configs() for model in config.get_models()]

    def get_model(self, name: str) -> type[Any]:
        """The model `app_label.ModelName` (e.g. `catalog.Product`); LookupError if none."""
        label, _, model_name = name.partition(".")
        models = {model.__name__: model for model in self.get_app_config(label).get_models()}
        try:
            return models[model_name]
        except KeyError:
            raise LookupError(
                f"App {label!r} has no model {model_name!r}.{did_you_mean(model_name, models)}"
            ) from None

    def get_containing_app_config(self, module_name: str) -> AppConfig | None:
        """The installed app whose package contains `module_name` (the innermost one).

        Usable from the models phase on, so a model class can find its app while it is defined.
        """
        if not self.configs_ready:
            self.check_ready()
        candidates = [
            config
            for config in self._configs.values()
            if module_name == config.name or module_name.startswith(config.name + ".")
        ]
        return max(candidates, key=lambda config: len(config.name), default=None)


apps = Apps()
