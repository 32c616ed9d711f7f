"""`RedisBackend`: counters in Redis (RATE_LIMIT_REDIS_URL), shared by every process using it.

A check is one Lua script: Redis runs a script alone, so every limit of the check is decided
and, when all allow, written in one atomic step. Each key is a hash (`a`, `h`, `p`: the state
of algorithms.py) that expires when it limits nothing any more, so Redis forgets idle clients
itself. The script is algorithms.py in Lua; it returns the states it decided on, and the
numbers sent back (remaining quota, Retry-After) are computed from them in Python.

The time comes from this process's clock (the servers' clocks must agree, as with the
database backend), so tests can move it. Needs the `redis` package (`pip install kwik[redis]`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from kwik.contrib.security.ratelimit.algorithms import (
    EPSILON,
    Outcome,
    State,
    decide,
    report,
    window_start,
)
from kwik.contrib.security.ratelimit.backends import Hit
from kwik.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.commands.core import AsyncScript

__all__ = ["KEY_PREFIX", "RedisBackend"]

KEY_PREFIX = "kwik:ratelimit:"
_CODES = {"gcra": "g", "fixed-window": "f", "sliding-window": "s"}

# ARGV: now, epsilon, then per key: algorithm code, count, period, cost, window start.
# Returns {1 (all allowed) or 0, then per key a, h, p}: the new states when allowed, else the
# states refused on ('' for a key never seen). Numbers travel as '%.17g' text: Redis would
# truncate a Lua number to an integer, and '%.17g' reads back to the same double.
_SCRIPT = """
local now = tonumber(ARGV[1])
local eps = tonumber(ARGV[2])
local ok = true
local old, new = {}, {}
for i = 1, #KEYS do
  local j = 3 + (i - 1) * 5
  local alg = ARGV[j]
  local count = tonumber(ARGV[j + 1])
  local period = tonumber(ARGV[j + 2])
  local cost = tonumber(ARGV[j + 3])
  local start = tonumber(ARGV[j + 4])
  local held = redis.call('HMGET', KEYS[i], 'a', 'h', 'p')
  old[i] = held
  local a, h, p = tonumber(held[1]), tonumber(held[2]) or 0, tonumber(held[3]) or 0
  local allowed
  if alg == 'g' then
    local tat = now
    if a and a > now then tat = a end
    local after = tat + cost * (period / count)
    allowed = after - now <= period + eps
    new[i] = {after, 0, 0, after}
  else
    local current, previous = 0, 0
    if a == start then
      current, previous = h, p
    elseif a == start - period then
      previous = h
    end
    if alg == 'f' then
      allowed = current + cost <= count
      new[i] = {start, current + cost, 0, start + period}
    else
      local weight = (period - (now - start)) / period
      allowed = previous * weight + current + cost <= count + eps
      new[i] = {start, current + cost, previous, start + 2 * period}
    end
  end
  if not allowed then ok = false end
end
local out = {ok and 1 or 0}
for i = 1, #KEYS do
  if ok then
    local s = new[i]
    local a = string.format('%.17g', s[1])
    local h = string.format('%.17g', s[2])
    local p = string.format('%.17g', s[3])
    redis.call('HSET', KEYS[i], 'a', a, 'h', h, 'p', p)
    redis.call('PEXPIRE', KEYS[i], math.max(1, math.ceil((s[4] - now) * 1000)))
    out[#out + 1] = a
    out[#out + 1] = h
    out[#out + 1] = p
  else
    for k = 1, 3 do out[#out + 1] = old[i][k] or '' end
  end
end
return out
"""


def _state(values: Sequence[Any]) -> State | None:
    texts = [value.decode() if isinstance(value, bytes) else value for value in values]
    if texts[0] in (None, ""):
        return None
    return State(*(float(text) if text not in (None, "") else 0.0 for text in texts))


class RedisBackend:
    """Counters in Redis, one hash per key under KEY_PREFIX."""

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time) -> None:
        self.url = url
        self.clock = clock
        self._client: Redis | None = None
        self._script: AsyncScript | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"<RedisBackend {self.url.split('@')[-1]}>"

    def _connected(self) -> AsyncScript:
        """The script on a client of the running event loop (a client's connections belong to
        the loop that opened them, like kwik.db's engines)."""
        loop = asyncio.get_running_loop()
        if self._script is None or self._loop is not loop:
            try:
                from redis.asyncio import Redis
            except ImportError as exc:
                raise ImproperlyConfigured(
                    "RATE_LIMIT_BACKEND 'redis' needs the redis package: pip install 'kwik[redis]'"
                ) from exc
            self._client = Redis.from_url(self.url)
            self._script = self._client.register_script(_SCRIPT)
            self._loop = loop
        return self._script

    async def hit(self, hits: Sequence[Hit]) -> list[Outcome]:
        now = self.clock()
        script = self._connected()
        arguments: list[str] = [repr(now), repr(EPSILON)]
        for hit in hits:
            start = window_start(now, hit.limit) if hit.algorithm != "gcra" else 0.0
            arguments += [
                _CODES[hit.algorithm],
                str(hit.limit.count),
                str(hit.limit.period),
                str(hit.cost),
                repr(start),
            ]
        reply = await script(keys=[KEY_PREFIX + hit.key for hit in hits], args=arguments)
        allowed = int(reply[0]) == 1
        states = [_state(reply[1 + 3 * i : 4 + 3 * i]) for i in range(len(hits))]
        if allowed:
            outcomes = []
            for hit, state in zip(hits, states, strict=True):
                assert state is not None  # the script wrote it
                outcomes.append(Outcome(True, state, *report(hit.algorithm, state, now, hit.limit)))
            return outcomes
        outcomes = [
            decide(hit.algorithm, state, now, hit.limit, hit.cost)
            for hit, state in zip(hits, states, strict=True)
        ]
        if all(outcome.allowed for outcome in outcomes):  # float disagreement: still refused
            first = outcomes[0]
            outcomes[0] = Outcome(False, first.state, 0, first.reset_after, EPSILON)
        return outcomes

    async def close(self) -> None:
        """Close the client of the running event loop; one of a finished loop is dropped."""
        client, self._client, self._script = self._client, None, None
        loop, self._loop = self._loop, None
        if client is not None and loop is asyncio.get_running_loop():
            await client.aclose()
        # A client of a finished loop is dropped: its sockets close when it is collected.
