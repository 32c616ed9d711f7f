"""Rate limits: per client address, user, API key or endpoint, declared on routes and routers
(`rate_limit`) or in settings (RATE_LIMIT_ROUTES, RATE_LIMIT_DEFAULT), counted by GCRA or
fixed or sliding windows, in memory, the project's database or Redis (docs/security.md).

    from kwik.contrib.security.ratelimit import rate_limit

    @router.get("/search")
    @rate_limit("10/second; 500/hour", key="user")
    async def search(q: str) -> list[Hit]: ...
"""

from __future__ import annotations

from kwik.contrib.security.ratelimit.algorithms import Outcome, State
from kwik.contrib.security.ratelimit.backends import (
    Hit,
    RateLimitBackend,
    close_backend,
    get_backend,
)
from kwik.contrib.security.ratelimit.dependency import RateLimit, rate_limit
from kwik.contrib.security.ratelimit.enforcement import enforce
from kwik.contrib.security.ratelimit.limits import ALGORITHMS, Limit, parse_limits
from kwik.contrib.security.ratelimit.policy import Decision, Policy, compile_policy
from kwik.contrib.security.ratelimit.problems import RATE_LIMITED, RateLimitedProblem

__all__ = [
    "ALGORITHMS",
    "RATE_LIMITED",
    "Decision",
    "Hit",
    "Limit",
    "Outcome",
    "Policy",
    "RateLimit",
    "RateLimitBackend",
    "RateLimitedProblem",
    "State",
    "close_backend",
    "compile_policy",
    "enforce",
    "get_backend",
    "parse_limits",
    "rate_limit",
]
