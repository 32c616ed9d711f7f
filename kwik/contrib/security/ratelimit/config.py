"""Rate limits named in settings: checked at start-up, added to routes by name.

RATE_LIMIT_ROUTES maps route names (`auth:login`; `*` matches any characters: `catalog:*`) to a
limit text or `{"limit": ..., "key": ..., "cost": ..., "algorithm": ..., "name": ...}` (the
options of `rate_limit`). Security's AppConfig adds the matching limits to HTTP routes when the
routing table is built, before the routes' own dependencies; each route counts apart unless
the entry has a `name`.
"""

from __future__ import annotations

import importlib.util
import re
from typing import Any

from starlette.routing import BaseRoute

from kwik.contrib.security.ratelimit.backends import BUILTIN_BACKENDS, build_backend
from kwik.contrib.security.ratelimit.dependency import RateLimit
from kwik.contrib.security.ratelimit.policy import compile_policy
from kwik.exceptions import ImproperlyConfigured
from kwik.http.params import Depends
from kwik.http.routing import Route
from kwik.suggestions import did_you_mean

__all__ = ["check_rate_limit_settings", "route_rules", "settings_limits"]

_OPTIONS = ("limit", "key", "cost", "algorithm", "name")

_rules: tuple[object, list[tuple[re.Pattern[str], RateLimit]]] | None = None


def _pattern(glob: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in glob.split("*")))


def _route_limit(pattern: str, entry: Any) -> RateLimit:
    where = f"RATE_LIMIT_ROUTES[{pattern!r}]"
    options: dict[str, Any] = {"limit": entry} if isinstance(entry, str) else dict(entry)
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise ImproperlyConfigured(
            f"{where}: unknown option {unknown[0]!r}; use {', '.join(_OPTIONS)}."
            f"{did_you_mean(unknown[0], _OPTIONS)}"
        )
    if "limit" not in options:
        raise ImproperlyConfigured(f'{where} needs a "limit" ("10/minute; 100/hour")')
    limit = options.pop("limit")
    if not isinstance(limit, str):
        raise ImproperlyConfigured(f"{where}: the limit must be text like '10/minute'")
    try:
        return RateLimit(limit, **options)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"{where}: {exc}") from None


def route_rules() -> list[tuple[re.Pattern[str], RateLimit]]:
    """RATE_LIMIT_ROUTES compiled: (pattern, limit) pairs, built once per settings."""
    global _rules
    from kwik.conf import settings

    group = settings.group("security")
    if _rules is None or _rules[0] is not group:
        rules = [
            (_pattern(pattern), _route_limit(pattern, entry))
            for pattern, entry in settings.RATE_LIMIT_ROUTES.items()
        ]
        _rules = (group, rules)
    return _rules[1]


def _check_backend(name: str, redis_url: str | None) -> None:
    if name == "redis":
        if not redis_url:
            raise ImproperlyConfigured(
                "RATE_LIMIT_BACKEND is 'redis' but RATE_LIMIT_REDIS_URL is not set: set it to "
                "the server's URL (redis://host:6379/0)"
            )
        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured(
                "RATE_LIMIT_BACKEND 'redis' needs the redis package: pip install 'kwik[redis]'"
            )
    elif name not in BUILTIN_BACKENDS:
        build_backend(name)  # imports and instantiates the class: a bad path fails now


def check_rate_limit_settings() -> None:
    """Refuse, naming the setting, what the rate limits could not run with: an unreadable
    limit, a cost above its limit, an unknown key or option, a backend that can't be built."""
    from kwik.conf import settings

    _check_backend(settings.RATE_LIMIT_BACKEND, settings.RATE_LIMIT_REDIS_URL)
    if settings.RATE_LIMIT_DEFAULT is not None:
        try:
            compile_policy(settings.RATE_LIMIT_DEFAULT, label="default")
        except ImproperlyConfigured as exc:
            raise ImproperlyConfigured(f"RATE_LIMIT_DEFAULT: {exc}") from None
    for tier, text in settings.API_KEY_RATE_LIMIT_TIERS.items():
        try:
            compile_policy(text, label=tier)
        except ImproperlyConfigured as exc:
            raise ImproperlyConfigured(f"API_KEY_RATE_LIMIT_TIERS[{tier!r}]: {exc}") from None
    route_rules()


def settings_limits(route: BaseRoute) -> list[Depends]:
    """The RATE_LIMIT_ROUTES limits whose pattern matches `route`'s name (HTTP routes only;
    none while RATE_LIMIT_ENABLED is off)."""
    from kwik.conf import settings

    if not isinstance(route, Route) or not settings.RATE_LIMIT_ENABLED:
        return []
    name = route.name or ""
    return [limit for pattern, limit in route_rules() if pattern.fullmatch(name)]
