"""Security's tables: API keys, and rate-limit counters for the `database` backend."""

from __future__ import annotations

from kwik.contrib.security.apikeys.models import APIKey
from kwik.contrib.security.ratelimit.table import RateLimitState

__all__ = ["APIKey", "RateLimitState"]
