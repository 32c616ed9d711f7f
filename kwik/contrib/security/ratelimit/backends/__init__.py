"""Where rate-limit counters live: the backend protocol, and the one backend of the process.

RATE_LIMIT_BACKEND picks it: `memory` (this process only: development and tests),
`database` (the project's database, shared by every process), `redis` (RATE_LIMIT_REDIS_URL),
or the dotted path of a class taking no arguments that implements `RateLimitBackend`.

A backend is built on first use and kept for the process; it is built again when the settings
naming it change (tests), and `close_backend()` (application shutdown) closes its connections.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

from kwik.contrib.security.ratelimit.algorithms import Outcome
from kwik.contrib.security.ratelimit.limits import Algorithm, Limit
from kwik.exceptions import ImproperlyConfigured

__all__ = [
    "BUILTIN_BACKENDS",
    "Hit",
    "RateLimitBackend",
    "build_backend",
    "close_backend",
    "get_backend",
    "key_suffix",
    "storage_key",
]

BUILTIN_BACKENDS = ("memory", "database", "redis")
_ALGORITHM_CODES = {"gcra": "g", "fixed-window": "f", "sliding-window": "s"}
_MAX_KEY = 200


class Hit(NamedTuple):
    """`cost` units against `limit` for the counter stored under `key`, with `algorithm`."""

    key: str
    limit: Limit
    algorithm: Algorithm
    cost: int = 1


@runtime_checkable
class RateLimitBackend(Protocol):
    """Counters shared by whoever shares the backend.

    `hit` decides every hit of one check at once, all or nothing: when one limit refuses, no
    counter moves (a request refused by its hourly limit doesn't spend its per-second one).
    It returns one Outcome per hit, in order. Backends read the time from their `clock`
    (`time.time` unless a test gives another), so tests move time instead of sleeping.

    Example:
        class Unlimited:
            async def hit(self, hits):
                return [Outcome(True, State(0.0), h.limit.count, 0.0) for h in hits]

            async def close(self):
                pass
    """

    async def hit(self, hits: Sequence[Hit]) -> list[Outcome]: ...

    async def close(self) -> None: ...


def key_suffix(limit: Limit, algorithm: Algorithm) -> str:
    """What a bucket's counter key ends with for `limit` counted by `algorithm`."""
    return f"#{limit.count}/{limit.period}{_ALGORITHM_CODES[algorithm]}"


def storage_key(bucket: str, limit: Limit, algorithm: Algorithm, suffix: str = "") -> str:
    """The counter's key: the bucket (who, where), the limit and the algorithm, so each limit
    of a policy, and each algorithm, counts apart. Long buckets (a callable's key) are hashed
    to fit the database column."""
    suffix = suffix or key_suffix(limit, algorithm)
    if len(bucket) + len(suffix) > _MAX_KEY:
        bucket = "sha256:" + hashlib.sha256(bucket.encode()).hexdigest()
    return bucket + suffix


def build_backend(name: str, *, redis_url: str | None = None) -> RateLimitBackend:
    """A new backend for the RATE_LIMIT_BACKEND value `name`."""
    from kwik.imports import import_string

    if name == "memory":
        from kwik.contrib.security.ratelimit.backends.memory import MemoryBackend

        return MemoryBackend()
    if name == "database":
        from kwik.contrib.security.ratelimit.backends.database import DatabaseBackend

        return DatabaseBackend()
    if name == "redis":
        from kwik.contrib.security.ratelimit.backends.redis import RedisBackend

        if not redis_url:
            raise ImproperlyConfigured(
                "RATE_LIMIT_BACKEND is 'redis' but RATE_LIMIT_REDIS_URL is not set: set it to "
                "the server's URL (redis://host:6379/0)"
            )
        return RedisBackend(redis_url)
    if "." not in name and ":" not in name:
        raise ImproperlyConfigured(
            f"RATE_LIMIT_BACKEND: {name!r} is neither one of {', '.join(BUILTIN_BACKENDS)} "
            "nor the dotted path of a backend class"
        )
    backend_class = import_string(name, setting="RATE_LIMIT_BACKEND")
    if not callable(backend_class):
        raise ImproperlyConfigured(f"RATE_LIMIT_BACKEND: {name!r} is not a class")
    backend = backend_class()
    if not isinstance(backend, RateLimitBackend):
        raise ImproperlyConfigured(
            f"RATE_LIMIT_BACKEND: {name!r} has no `async def hit(hits)` and `async def close()`"
        )
    return backend


_built: tuple[object, str, str | None, RateLimitBackend] | None = None
_retired: list[RateLimitBackend] = []


def get_backend() -> RateLimitBackend:
    """The process's backend, built on first use (again when the settings naming it change)."""
    global _built
    from kwik.conf import settings

    loaded = settings.unwrap()
    name, url = settings.RATE_LIMIT_BACKEND, settings.RATE_LIMIT_REDIS_URL
    if _built is None or _built[0] is not loaded or _built[1:3] != (name, url):
        if _built is not None:
            _retired.append(_built[3])
        _built = (loaded, name, url, build_backend(name, redis_url=url))
    return _built[3]


async def close_backend() -> None:
    """Close the backend's connections (and those of backends settings replaced); the next
    use opens new ones."""
    while _retired:
        await _retired.pop().close()
    if _built is not None:
        await _built[3].close()
