"""Limits written as text (`"10/second; 500/hour"`), parsed once into `Limit`s.

A policy is one or more limits separated by `;` (or `,`), each `COUNT/PERIOD` or `COUNT per
PERIOD`, where PERIOD is a unit (`second`, `minute`, `hour`, `day`, or `s`, `m`, `h`, `d`),
optionally preceded by a number (`100/5minutes`, `100 per 5 minutes`). Parsing happens where a
limit is declared (a decorator, settings at start-up), never per request, so a typo fails at
start-up with the text it could not read.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["ALGORITHMS", "Algorithm", "Limit", "check_algorithm", "parse_limits"]

Algorithm = Literal["gcra", "fixed-window", "sliding-window"]
ALGORITHMS: tuple[Algorithm, ...] = ("gcra", "fixed-window", "sliding-window")

_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}
_NAMES = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))
_LIMIT = re.compile(
    r"^\s*(?P<count>\d+)\s*(?:/|\bper\b)\s*(?P<multiple>\d+)?\s*(?P<unit>[a-z]+)\s*$",
    re.IGNORECASE,
)
_EXAMPLE = 'e.g. "10/second; 500/hour", "10 per minute" or "100/5minutes"'


def _period_text(seconds: int) -> str:
    for size, name in _NAMES:
        if seconds % size == 0:
            multiple = seconds // size
            return name if multiple == 1 else f"{multiple}{name}s"
    raise AssertionError(seconds)  # every whole number of seconds has a name


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` units (requests, unless a cost says otherwise) per `period` seconds.

    Example:
        Limit(10, 60).text == "10/minute"
    """

    count: int
    period: int

    def __post_init__(self) -> None:
        if self.count < 1 or self.period < 1:
            raise ValueError(f"A limit needs a count and a period of at least 1, not {self!r}")

    @property
    def text(self) -> str:
        """The canonical text: `10/minute`, `100/5minutes`."""
        return f"{self.count}/{_period_text(self.period)}"

    def __str__(self) -> str:
        return self.text


def _parse_one(part: str, whole: str) -> Limit:
    found = _LIMIT.match(part)
    if found is None:
        raise ValueError(
            f"Rate limit {whole!r}: can't read {part.strip()!r}; write COUNT/PERIOD ({_EXAMPLE})"
        )
    unit = found["unit"].lower()
    if unit not in _UNITS:
        raise ValueError(
            f"Rate limit {whole!r}: unknown unit {found['unit']!r} in {part.strip()!r}; use "
            f"second, minute, hour or day ({_EXAMPLE})"
        )
    count = int(found["count"])
    multiple = int(found["multiple"]) if found["multiple"] is not None else 1
    if count < 1 or multiple < 1:
        raise ValueError(
            f"Rate limit {whole!r}: {part.strip()!r} allows nothing; the count and the period "
            "must be at least 1 (to refuse every request, don't route it)"
        )
    return Limit(count, multiple * _UNITS[unit])


@functools.lru_cache(maxsize=256)
def parse_limits(text: str) -> tuple[Limit, ...]:
    """The limits of a policy text, in the order written (duplicates dropped).

    Raises ValueError, quoting the text, when it can't be read; results are cached, so code
    that must parse at run time (an API key's tier) pays once per distinct text.

    Example:
        parse_limits("10/second; 500/hour") == (Limit(10, 1), Limit(500, 3600))
    """
    if not isinstance(text, str):
        raise ValueError(f"A rate limit is text like {_EXAMPLE}, not {type(text).__name__}")
    parts = [part for part in re.split(r"[;,]", text) if part.strip()]
    if not parts:
        raise ValueError(f"Rate limit {text!r} is empty; write at least one ({_EXAMPLE})")
    return tuple(dict.fromkeys(_parse_one(part, text) for part in parts))


def check_algorithm(name: str) -> Algorithm:
    """`name` when it is an algorithm kwik has; ValueError naming the choices otherwise."""
    if name not in ALGORITHMS:
        raise ValueError(
            f"Unknown rate-limit algorithm {name!r}; use one of {', '.join(ALGORITHMS)}"
        )
    return name  # type: ignore[return-value]
