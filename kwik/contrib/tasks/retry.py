"""When a failed run is tried again: the retry decision and the backoff before it.

Backoff is exponential with "equal jitter": retry n waits between half and all of
`backoff * 2**(n-1)` seconds (at most MAX_BACKOFF). The jitter spreads out the retries of jobs
that failed together (a provider that was down for a minute), so they don't all come back at
the same moment and fail together again.
"""

from __future__ import annotations

import random

from kwik.contrib.tasks.task import Backoff, TaskOptions

__all__ = ["MAX_BACKOFF", "retry_delay", "should_retry"]

MAX_BACKOFF = 3600.0
"""Seconds: the longest wait exponential backoff reaches (a callable backoff isn't capped)."""


def retry_delay(backoff: Backoff, retry: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `retry` (1 for the first retry)."""
    if callable(backoff):
        return max(0.0, float(backoff(retry)))
    ceiling = min(backoff * 2 ** (retry - 1), MAX_BACKOFF)
    draw = (rng or random).random()
    return ceiling / 2 + draw * ceiling / 2


def should_retry(error: BaseException, options: TaskOptions, attempt: int) -> bool:
    """True when run `attempt` (1-based) failed with `error` and the job should run again."""
    if attempt >= options.max_attempts:
        return False
    return not options.retry_on or isinstance(error, options.retry_on)
