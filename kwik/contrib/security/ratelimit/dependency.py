"""`rate_limit(...)`: a limit on a route or a router, usable as a dependency and as a decorator.

    router = Router(prefix="/search", dependencies=[rate_limit("100/minute")])

    @router.get("/export")
    @rate_limit("10/hour", key="user", cost=5)
    async def export(user: CurrentUser) -> Export: ...

Counters are per route and per client (the key): the same `rate_limit` on a router limits each
of its routes apart, unless it has a `name`, which makes every route it is on share them.
Keys: `"ip"` (the client's address, the default), `"user"` (the signed-in user; anonymous
requests count by address; needs kwik.contrib.auth), `"apikey"` (the key id of the request's API
key; requests without a well-formed key count by address), `"endpoint"` (one counter for
everyone), or a function `(request) -> str` (sync or async).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from starlette.requests import HTTPConnection

from kwik.contrib.security.ratelimit.enforcement import Runtime, apply, current_runtime
from kwik.contrib.security.ratelimit.keys import KEYS, api_key_id, client_address, route_name
from kwik.contrib.security.ratelimit.limits import Limit
from kwik.contrib.security.ratelimit.policy import Policy, compile_policy
from kwik.exceptions import ImproperlyConfigured
from kwik.http.params import Depends
from kwik.http.routing import attach_dependencies
from kwik.suggestions import did_you_mean

__all__ = ["KeyFunction", "RateLimit", "rate_limit"]

F = TypeVar("F", bound=Callable[..., Any])
KeyFunction = Callable[[HTTPConnection], "str | Awaitable[str]"]


class Limiter:
    """The dependency a RateLimit runs: works out the request's bucket and checks it.

    Keys read from the scope are handled here; the `user` key has a subclass (user_key.py)
    whose signature also takes auth's user, so only routes limited per user look one up.
    """

    guard = True
    """A guard (kwik.http.plans.split_guards): run first, at the cost of a call; it counts
    requests that turn out invalid too. UserLimiter, which takes auth's user, is a dependency."""

    def __init__(self, policy: Policy, name: str | None, key: str | KeyFunction) -> None:
        self.policy = policy
        self.name = name
        self.key = key
        self.__name__ = "rate_limit"
        self.__qualname__ = f"rate_limit({policy.text!r})"
        self._key_is_async = not isinstance(key, str) and (
            inspect.iscoroutinefunction(key)
            or inspect.iscoroutinefunction(getattr(key, "__call__", None))  # noqa: B004
        )

    @property
    def openapi_responses(self) -> dict[int, dict[str, Any]]:
        """429, on every route this limit is on (read when the route is compiled)."""
        from kwik.contrib.security.ratelimit.problems import OPENAPI_RESPONSES

        return OPENAPI_RESPONSES

    async def __call__(self, connection: HTTPConnection) -> None:
        runtime = current_runtime()
        if not runtime.enabled:
            return
        scope = connection.scope
        key = self.key
        if key == "ip":
            client = "ip:" + client_address(scope)
        elif key == "endpoint":
            client = "endpoint"
        elif key == "apikey":
            key_id = api_key_id(scope, runtime.api_key_header)
            client = f"apikey:{key_id}" if key_id else "ip:" + client_address(scope)
        else:
            assert callable(key)
            value = key(connection)
            client = "key:" + str(await value if self._key_is_async else value)  # type: ignore[misc]
        await self.limit(scope, client, runtime)

    async def limit(self, scope: Any, client: str, runtime: Runtime) -> None:
        """Check the policy for `client` in this limit's bucket (its name, else the route).
        HTTP requests only: a router's limit leaves its WebSocket routes alone."""
        if scope["type"] != "http":
            return
        bucket = f"{self.name or route_name(scope)}|{client}"
        await apply(scope, self.policy, bucket, runtime)


def _key_label(key: str | KeyFunction) -> str:
    if isinstance(key, str):
        if key not in KEYS:
            raise ImproperlyConfigured(
                f"rate_limit(key={key!r}): unknown key; use one of {', '.join(KEYS)}, or a "
                f"function (request) -> str.{did_you_mean(key, KEYS)}"
            )
        return key
    if not callable(key):
        raise ImproperlyConfigured(
            f"rate_limit(key=...) takes one of {', '.join(KEYS)} or a function, not {key!r}"
        )
    return "key"


def _auth_installed() -> bool | None:
    """Whether kwik.contrib.auth is installed; None before the registry knows its apps."""
    from kwik.apps import apps

    if not apps.configs_ready:
        return None
    found = apps.get_containing_app_config("kwik.contrib.auth")
    return found is not None and found.name == "kwik.contrib.auth"


def _user_limiter(policy: Policy, name: str | None) -> Limiter:
    if _auth_installed() is False:
        raise ImproperlyConfigured(
            "rate_limit(key='user') counts per signed-in user, which needs kwik.contrib.auth: "
            "add it to INSTALLED_APPS, or limit by 'ip' or 'apikey'"
        )
    from kwik.contrib.security.ratelimit.user_key import UserLimiter

    return UserLimiter(policy, name, "user")


class RateLimit(Depends):
    """A rate limit: a `Depends` (for `dependencies=[...]`) that is also a decorator (placed
    below the route decorator). Build it with `rate_limit()`."""

    __slots__ = ("policy",)

    def __init__(
        self,
        limits: str | list[Limit] | tuple[Limit, ...],
        *,
        key: str | KeyFunction = "ip",
        cost: int = 1,
        algorithm: str | None = None,
        name: str | None = None,
    ) -> None:
        label = _key_label(key)
        policy = compile_policy(limits, cost=cost, algorithm=algorithm, label=name or label)
        limiter = _user_limiter(policy, name) if key == "user" else Limiter(policy, name, key)
        super().__init__(limiter)
        self.policy = policy

    def __call__(self, handler: F) -> F:
        """`@rate_limit(...)` under `@router.get(...)`: every route serving `handler` runs it."""
        return attach_dependencies(handler, self)

    def __repr__(self) -> str:
        return f"rate_limit({self.policy.text!r}, label={self.policy.label!r})"


def rate_limit(
    limits: str | list[Limit] | tuple[Limit, ...],
    *,
    key: str | KeyFunction = "ip",
    cost: int = 1,
    algorithm: str | None = None,
    name: str | None = None,
) -> RateLimit:
    """A limit of `limits` (`"10/second; 500/hour"`) per `key`, each request costing `cost`.

    `algorithm` is `gcra` (a token bucket), `fixed-window` or `sliding-window` (default: the
    RATE_LIMIT_ALGORITHM setting). `name` makes every route the limit is on share its counters
    (and names it in the RateLimit headers). Everything is checked here, at declaration: a bad
    text, a cost above a limit, an unknown key.

    Example:
        @router.post("/login")
        @rate_limit("5/minute; 50/hour")
        async def login(credentials: Credentials) -> Token: ...

        api = Router(prefix="/api", dependencies=[rate_limit("100/second", key="apikey")])
    """
    return RateLimit(limits, key=key, cost=cost, algorithm=algorithm, name=name)
