"""Models: table names, app ownership, constraint names, keys and UTC timestamps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Mapped, mapped_column

import kwik
from kwik.apps import apps
from kwik.db import Database, Model, database, session
from kwik.db.models import snake_case
from tests.db.ledger.models import Account, LedgerEntry, Receipt


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Product", "product"), ("ProductImage", "product_image"), ("HTTPLog", "http_log")],
)
def test_class_names_become_snake_case_table_names(name, expected):
    assert snake_case(name) == expected


def test_table_names_are_app_label_and_model_name():
    assert Account.__tablename__ == "ledger_account"
    assert LedgerEntry.__tablename__ == "ledger_ledger_entry"


def test_an_explicit_table_name_is_kept():
    assert Receipt.__tablename__ == "ledger_receipts"


def test_each_table_records_the_app_that_owns_it():
    assert Account.__table__.info["app_label"] == "ledger"
    assert Receipt.__table__.info["app_label"] == "ledger"


def test_constraints_are_named_by_the_naming_convention():
    account, entry = Account.__table__, LedgerEntry.__table__

    assert account.primary_key.name == "pk_ledger_account"
    assert {c.name for c in account.constraints} >= {"uq_ledger_account_name"}
    assert {fk.constraint.name for fk in entry.foreign_keys} == {
        "fk_ledger_ledger_entry_account_id_ledger_account"
    }


def test_a_model_outside_any_installed_app_is_refused(project):
    project.settings("INSTALLED_APPS = []\n")
    kwik.setup("proj.settings")

    with pytest.raises(kwik.ImproperlyConfigured) as error:

        class Stray(Model):
            id: Mapped[int] = mapped_column(primary_key=True)

    assert str(error.value).endswith(
        "Stray is not in an installed app: define it in an app's models module, "
        "or set __app_label__ on it"
    )


def test_the_registry_lists_an_apps_models(project):
    project.settings('INSTALLED_APPS = ["tests.db.ledger"]\n')
    kwik.setup("proj.settings")

    assert apps.get_app_config("ledger").get_models() == [Account, LedgerEntry, Receipt]
    assert apps.get_model("ledger.Account") is Account
    with pytest.raises(LookupError, match=r"has no model 'Acount'\. Did you mean Account\?"):
        apps.get_model("ledger.Acount")


@pytest.fixture
async def ledger_db(project, database_url):
    project.settings(f'INSTALLED_APPS = ["tests.db.ledger"]\nDATABASE_URL = {database_url!r}\n')
    kwik.setup("proj.settings")
    tables = [t for t in Model.metadata.sorted_tables if t.info.get("app_label") == "ledger"]
    async with database().engine.begin() as connection:
        await connection.run_sync(Model.metadata.create_all, tables=tables)
    yield database()
    await database().dispose()


async def test_timestamps_are_set_on_insert_and_update_as_aware_utc(ledger_db: Database):
    async with session() as db:
        account = Account(name="ann")
        db.add(account)
    created = account.created_at
    async with session() as db:
        stored = await db.get(Account, account.id)
        assert stored is not None
        stored.name = "anne"

    async with session() as db:
        reread = await db.get(Account, account.id)

    assert reread is not None
    assert reread.created_at == created
    assert reread.created_at.tzinfo is not None
    assert reread.created_at.utcoffset() == timedelta(0)
    assert reread.updated_at > reread.created_at


async def test_datetimes_in_other_zones_are_stored_as_the_same_instant_in_utc(
    ledger_db: Database,
):
    paris = timezone(timedelta(hours=1))
    booked = datetime(2026, 3, 1, 9, 30, tzinfo=paris)
    async with session() as db:
        account = Account(name="bo")
        db.add(account)
        await db.flush()
        db.add(LedgerEntry(account_id=account.id, amount=Decimal("12.50"), booked_at=booked))

    async with session() as db:
        entry = (await db.execute(select(LedgerEntry))).scalar_one()

    assert entry.booked_at == booked
    assert entry.booked_at.tzinfo == UTC
    assert entry.booked_at.hour == 8
    assert entry.amount == Decimal("12.50")


async def book_entry(booked_at: datetime, account_id: int | None = None) -> None:
    async with session() as db:
        if account_id is None:
            account = Account(name="cy")
            db.add(account)
            await db.flush()
            account_id = account.id
        db.add(LedgerEntry(account_id=account_id, amount=Decimal(1), booked_at=booked_at))
        await db.flush()


async def test_a_naive_datetime_is_refused_rather_than_guessed(ledger_db: Database):
    with pytest.raises(StatementError, match="naive datetime"):
        await book_entry(datetime(2026, 1, 1))


async def test_uuid_keys_are_made_before_the_insert(ledger_db: Database):
    receipt = Receipt(number="R-1")
    async with session() as db:
        db.add(receipt)
        await db.flush()
        made_before_commit = receipt.id

    async with session() as db:
        stored = await db.get(Receipt, made_before_commit)

    assert isinstance(made_before_commit, uuid.UUID)
    assert stored is not None
    assert stored.number == "R-1"


async def test_foreign_keys_are_enforced_on_every_database(ledger_db: Database):
    with pytest.raises(IntegrityError):
        await book_entry(datetime.now(UTC), account_id=999)
