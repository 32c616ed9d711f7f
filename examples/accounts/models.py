"""Accounts, and the emails sent to them (the outbox stands in for a mail server)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model, TimestampMixin


class Account(IDMixin, TimestampMixin, Model):
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class SentEmail(IDMixin, TimestampMixin, Model):
    account_id: Mapped[int] = mapped_column(ForeignKey(Account.id))
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
