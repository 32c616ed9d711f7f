"""`Policy` (limits compiled once, with their cost, algorithm and header names) and `Decision`
(what a check answered), which writes the IETF headers.

The headers follow draft-ietf-httpapi-ratelimit-headers (09 to 11), structured fields:

    RateLimit-Policy: "ip:10/minute";q=10;w=60, "ip:500/hour";q=500;w=3600
    RateLimit: "ip:10/minute";r=7;t=42

`RateLimit-Policy` lists every limit of the policy; `RateLimit` reports the most restrictive
one: after an allowed request the limit with the fewest units left (`r`, and `t`: seconds until
it is whole again or its window ends), after a refused one the limit that refused (`t`: the
seconds to wait). A policy's items are named `label:limit`, the label being the policy's name,
or the kind of key it counts by (`ip`, `user`, `apikey`, `endpoint`, `key`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from kwik.contrib.security.ratelimit.algorithms import Outcome
from kwik.contrib.security.ratelimit.backends import key_suffix
from kwik.contrib.security.ratelimit.limits import (
    ALGORITHMS,
    Algorithm,
    Limit,
    check_algorithm,
    parse_limits,
)
from kwik.exceptions import ImproperlyConfigured

__all__ = ["Decision", "Policy", "compile_policy"]

POLICY_HEADER = b"ratelimit-policy"
RATELIMIT_HEADER = b"ratelimit"


def _sf_string(text: str) -> str:
    """`text` as a structured-field String (RFC 9651): printable ASCII, quoted, escaped."""
    if not text.isascii() or not text.isprintable():
        raise ImproperlyConfigured(
            f"Rate-limit policy name {text!r} must be printable ASCII (it is sent in headers)"
        )
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """Limits ready to check: parsed, their cost checked against them, header text built.

    `algorithm` None means the RATE_LIMIT_ALGORITHM setting, read when a check runs.
    """

    limits: tuple[Limit, ...]
    cost: int
    algorithm: Algorithm | None
    label: str
    names: tuple[str, ...]
    quoted: tuple[bytes, ...]  # the names as structured-field strings
    policy_header: bytes
    suffixes: dict[str, tuple[str, ...]]  # algorithm -> each limit's counter key suffix

    @property
    def text(self) -> str:
        return "; ".join(limit.text for limit in self.limits)


def compile_policy(
    limits: str | Sequence[Limit],
    *,
    cost: int = 1,
    algorithm: str | None = None,
    label: str = "ip",
) -> Policy:
    """A Policy; ImproperlyConfigured for bad text, a bad algorithm, or a cost no limit allows.

    Example:
        compile_policy("10/second; 500/hour", label="search")
    """
    try:
        parsed = parse_limits(limits) if isinstance(limits, str) else tuple(limits)
        checked = None if algorithm is None else check_algorithm(algorithm)
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from None
    if not parsed or not all(isinstance(limit, Limit) for limit in parsed):
        raise ImproperlyConfigured(f"Rate limit {limits!r}: expected text or a list of Limit")
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 1:
        raise ImproperlyConfigured(f"Rate limit cost must be a whole number >= 1, not {cost!r}")
    for limit in parsed:
        if cost > limit.count:
            raise ImproperlyConfigured(
                f"Rate limit {limit.text!r} allows {limit.count} units per period, fewer than "
                f"the cost {cost} of one request: every request would be refused. Raise the "
                "limit or lower the cost"
            )
    names = tuple(f"{label}:{limit.text}" for limit in parsed)
    quoted = tuple(_sf_string(name) for name in names)
    header = ", ".join(
        f"{name};q={limit.count};w={limit.period}"
        for name, limit in zip(quoted, parsed, strict=True)
    )
    quoted_bytes = tuple(name.encode("ascii") for name in quoted)
    suffixes = {each: tuple(key_suffix(limit, each) for limit in parsed) for each in ALGORITHMS}
    return Policy(
        parsed, cost, checked, label, names, quoted_bytes, header.encode("ascii"), suffixes
    )


def _seconds(value: float) -> int:
    return max(math.ceil(value - 1e-9), 0)


@dataclass(slots=True)
class Decision:
    """A check's answer: allowed or not, with each limit's Outcome (in the policy's order)."""

    policy: Policy
    outcomes: tuple[Outcome, ...]
    allowed: bool

    @property
    def retry_after(self) -> int:
        """Whole seconds to wait before the refused limits allow the request (rounded up,
        at least 1); 0 when allowed."""
        if self.allowed:
            return 0
        waits = [outcome.retry_after for outcome in self.outcomes if not outcome.allowed]
        return max(_seconds(max(waits)), 1)

    @property
    def violated(self) -> list[str]:
        """The names of the limits that refused."""
        pairs = zip(self.policy.names, self.outcomes, strict=True)
        return [name for name, outcome in pairs if not outcome.allowed]

    def _reported(self) -> int:
        """Which limit `RateLimit` reports: the refusing one with the longest wait, else the
        one with the fewest units left (the longest reset among equals)."""
        outcomes = self.outcomes
        if len(outcomes) == 1:
            return 0
        indexes = range(len(outcomes))
        if not self.allowed:
            return max(
                (i for i in indexes if not outcomes[i].allowed),
                key=lambda i: outcomes[i].retry_after,
            )
        return min(indexes, key=lambda i: (outcomes[i].remaining, -outcomes[i].reset_after))

    def header_pairs(self) -> list[tuple[bytes, bytes]]:
        """`RateLimit-Policy` and `RateLimit`, as ASGI header pairs."""
        index = self._reported()
        outcome = self.outcomes[index]
        seconds = _seconds(outcome.reset_after) if self.allowed else self.retry_after
        current = b"%b;r=%d;t=%d" % (self.policy.quoted[index], outcome.remaining, seconds)
        return [(POLICY_HEADER, self.policy.policy_header), (RATELIMIT_HEADER, current)]
