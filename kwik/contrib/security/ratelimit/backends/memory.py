"""`MemoryBackend`: counters in this process's memory, for development and tests.

Each process counts alone, so with several workers a client gets the limit once per worker;
`kwik check --deploy` warns about it. Keys whose state expired are purged every
`purge_interval` seconds, so memory holds only the clients seen within the longest period.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from kwik.contrib.security.ratelimit.algorithms import EPSILON, Outcome, State, decide, expires_at
from kwik.contrib.security.ratelimit.backends import Hit

__all__ = ["MemoryBackend"]


class MemoryBackend:
    """Process-local counters: a dict of key -> (state, expiry), behind a lock (a check reads
    and writes several keys, and tests may call from more than one thread)."""

    def __init__(
        self, *, clock: Callable[[], float] = time.time, purge_interval: float = 10.0
    ) -> None:
        self.clock = clock
        self.purge_interval = purge_interval
        self._states: dict[str, tuple[State, float]] = {}
        self._lock = threading.Lock()
        self._next_purge = 0.0

    def __len__(self) -> int:
        """How many keys are held (purged ones are gone)."""
        return len(self._states)

    async def hit(self, hits: Sequence[Hit]) -> list[Outcome]:
        now = self.clock()
        states = self._states
        with self._lock:
            if now >= self._next_purge:
                self._purge(now)
            if len(hits) == 1:  # the common case, kept short: this runs on every request
                hit = hits[0]
                held = states.get(hit.key)
                outcome = decide(hit.algorithm, held and held[0], now, hit.limit, hit.cost)
                if outcome.allowed:
                    expiry = expires_at(hit.algorithm, outcome.state, hit.limit)
                    states[hit.key] = (outcome.state, expiry)
                return [outcome]
            outcomes = []
            allowed = True
            for hit in hits:
                held = states.get(hit.key)
                outcome = decide(hit.algorithm, held and held[0], now, hit.limit, hit.cost)
                allowed = allowed and outcome.allowed
                outcomes.append(outcome)
            if allowed:
                for hit, outcome in zip(hits, outcomes, strict=True):
                    expiry = expires_at(hit.algorithm, outcome.state, hit.limit)
                    states[hit.key] = (outcome.state, expiry)
        return outcomes

    def take_gcra(self, key: str, period: float, interval: float) -> bool:
        """`hit` for one GCRA limit and a cost of 1, reduced to what the default limit's
        middleware needs on every request: whether the request is allowed (then counted).

        `hit`'s general path builds Outcomes and takes the lock, several microseconds per
        request; this runs on the event loop's thread only, where nothing interleaves with it.
        Both store the same State, so they can be mixed on one key.
        """
        now = self.clock()
        if now >= self._next_purge:
            self._purge(now)
        held = self._states.get(key)
        tat = held[1] if held is not None and held[1] > now else now
        tat += interval
        if tat - now > period + EPSILON:
            return False
        self._states[key] = (State(tat), tat)  # a GCRA state expires at its arrival time
        return True

    def _purge(self, now: float) -> None:
        expired = [key for key, (_, expiry) in self._states.items() if expiry <= now]
        for key in expired:
            del self._states[key]
        self._next_purge = now + self.purge_interval

    async def close(self) -> None:
        """Nothing to close; counters outlive an application restart in the same process."""
