"""How kwik sees security: its settings, the middleware it wraps around the application, the
dependencies it adds to routes (CSRF, rate limits named in settings), template globals, checks,
and the rate-limit backend's life."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kwik.apps import AppConfig
from kwik.contrib.security.settings import SecuritySettings

if TYPE_CHECKING:
    from starlette.middleware import Middleware
    from starlette.routing import BaseRoute

    from kwik.checks.messages import CheckMessage
    from kwik.http.params import Depends

__all__ = ["SecurityConfig"]


class SecurityConfig(AppConfig):
    """Rate limits, security headers, CORS, CSRF and API keys (docs/security.md)."""

    name = "kwik.contrib.security"
    label = "security"
    verbose_name = "Security"
    route_prefix = "/security"
    settings_model = SecuritySettings

    def ready(self) -> None:
        """Refuse unsafe or malformed settings at start-up (a wildcard CORS origin with
        credentials, an unparsable limit), not at the first request."""
        from kwik.contrib.security.clients import check_trusted_proxies
        from kwik.contrib.security.cors import check_cors_settings
        from kwik.contrib.security.headers import check_header_settings
        from kwik.contrib.security.ratelimit.config import check_rate_limit_settings

        check_trusted_proxies()
        check_header_settings()
        check_cors_settings()
        check_rate_limit_settings()

    def middleware(self) -> list[Middleware]:
        from starlette.middleware import Middleware

        from kwik.contrib.security.middleware import SecurityMiddleware
        from kwik.contrib.security.ratelimit.middleware import default_limit_middleware

        return [Middleware(SecurityMiddleware), *default_limit_middleware()]

    def route_dependencies(self, route: BaseRoute) -> Sequence[Depends]:
        from kwik.contrib.security.csrf import csrf_dependencies
        from kwik.contrib.security.ratelimit.config import settings_limits

        return [*csrf_dependencies(route), *settings_limits(route)]

    def template_globals(self) -> Mapping[str, Any]:
        from kwik.contrib.security.csp import csp_template_globals
        from kwik.contrib.security.csrf import csrf_template_globals

        return {**csp_template_globals(), **csrf_template_globals()}

    def check(self, *, deploy: bool = False) -> list[CheckMessage]:
        from kwik.contrib.security.checks import security_checks

        return security_checks(deploy=deploy)

    async def shutdown(self) -> None:
        from kwik.contrib.security.ratelimit.backends import close_backend

        await close_backend()
