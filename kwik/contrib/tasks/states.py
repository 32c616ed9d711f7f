"""`JobState`: the life of a job, and the groups of states the queue's statements use.

A job is `queued`, then `running` while a worker holds its lease, then `succeeded` or `failed`;
a failure with attempts left becomes `retrying` (claimable again once its `run_at` comes), and
`cancelled` jobs never run again. The state is stored as its lower-case value, so SQL written by
hand (and the partial indexes of the jobs table) can name states plainly.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ACTIVE_STATES", "CLAIMABLE_STATES", "FINISHED_STATES", "JobState"]


class JobState(StrEnum):
    """Where a job is in its life; equal to its stored text: `JobState.QUEUED == "queued"`."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRYING = "retrying"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """True for the states a job never leaves by itself (succeeded, failed, cancelled)."""
        return self in FINISHED_STATES


CLAIMABLE_STATES = (JobState.QUEUED, JobState.RETRYING)
"""States a worker claims from once `run_at` has come."""
ACTIVE_STATES = (JobState.QUEUED, JobState.RETRYING, JobState.RUNNING)
"""States in which a unique job blocks another with the same key."""
FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)
"""States that end a job: `result()` returns or raises once the job reaches one."""
