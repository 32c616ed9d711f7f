"""Kwik's own system checks: settings, apps and routes, plus production checks for `--deploy`.

Errors (stop `check`, runserver and migrate): kwik.E001 app parts, E002 routing table, E003
clashing routes, E004 clashing commands, E005 middleware and exception handlers, E006/W002
OPENAPI_URL and DOCS_URL against the project's routes, E007 the OpenAPI document. Warnings: W0xx;
the W1xx range is for `--deploy`. Contrib apps add theirs through `AppConfig.check()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kwik.apps import PARTS, apps
from kwik.checks.messages import CheckMessage, Error, Warning
from kwik.conf import settings
from kwik.conf.models import NEW_KEY_COMMAND, secret_key_problem
from kwik.exceptions import ImproperlyConfigured, KwikError
from kwik.http.openapi.checks import check_openapi
from kwik.imports import import_string
from kwik.migrations.checks import check_migrations

__all__ = ["BUILTIN_CHECKS", "DEPLOY_CHECKS", "NEEDS_WORKING_APPS", "Check"]


def check_app_parts() -> list[CheckMessage]:
    """Every conventional module of every app imports, and `routes` has a Router."""
    found = []
    for config in apps.get_app_configs():
        try:
            for part in PARTS:
                config.import_part(part)
            config.router  # noqa: B018 - validates the routes module's `router`
            config.commands  # noqa: B018
        except ImproperlyConfigured as exc:
            found.append(Error(str(exc), id="kwik.E001", obj=config.label))
    return found


def check_app_commands() -> list[CheckMessage]:
    """App commands neither shadow a core command nor clash with another app's."""
    from kwik.cli.group import app_commands

    try:
        app_commands()
    except KwikError as exc:
        return [Error(str(exc), id="kwik.E004", obj="commands")]
    return []


def _shape(path_regex: re.Pattern[str]) -> str:
    """The path pattern without parameter names: `/items/{id}` and `/items/{pk}` clash."""
    return re.sub(r"\(\?P<\w+>", "(", path_regex.pattern)


def check_routes() -> list[CheckMessage]:
    """The routing table builds, and no two routes answer the same method on the same path."""
    from kwik.asgi import get_routes
    from kwik.http.routing import Route

    try:
        routes = get_routes()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="kwik.E002", obj="routes")]
    found = []
    claimed: dict[tuple[str, str], list[Route]] = {}
    for route in routes:
        if not isinstance(route, Route):
            continue
        for method in sorted(route.methods or ()):
            earlier = claimed.setdefault((method, _shape(route.path_regex)), [])
            first = next((each for each in earlier if each.shadows(route)), None)
            earlier.append(route)
            if first is not None and method != "HEAD":
                found.append(
                    Error(
                        f"{method} {route.path} is routed twice: to {first.name} and {route.name}; "
                        "the second is never reached",
                        id="kwik.E003",
                        hint="Change one path, or the app's route_prefix",
                        obj=route.app_label or "project",
                    )
                )
    return found


def check_application_parts() -> list[CheckMessage]:
    """MIDDLEWARE and EXCEPTION_HANDLERS import, so the application builds at start-up."""
    from kwik.asgi import get_exception_handlers

    found = []
    for path in settings.MIDDLEWARE:
        try:
            import_string(path, setting="MIDDLEWARE")
        except ImproperlyConfigured as exc:
            found.append(Error(str(exc), id="kwik.E005", obj="settings"))
    try:
        get_exception_handlers()
    except ImproperlyConfigured as exc:
        found.append(Error(str(exc), id="kwik.E005", obj="settings"))
    return found


def check_folders() -> list[CheckMessage]:
    found = []
    for name in ("STATICFILES_DIRS", "TEMPLATE_DIRS"):
        for folder in getattr(settings, name):
            resolved = settings.core.resolve(folder)
            if not resolved.is_dir():
                found.append(
                    Warning(
                        f"{name} lists {str(resolved)!r}, which is not a folder",
                        id="kwik.W001",
                        obj="settings",
                    )
                )
    return found


def check_debug_off() -> list[CheckMessage]:
    if not settings.DEBUG:
        return []
    return [
        Warning(
            "DEBUG is on: error pages show tracebacks and settings",
            id="kwik.W101",
            hint="Set KWIK_DEBUG=false in production",
            obj="settings",
        )
    ]


def check_secret_key() -> list[CheckMessage]:
    problem = secret_key_problem(settings.SECRET_KEY)
    if problem is None:
        return []
    return [
        Warning(
            f"SECRET_KEY {problem}",
            id="kwik.W102",
            hint=f"Set KWIK_SECRET_KEY to the output of {NEW_KEY_COMMAND}",
            obj="settings",
        )
    ]


Check = Callable[[], list[CheckMessage]]

BUILTIN_CHECKS: list[Check] = [check_app_parts, check_folders]
NEEDS_WORKING_APPS: list[Check] = [
    check_app_commands,
    check_routes,
    check_application_parts,
    check_migrations,
    check_openapi,
]
"""Run only when check_app_parts found nothing: broken apps are reported once, by it."""
DEPLOY_CHECKS: list[Check] = [check_debug_off, check_secret_key]
