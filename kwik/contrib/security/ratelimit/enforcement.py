"""Checking a policy for a bucket: the step the route dependencies, the default-limit
middleware and other apps' code (`enforce`: API keys' tiers) share.

A refused check raises the 429 problem; an allowed one leaves its `RateLimit-Policy` and
`RateLimit` header pairs in `scope["kwik.ratelimit_headers"]`, which SecurityMiddleware adds to
the response (RATE_LIMIT_HEADERS turns them off).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.types import Scope

from kwik.conf import settings
from kwik.contrib.security.ratelimit.backends import (
    Hit,
    RateLimitBackend,
    get_backend,
    storage_key,
)
from kwik.contrib.security.ratelimit.limits import Algorithm, Limit
from kwik.contrib.security.ratelimit.policy import Decision, Policy, compile_policy
from kwik.contrib.security.ratelimit.problems import too_many_requests
from kwik.exceptions import ImproperlyConfigured

__all__ = ["HEADERS_SCOPE_KEY", "Runtime", "apply", "check", "current_runtime", "enforce"]

HEADERS_SCOPE_KEY = "kwik.ratelimit_headers"


@dataclass(frozen=True, slots=True)
class Runtime:
    """The settings a check reads, and the backend, looked up once per settings change."""

    enabled: bool
    headers: bool
    algorithm: Algorithm
    api_key_header: bytes
    backend: RateLimitBackend


_runtime: tuple[object, Runtime] | None = None


def current_runtime() -> Runtime:
    """The Runtime of the current settings (rebuilt when tests override security settings)."""
    global _runtime
    try:
        group = settings.unwrap().group("security")
    except KeyError:
        raise ImproperlyConfigured(
            "Rate limits need kwik.contrib.security: add it to INSTALLED_APPS (its middleware "
            "sends the RateLimit headers, and its settings choose where counters live)"
        ) from None
    if _runtime is None or _runtime[0] is not group:
        _runtime = (
            group,
            Runtime(
                enabled=settings.RATE_LIMIT_ENABLED,
                headers=settings.RATE_LIMIT_HEADERS,
                algorithm=settings.RATE_LIMIT_ALGORITHM,
                api_key_header=settings.API_KEY_HEADER.lower().encode("latin-1"),
                backend=get_backend(),
            ),
        )
    return _runtime[1]


async def check(policy: Policy, bucket: str, runtime: Runtime) -> Decision:
    """Spend the policy's cost from `bucket`'s counters, if every limit allows it."""
    algorithm = policy.algorithm or runtime.algorithm
    cost = policy.cost
    suffixes = policy.suffixes[algorithm]
    hits = [
        Hit(storage_key(bucket, limit, algorithm, suffixes[index]), limit, algorithm, cost)
        for index, limit in enumerate(policy.limits)
    ]
    outcomes = tuple(await runtime.backend.hit(hits))
    allowed = True
    for outcome in outcomes:
        allowed = allowed and outcome.allowed
    return Decision(policy, outcomes, allowed)


async def apply(scope: Scope, policy: Policy, bucket: str, runtime: Runtime) -> Decision:
    """`check`, then the 429 when refused, or the headers noted in the scope when allowed."""
    decision = await check(policy, bucket, runtime)
    if not decision.allowed:
        raise too_many_requests(decision, with_headers=runtime.headers)
    if runtime.headers:
        scope.setdefault(HEADERS_SCOPE_KEY, []).extend(decision.header_pairs())
    return decision


@functools.lru_cache(maxsize=256)
def _policy(
    limits: str | tuple[Limit, ...], cost: int, algorithm: str | None, label: str
) -> Policy:
    return compile_policy(limits, cost=cost, algorithm=algorithm, label=label)


async def enforce(
    connection: HTTPConnection,
    limits: str | Sequence[Limit] | Policy,
    key: str,
    *,
    cost: int = 1,
    algorithm: str | None = None,
    name: str = "key",
) -> Decision | None:
    """Count this request against `limits` for `key`, from code rather than a route option.

    Raises the 429 HTTPError when a limit refuses; otherwise notes the RateLimit headers for
    the response and returns the Decision (None when RATE_LIMIT_ENABLED is off). Counters are
    per `name` and `key`, whatever route the request is on; `name` also names the limits in
    the headers (`"pro:100/second"`). Text is parsed once per distinct value.

    Example:
        await enforce(request, tier_limits, f"apikey:{key.key_id}", name=key.tier)
    """
    runtime = current_runtime()
    if not runtime.enabled:
        return None
    if isinstance(limits, Policy):
        policy = limits
    else:
        text = limits if isinstance(limits, str) else tuple(limits)
        policy = _policy(text, cost, algorithm, name)
    return await apply(connection.scope, policy, f"{name}|{key}", runtime)
