"""`Kwik`: the ASGI application class, a Starlette application with kwik's defaults.

Errors are problem documents unless other handlers are given, request bodies are limited to
MAX_REQUEST_BODY_SIZE, and tests may replace dependencies through `dependency_overrides`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from kwik.http.limits import BodySizeLimit
from kwik.http.problems import http_exception_handler, server_error_handler

__all__ = ["Kwik", "default_max_body_size"]


class _FromSettings:
    def __repr__(self) -> str:
        return "MAX_REQUEST_BODY_SIZE"


FROM_SETTINGS: Any = _FromSettings()


def default_max_body_size() -> int:
    """MAX_REQUEST_BODY_SIZE when a project is loaded, else its default (1 MiB)."""
    from kwik.conf import settings
    from kwik.conf.models import CoreSettings

    if settings.configured:
        return int(settings.MAX_REQUEST_BODY_SIZE)
    return int(CoreSettings.model_fields["MAX_REQUEST_BODY_SIZE"].default)


class Kwik(Starlette):
    """Starlette, plus `dependency_overrides` for tests, problem+json errors by default, and a
    request body limit.

    `max_body_size` defaults to the MAX_REQUEST_BODY_SIZE setting (read when the application is
    built); None turns the limit off. `outer_middleware` wraps everything, the server-error
    handler included, so what it adds to a response (security headers, CORS) is on a 500 too;
    `middleware` runs inside that handler, as in Starlette.

    Example:
        app.dependency_overrides[get_current_user] = lambda: alice
    """

    def __init__(
        self,
        *args: Any,
        exception_handlers: Mapping[Any, Callable[..., Any]] | None = None,
        max_body_size: int | None = FROM_SETTINGS,
        outer_middleware: Sequence[Middleware] = (),
        **kwargs: Any,
    ) -> None:
        self.outer_middleware = list(outer_middleware)
        handlers: dict[Any, Callable[..., Any]] = {
            HTTPException: http_exception_handler,
            Exception: server_error_handler,
        }
        handlers.update(exception_handlers or {})
        super().__init__(*args, exception_handlers=handlers, **kwargs)
        if max_body_size is FROM_SETTINGS:
            max_body_size = default_max_body_size()
        if max_body_size is not None:
            # Outermost of the user middleware, as Starlette places its own limit.
            self.user_middleware.insert(0, Middleware(BodySizeLimit, max_body_size=max_body_size))
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}

    def build_middleware_stack(self) -> ASGIApp:
        app = super().build_middleware_stack()
        for cls, args, kwargs in reversed(self.outer_middleware):
            app = cls(app, *args, **kwargs)
        return app
