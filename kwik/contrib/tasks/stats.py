"""`WorkerStats`: what one worker did, counted as outcomes are recorded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kwik.contrib.tasks.completion import Outcome
from kwik.contrib.tasks.states import JobState

__all__ = ["WorkerStats"]


@dataclass
class WorkerStats:
    """What a worker did: runs by how they ended, and jobs it gave back or rescued."""

    succeeded: int = 0
    failed: int = 0
    retried: int = 0
    released: int = 0
    """Unfinished at shutdown, back in the queue."""
    interrupted: int = 0
    """Cancelled (or rescued by another worker) while this one ran them."""
    rescued: int = 0
    """Other workers' jobs whose lease ran out, rescued by this one."""

    @property
    def finished(self) -> int:
        """Runs that ended (succeeded, failed, or failed with a retry to come)."""
        return self.succeeded + self.failed + self.retried

    def count(self, outcomes: Iterable[Outcome]) -> None:
        """Add recorded outcomes."""
        for outcome in outcomes:
            if outcome.state is JobState.SUCCEEDED:
                self.succeeded += 1
            elif outcome.state is JobState.RETRYING:
                self.retried += 1
            else:
                self.failed += 1
