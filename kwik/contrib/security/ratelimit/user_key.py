"""The limiter of `rate_limit(key="user")`: counts per signed-in user, anonymous requests per
address. Imported only when such a limit is declared, since it needs kwik.contrib.auth."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from kwik.contrib.auth import OptionalUser
from kwik.contrib.security.ratelimit.dependency import Limiter
from kwik.contrib.security.ratelimit.enforcement import current_runtime
from kwik.contrib.security.ratelimit.keys import client_address

__all__ = ["UserLimiter"]


class UserLimiter(Limiter):
    """Takes auth's `OptionalUser`, so the request's credentials are checked once for the
    route and the limit together (a bad bearer token is auth's 401 before any counting)."""

    async def __call__(self, connection: HTTPConnection, user: OptionalUser) -> None:  # type: ignore[override]
        runtime = current_runtime()
        if not runtime.enabled:
            return
        scope = connection.scope
        client = f"user:{user.id}" if user is not None else "ip:" + client_address(scope)
        await self.limit(scope, client, runtime)
