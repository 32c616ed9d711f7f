"""The three algorithms, as pure functions of a key's stored state, the time and a limit.

Every backend stores the same three numbers per key (`State`) and decides the same way: the
memory backend calls `decide` directly; the database backend's SQL and the Redis backend's Lua
script are transcriptions of it (backends/database.py, backends/redis.py), and their results go
through `decide`/`report` here for the numbers sent back (remaining quota, Retry-After), so all
three answer alike. The shared behaviour tests hold them to it.

- GCRA (the default; a token bucket): `a` is the theoretical arrival time. Each unit moves it
  `period / count` seconds on; a request is allowed while that leaves it at most `period`
  ahead of now. A full bucket takes `count` units at once, then one per `period / count`.
- Fixed window: `a` is the start of the current window (a multiple of `period`), `h` its count.
  Simple and cheap, but a client may spend `count` at the end of one window and `count` again
  at the start of the next.
- Sliding window: as fixed, plus `p`, the previous window's count, weighted by how much of the
  previous window still overlaps the last `period` seconds. Smooths the window edge.

Periods are whole seconds, so window starts are integers and compare exactly in SQL and Lua.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from kwik.contrib.security.ratelimit.limits import Algorithm, Limit

__all__ = ["EPSILON", "Outcome", "State", "decide", "expires_at", "report", "window_start"]

EPSILON = 1e-6
"""Seconds of float slack: `count` requests at the same instant all pass even when
`count * (period / count)` rounds a hair above `period`."""


class State(NamedTuple):
    """A key's stored numbers: `a` (GCRA's arrival time, or the window's start), `h` (the
    window's count), `p` (the previous window's count)."""

    a: float
    h: float = 0.0
    p: float = 0.0


class Outcome(NamedTuple):
    """One limit's answer to one check.

    `state` is the state to store when the whole check is allowed (the old one when this limit
    refused), `remaining` the whole units left, `reset_after` the seconds until the quota is
    whole again (GCRA) or the window ends, `retry_after` the seconds to wait (0 when allowed).
    """

    allowed: bool
    state: State
    remaining: int
    reset_after: float
    retry_after: float = 0.0


def window_start(now: float, limit: Limit) -> float:
    """The start of the window `now` falls in: a whole multiple of the period."""
    return float(math.floor(now / limit.period) * limit.period)


def expires_at(algorithm: Algorithm, state: State, limit: Limit) -> float:
    """When a key with `state` limits nothing any more, so it may be forgotten (purged)."""
    if algorithm == "gcra":
        return state.a
    if algorithm == "fixed-window":
        return state.a + limit.period
    return state.a + 2 * limit.period


def _weight(now: float, start: float, period: int) -> float:
    """The share of the previous window still inside the last `period` seconds (the SQL and
    Lua compute it the same way, to the bit)."""
    return (period - (now - start)) / period


def _windows(state: State | None, start: float, period: int) -> tuple[float, float]:
    """(current count, previous count) of the window starting at `start`."""
    if state is None:
        return 0.0, 0.0
    if state.a == start:
        return state.h, state.p
    if state.a == start - period:
        return 0.0, state.h
    return 0.0, 0.0


def report(algorithm: Algorithm, state: State, now: float, limit: Limit) -> tuple[int, float]:
    """(remaining units, seconds until reset) of a key whose state is `state` after a check."""
    if algorithm == "gcra":
        ahead = max(state.a - now, 0.0)
        interval = limit.period / limit.count
        return max(math.floor((limit.period - ahead) / interval + EPSILON), 0), ahead
    start = window_start(now, limit)
    current, previous = _windows(state, start, limit.period)
    used = current
    if algorithm == "sliding-window":
        used += previous * _weight(now, start, limit.period)
    return max(math.floor(limit.count - used + EPSILON), 0), start + limit.period - now


def decide(
    algorithm: Algorithm, state: State | None, now: float, limit: Limit, cost: int
) -> Outcome:
    """Whether `cost` units fit `limit` for a key in `state` (None: never seen) at `now`."""
    if algorithm == "gcra":
        return _gcra(state, now, limit, cost)
    start = window_start(now, limit)
    current, previous = _windows(state, start, limit.period)
    if algorithm == "fixed-window":
        return _fixed(state, now, limit, cost, start, current)
    return _sliding(state, now, limit, cost, start, current, previous)


def _gcra(state: State | None, now: float, limit: Limit, cost: int) -> Outcome:
    period = limit.period
    interval = period / limit.count
    tat = now if state is None or state.a < now else state.a
    new_tat = tat + cost * interval
    ahead = new_tat - now
    if ahead <= period + EPSILON:  # allowed; `report` inlined: this is every request's path
        remaining = math.floor((period - ahead) / interval + EPSILON)
        return Outcome(True, State(new_tat), remaining if remaining > 0 else 0, ahead)
    old = State(tat)
    remaining, reset_after = report("gcra", old, now, limit)
    return Outcome(False, state or old, remaining, reset_after, new_tat - limit.period - now)


def _fixed(
    state: State | None, now: float, limit: Limit, cost: int, start: float, current: float
) -> Outcome:
    if current + cost <= limit.count:
        new = State(start, current + cost, 0.0)
        return Outcome(True, new, *report("fixed-window", new, now, limit))
    remaining, reset_after = report("fixed-window", State(start, current), now, limit)
    return Outcome(False, state or State(start), remaining, reset_after, reset_after)


def _sliding(
    state: State | None,
    now: float,
    limit: Limit,
    cost: int,
    start: float,
    current: float,
    previous: float,
) -> Outcome:
    period, count = limit.period, limit.count
    elapsed = now - start
    estimate = previous * _weight(now, start, period) + current
    if estimate + cost <= count + EPSILON:
        new = State(start, current + cost, previous)
        return Outcome(True, new, *report("sliding-window", new, now, limit))
    if current + cost <= count:
        # Wait until the previous window's share has shrunk enough (previous > 0 here).
        wait = period - (count - current - cost) * period / previous - elapsed
    else:
        # Not in this window: in the next one this window is the previous, shrinking from full.
        wait = period - elapsed + period * (1 - (count - cost) / current)
    remaining, reset_after = report("sliding-window", State(start, current, previous), now, limit)
    return Outcome(False, state or State(start), remaining, reset_after, max(wait, EPSILON))
