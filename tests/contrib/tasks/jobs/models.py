"""`Run`: one row per run of a test task, so tests can count how often each job ran."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model, TimestampMixin


class Run(IDMixin, TimestampMixin, Model):
    __app_label__ = "jobs"

    key: Mapped[str] = mapped_column(String(200), index=True)
    note: Mapped[str] = mapped_column(String(200), default="")
