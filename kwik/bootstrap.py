"""`kwik.setup()`: load the project's settings, then its apps. Everything else starts here."""

from __future__ import annotations

from kwik.exceptions import ImproperlyConfigured

__all__ = ["reset", "setup"]


def setup(settings_module: str | None = None) -> None:
    """Load settings and populate the app registry; later calls do nothing.

    `settings_module` wins over KWIK_SETTINGS_MODULE and pyproject.toml. Scripts call this before
    using models; the CLI, `get_application()` and the pytest plugin call it themselves.
    """
    from kwik.apps import apps
    from kwik.conf import settings
    from kwik.conf.settings import load_settings

    if settings.configured:
        loaded = settings.unwrap()
        if settings_module and loaded.module != settings_module:
            raise ImproperlyConfigured(
                f"Settings are already loaded from {loaded.module!r}; cannot switch to "
                f"{settings_module!r} in the same process"
            )
    else:
        loaded = load_settings(settings_module)
        settings.configure(loaded)
    try:
        apps.populate(loaded.INSTALLED_APPS, loaded)
    except BaseException:
        settings.reset()
        raise


def reset() -> None:
    """Forget the loaded project (settings and apps), for tests that load several projects."""
    from kwik.apps import apps
    from kwik.conf import settings
    from kwik.db.database import reset_database

    apps.reset()
    settings.reset()
    reset_database()
