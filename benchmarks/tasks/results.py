"""What measuring a queue gives: one `Measurement` per round of each phase, and the memory run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["PHASES", "Measurement", "MemoryRun", "QueueRun"]

PHASES: dict[str, str] = {
    "one_by_one": "enqueue one by one",
    "bulk": "enqueue in bulk",
    "drain": "drain, one worker",
}
"""The measured phases, in the order a round runs them, with their labels."""


@dataclass(frozen=True)
class Measurement:
    """One round of one phase on one queue.

    For a drain, `seconds` runs from the first to the last job the database saw finish (so the
    worker's start-up is left out, as PgQueuer's own benchmark leaves it out), `startup_s` from
    starting the worker process to that first job, and `total_s` from start to the last job.
    """

    jobs: int
    seconds: float
    background_cores: float = 0.0
    attempts: int = 1
    startup_s: float | None = None
    total_s: float | None = None
    worker_rss_bytes: int | None = None

    @property
    def jobs_per_s(self) -> float:
        return self.jobs / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "jobs_per_s": round(self.jobs_per_s, 1)}


@dataclass(frozen=True)
class MemoryRun:
    """A worker draining many jobs: its RSS after the first checkpoint and at the end."""

    jobs: int
    first_checkpoint: int
    rss_at_first_bytes: int
    rss_at_end_bytes: int
    seconds: float

    @property
    def growth_pct(self) -> float:
        return round((self.rss_at_end_bytes / self.rss_at_first_bytes - 1) * 100, 2)

    def to_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "growth_pct": self.growth_pct,
            "jobs_per_s": round(self.jobs / self.seconds, 1) if self.seconds > 0 else None,
        }


@dataclass
class QueueRun:
    """One queue measured: its rounds per phase, or the error that stopped it."""

    name: str
    label: str
    version: str
    settings: str
    rounds: dict[str, list[Measurement]] = field(default_factory=dict)
    memory: MemoryRun | None = None
    error: str | None = None

    def median(self, phase: str) -> Measurement:
        """The round with the median jobs/s (the lower middle one for an even count)."""
        ordered = sorted(self.rounds[phase], key=lambda m: m.jobs_per_s)
        return ordered[(len(ordered) - 1) // 2]

    def to_json(self) -> dict[str, Any]:
        measured = self.error is None
        phases = {}
        for phase, rounds in self.rounds.items() if measured else ():
            middle = self.median(phase)
            phases[phase] = {
                "jobs": middle.jobs,
                "jobs_per_s": round(middle.jobs_per_s, 1),
                "seconds": round(middle.seconds, 3),
                "startup_s": _rounded(middle.startup_s),
                "total_jobs_per_s": round(middle.jobs / middle.total_s, 1)
                if middle.total_s
                else None,
                "worker_rss_bytes": middle.worker_rss_bytes,
                "spread_pct": _spread(rounds),
                "noise_cores": max(m.background_cores for m in rounds),
                "rounds": [m.to_json() for m in rounds],
            }
        return {
            "label": self.label,
            "version": self.version,
            "settings": self.settings,
            "error": self.error,
            "phases": phases,
            "memory": self.memory.to_json() if self.memory and measured else None,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _spread(rounds: Sequence[Measurement]) -> float:
    """(max - min) / median of the rounds' jobs/s, in %: how steady the measurement was."""
    values = [m.jobs_per_s for m in rounds]
    return round((max(values) - min(values)) / statistics.median(values) * 100, 1)
