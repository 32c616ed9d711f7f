"""RATE_LIMIT_DEFAULT: one limit every HTTP request passes, per client address, before routing.

A pure ASGI middleware (no BaseHTTPMiddleware, no Request object): it reads the address from
the scope, checks the policy, and answers a refused request with the 429 problem itself, so a
flood of requests costs one counter update each and never reaches routing, dependencies or the
database session. It runs inside SecurityMiddleware, which has set the client's address from a
trusted proxy.

It is a safety net, not a quota clients pace themselves by: its 429 carries the RateLimit
headers, but allowed responses don't (a route's own limits report theirs; two policies in one
`RateLimit` header would contradict each other), which also keeps it cheap on every request.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from kwik.contrib.security.ratelimit.backends.memory import MemoryBackend
from kwik.contrib.security.ratelimit.enforcement import check, current_runtime
from kwik.contrib.security.ratelimit.keys import client_address
from kwik.contrib.security.ratelimit.policy import Policy, compile_policy
from kwik.contrib.security.ratelimit.problems import too_many_requests_response

__all__ = ["DefaultLimitMiddleware", "default_limit_middleware"]


class DefaultLimitMiddleware:
    """Limits every HTTP request by `policy`, per client address."""

    def __init__(self, app: ASGIApp, *, policy: Policy) -> None:
        self.app = app
        self.policy = policy
        self.runtime = current_runtime()  # the settings of the application being built
        algorithm = policy.algorithm or self.runtime.algorithm
        limit = policy.limits[0]
        # The fast lane: one GCRA limit in this process's memory (the development backend,
        # and what the overhead benchmark measures) is decided inline on every request.
        self.fast = (
            isinstance(self.runtime.backend, MemoryBackend)
            and algorithm == "gcra"
            and len(policy.limits) == 1
            and policy.cost == 1
        )
        self.period = float(limit.period)
        self.interval = limit.period / limit.count
        self.suffix = policy.suffixes[algorithm][0]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bucket = "default|ip:" + client_address(scope)
        if self.fast:
            backend: MemoryBackend = self.runtime.backend  # type: ignore[assignment]
            if backend.take_gcra(bucket + self.suffix, self.period, self.interval):
                await self.app(scope, receive, send)
                return
        runtime = self.runtime
        decision = await check(self.policy, bucket, runtime)
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        response = too_many_requests_response(decision, with_headers=runtime.headers)
        await response(scope, receive, send)


def default_limit_middleware() -> list[Middleware]:
    """The middleware when RATE_LIMIT_DEFAULT is set and RATE_LIMIT_ENABLED is on, else none."""
    from kwik.conf import settings

    if not settings.RATE_LIMIT_ENABLED or settings.RATE_LIMIT_DEFAULT is None:
        return []
    policy = compile_policy(settings.RATE_LIMIT_DEFAULT, label="default")
    return [Middleware(DefaultLimitMiddleware, policy=policy)]
