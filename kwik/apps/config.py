"""`AppConfig`: what kwik knows about one installed app, and where its parts live by convention.

An app is a Python package. Kwik finds its parts by name (`models`, `routes`, `admin`, `tasks`,
`commands` modules; `templates/`, `static/`, `migrations/` folders), so a new app needs no
registration code. A package may subclass `AppConfig` in its `apps.py` to set a label, a route
prefix, its own settings, start-up and shutdown hooks, checks or exception handlers.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

from kwik.conf.models import AppSettings
from kwik.exceptions import ImproperlyConfigured
from kwik.imports import import_optional

if TYPE_CHECKING:
    import click
    from sqlalchemy.ext.asyncio import AsyncConnection
    from starlette.middleware import Middleware
    from starlette.routing import BaseRoute

    from kwik.checks.messages import CheckMessage
    from kwik.conf.settings import Settings
    from kwik.http.openapi.project import ApiDocument
    from kwik.http.params import Depends
    from kwik.http.routing import Router

__all__ = ["PARTS", "AppConfig"]

PARTS = ("models", "routes", "admin", "tasks", "commands")
"""The conventional modules of an app, imported on first use (models at start-up)."""


class AppConfig:
    """One installed app.

    Example (`catalog/apps.py`):
        class CatalogConfig(AppConfig):
            verbose_name = "Product catalog"
            route_prefix = "/api/catalog"
            settings_model = CatalogSettings

            def ready(self) -> None:
                ...  # everything is imported and validated by now
    """

    name: str = ""
    """Dotted path of the app's package; inferred from where `apps.py` lives when left empty."""
    label: str = ""
    """Short unique name (default: last part of `name`); used in table names and route names."""
    verbose_name: str = ""
    route_prefix: str | None = None
    """Where the app's routes are mounted (default `/<label>`; `""` mounts them at the root)."""
    settings_model: ClassVar[type[AppSettings] | None] = None
    exception_handlers: ClassVar[Mapping[type[BaseException] | int, Callable[..., Any]]] = {}
    """Extra exception handlers this app adds to the application (by exception class or status)."""
    default: ClassVar[bool] = False
    """Pick this class when `apps.py` defines several configs."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.name = self.name or module.__name__
        self.label = self.label or self.name.rpartition(".")[2]
        if not self.label.isidentifier():
            raise ImproperlyConfigured(
                f"App {self.name!r} has label {self.label!r}, which is not a Python identifier;"
                " set `label` on its AppConfig"
            )
        self.verbose_name = self.verbose_name or self.label.replace("_", " ").capitalize()
        if self.route_prefix is None:
            self.route_prefix = f"/{self.label}"
        if self.route_prefix and not self.route_prefix.startswith("/"):
            raise ImproperlyConfigured(
                f"App {self.name!r} has route_prefix {self.route_prefix!r}; it must start with '/' "
                "(or be '' to mount the app's routes at the root)"
            )
        self.path = self._find_path(module)
        self._settings: AppSettings | None = None
        self._bound_to: Settings | None = None
        self._parts: dict[str, ModuleType | None] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.label}>"

    def _find_path(self, module: ModuleType) -> Path:
        locations = list(getattr(module, "__path__", []))
        if len(locations) == 1:
            return Path(locations[0])
        if getattr(module, "__file__", None):
            return Path(module.__file__).parent  # type: ignore[arg-type]
        raise ImproperlyConfigured(
            f"App {self.name!r} is a namespace package spread over {locations}; "
            "give it an __init__.py"
        )

    @property
    def settings(self) -> AppSettings | None:
        """This app's `settings_model` values as in effect now (test overrides included)."""
        if self._bound_to is not None:
            return self._bound_to.group(self.label)
        return self._settings

    def bind_settings(self, settings: Settings | None) -> None:
        """Validate `settings_model` against the project's settings (or take its defaults).

        Called once by the registry. Reads go through `settings`, so `override_settings` is seen
        through `app_config.settings` as through `kwik.conf.settings`.
        """
        model = self.settings_model
        if model is None:
            return
        if settings is None:
            self._settings = model()
        else:
            settings.bind(self.label, model)
            self._bound_to = settings

    # Hooks an app overrides ------------------------------------------------------------------

    def ready(self) -> None:
        """Run once when every app's models are imported and settings validated."""

    async def startup(self) -> None:
        """Run when the ASGI application starts, in INSTALLED_APPS order."""

    async def shutdown(self) -> None:
        """Run when the ASGI application stops, in reverse INSTALLED_APPS order."""

    def check(self, *, deploy: bool = False) -> list[CheckMessage]:
        """This app's own system checks (`kwik check`); `deploy` adds production checks."""
        return []

    def middleware(self) -> list[Middleware]:
        """ASGI middleware this app wraps around the whole application (kwik.asgi).

        Apps' middleware is outermost, in INSTALLED_APPS order (the first app's outside), and
        wraps the server-error handler, so headers it adds are on 500 responses too; the
        project's MIDDLEWARE runs inside it. Called once, when the application is built.
        """
        return []

    def route_dependencies(self, route: BaseRoute) -> Sequence[Depends]:
        """Dependencies this app adds to `route` of the project's routing table, run before the
        route's own (security adds CSRF checks and the rate limits settings name by route).

        Called once per route when the routing table is built (`kwik.asgi.get_routes`), so what
        it adds is compiled into the route's plan and documented in OpenAPI like a dependency
        written on the route.
        """
        return ()

    def rewrite_routes(self, routes: list[BaseRoute]) -> list[BaseRoute]:
        """The routing table with this app's changes (versioning compiles each route's API
        versions into it here); the identity by default.

        Called once when the routing table is built, after every app's `route_dependencies`,
        in INSTALLED_APPS order, each app getting the table the one before it returned.
        """
        return routes

    def api_documents(self) -> Sequence[ApiDocument]:
        """The OpenAPI documents this app splits the project's document into (one per API
        version); none by default. See `kwik.http.openapi.project`."""
        return ()

    def template_globals(self) -> Mapping[str, Any]:
        """Names this app adds to every template (`{{ csp_nonce() }}`), read when the template
        environment is built; a function that needs the request takes Jinja's context."""
        return {}

    async def post_migrate(self, connection: AsyncConnection) -> None:
        """Run after every `kwik migrate` (and `kwik.migrations.migrate_to_heads`), in
        INSTALLED_APPS order, for rows an app keeps in step with the models (auth's permissions).

        Every app's hook runs in one transaction on `connection`, which kwik commits when the
        last hook returns: don't commit. It runs even when nothing was applied and after
        unapplying, so check that the tables it writes to exist, and keep it cheap.
        """

    # Conventional parts ----------------------------------------------------------------------

    def import_part(self, part: str) -> ModuleType | None:
        """The app's `part` module (see PARTS), imported once; None when the app has none."""
        if part not in self._parts:
            dotted = f"{self.name}.{part}"
            self._parts[part] = import_optional(dotted, what=f"App {self.label!r}: {dotted}")
        return self._parts[part]

    @property
    def router(self) -> Router | None:
        """The `router` of the app's `routes` module, if it has one."""
        from kwik.http.routing import Router

        routes = self.import_part("routes")
        if routes is None:
            return None
        found = getattr(routes, "router", None)
        if not isinstance(found, Router):
            raise ImproperlyConfigured(
                f"{routes.__name__} must define `router = Router()` (a kwik.http.Router); "
                f"found {type(found).__name__}"
            )
        return found

    @property
    def commands(self) -> list[click.Command]:
        """CLI commands from the app's `commands` module.

        The module's `commands` list when it has one; otherwise every click command defined in
        the module itself, except subcommands of its groups (they run under their group) and
        commands imported from elsewhere (they are not picked up twice).
        """
        import click

        module = self.import_part("commands")
        if module is None:
            return []
        listed = getattr(module, "commands", None)
        if listed is not None:
            return list(listed)
        defined = [
            value
            for value in vars(module).values()
            if isinstance(value, click.Command) and inspect.getmodule(value.callback) is module
        ]
        nested = {
            id(sub)
            for group in defined
            if isinstance(group, click.Group)
            for sub in group.commands.values()
        }
        return [command for command in defined if id(command) not in nested]

    def get_models(self) -> list[type[Any]]:
        """This app's mapped model classes (subclasses of kwik.db.Model), in definition order.

        A model can only exist once kwik.db.models is imported; until then there is none, and
        importing it to find none would load SQLAlchemy (about 20 MiB) into a project without
        models.
        """
        models = sys.modules.get("kwik.db.models")
        if models is None:
            return []
        Model = models.Model

        owned = {
            mapper.local_table.name: mapper.class_
            for mapper in Model.registry.mappers
            if mapper.local_table is not None
            and mapper.local_table.info.get("app_label") == self.label
            and (mapper.class_.__module__ + ".").startswith(self.name + ".")
        }
        return [owned[name] for name in Model.metadata.tables if name in owned]

    def folder(self, name: str) -> Path | None:
        """`templates`, `static` or `migrations` inside the app, when it exists."""
        candidate = self.path / name
        return candidate if candidate.is_dir() else None

    @property
    def templates_dir(self) -> Path | None:
        return self.folder("templates")

    @property
    def static_dir(self) -> Path | None:
        return self.folder("static")

    @property
    def migrations_dir(self) -> Path | None:
        return self.folder("migrations")
