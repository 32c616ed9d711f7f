"""Durations as people type and read them: `--older-than 7d` in, `3m` ago out; the one parser
of every command that takes a duration (`kwik tasks purge`, `kwik apikeys create --expires-in`).

>>> parse_duration("1h30m")
datetime.timedelta(seconds=5400)
>>> humanize(timedelta(seconds=5400))
'1h'
"""

from __future__ import annotations

import re
from datetime import timedelta

import click

__all__ = ["DURATION", "Duration", "humanize", "parse_duration"]

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_duration(text: str) -> timedelta:
    """`30s`, `15m`, `2h`, `7d`, `1w`, or several together (`1h30m`); `0` for none.

    Raises:
        ValueError: with a message saying what a duration looks like.
    """
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned == "0":
        return timedelta(0)
    parts = _PART.findall(cleaned)
    if not cleaned or "".join(number + unit for number, unit in parts) != cleaned:
        raise ValueError(
            f"{text!r} is not a duration: use a number and a unit (s, m, h, d, w), "
            "e.g. 30s, 15m, 2h, 7d or 1h30m"
        )
    return timedelta(seconds=sum(float(number) * UNITS[unit] for number, unit in parts))


def humanize(delta: timedelta) -> str:
    """The largest whole unit of `delta`: `45s`, `3m`, `2h`, `6d`."""
    seconds = max(delta.total_seconds(), 0.0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


class Duration(click.ParamType):
    """A click parameter type for durations; a bad one is a usage error (exit 2)."""

    name = "duration"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        try:
            return parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DURATION = Duration()
