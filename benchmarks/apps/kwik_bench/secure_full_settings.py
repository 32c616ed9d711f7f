"""The security benchmark project with more switched on: CORS for one allowed origin (wrk sends
no Origin, as most API clients) and a per-address limit on every request (RATE_LIMIT_DEFAULT) on
the memory backend, high enough that wrk never reaches it."""

from benchmarks.apps.kwik_bench.secure_settings import *  # noqa: F403

CORS_ALLOWED_ORIGINS = ["https://app.example"]

RATE_LIMIT_BACKEND = "memory"
RATE_LIMIT_DEFAULT = "1000000/second"
