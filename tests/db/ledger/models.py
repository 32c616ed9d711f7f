"""Models of the test ledger app; installed as `tests.db.ledger`, label `ledger`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwik.db import IDMixin, Model, TimestampMixin, UUIDMixin


class LedgerModel(Model):
    """Names the app, so the test modules can import these models before kwik.setup()."""

    __abstract__ = True
    __app_label__ = "ledger"


class Account(IDMixin, TimestampMixin, LedgerModel):
    name: Mapped[str] = mapped_column(String(100), unique=True)
    entries: Mapped[list[LedgerEntry]] = relationship(back_populates="account")


class LedgerEntry(IDMixin, LedgerModel):
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_account.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    booked_at: Mapped[datetime]
    memo: Mapped[str | None] = mapped_column(String(200))
    account: Mapped[Account] = relationship(back_populates="entries")


class Receipt(UUIDMixin, LedgerModel):
    __tablename__ = "ledger_receipts"

    number: Mapped[str] = mapped_column(String(20))
