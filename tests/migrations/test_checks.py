"""`kwik check` on migrations: what isn't applied (kwik.W010), what has no migrations (kwik.W011).

The check reads the version table through one connection and nothing else; a database it can't
reach is an info (kwik.I010), so `kwik check` still works where there is no database, as in CI.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import kwik
from kwik.migrations.checks import check_migrations
from tests.migrations.conftest import PRODUCT, Shop, create_table
from tests.support import free_port


@pytest.fixture
def catalog(shop: Shop) -> Shop:
    """Apps catalog (two migrations) and orders (one)."""
    shop.apps("catalog", "orders")
    shop.migration("catalog", "0001_initial", upgrade=create_table("catalog_product"))
    shop.migration("catalog", "0002_price", parent="0001_initial")
    shop.migration("orders", "0001_initial", upgrade=create_table("orders_order"))
    return shop


def test_unapplied_migrations_are_listed_per_app(catalog: Shop):
    catalog.call("migrate", "catalog", "0001")

    result = catalog.call("check")

    assert result.code == 0, result.err
    assert result.lines == [
        "System check identified some issues:",
        "",
        "WARNINGS:",
        "catalog: (kwik.W010) 1 unapplied migration: 0002_price",
        "\tHINT: Run `kwik migrate` to apply it",
        "orders: (kwik.W010) 1 unapplied migration: 0001_initial",
        "\tHINT: Run `kwik migrate` to apply it",
        "",
        "System check identified 2 issues.",
    ]


def test_a_migrated_database_passes(catalog: Shop):
    catalog.call("migrate")

    assert catalog.call("check").lines == ["System check identified no issues."]


def test_a_sqlite_file_that_does_not_exist_yet_is_not_created(sqlite_shop: Shop, tmp_path: Path):
    sqlite_shop.apps("catalog")
    sqlite_shop.migration("catalog", "0001_initial", upgrade=create_table("catalog_product"))
    sqlite_shop.migration("catalog", "0002_price", parent="0001_initial")

    result = sqlite_shop.call("check")

    assert "catalog: (kwik.W010) 2 unapplied migrations: 0001_initial, 0002_price" in result.lines
    assert "\tHINT: Run `kwik migrate` to apply them" in result.lines
    assert not (tmp_path / "test.sqlite3").exists()


def test_an_unreachable_database_is_an_info_with_its_password_masked(
    sqlite_shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    sqlite_shop.apps("catalog")
    sqlite_shop.migration("catalog", "0001_initial")
    url = f"postgresql+asyncpg://kwik:s3cret@127.0.0.1:{free_port()}/shop"
    monkeypatch.setenv("KWIK_DATABASE_URL", url)

    result = sqlite_shop.call("check", "--fail-level", "warning")

    assert result.code == 0, result.err
    assert result.lines[:3] == ["System check identified some issues:", "", "INFOS:"]
    assert result.lines[3].startswith(
        "(kwik.I010) Migrations not checked: cannot connect to the database at "
        f"{url.replace('s3cret', '***')}: "
    )
    assert "s3cret" not in result.out


@pytest.mark.slow
def test_an_app_with_models_and_no_migrations_is_pointed_to_makemigrations(sqlite_shop: Shop):
    sqlite_shop.apps("catalog")
    sqlite_shop.models("catalog", PRODUCT)

    result = sqlite_shop.kwik("check")

    assert result.code == 0, result.err
    assert result.lines[2:5] == [
        "WARNINGS:",
        "catalog: (kwik.W011) App has models but no migrations, so `kwik migrate` creates none "
        "of its tables",
        "\tHINT: Run `kwik makemigrations catalog`",
    ]


def test_migrate_leaves_the_migration_findings_to_itself(catalog: Shop):
    result = catalog.call("migrate")

    assert result.code == 0, result.err
    assert result.err == ""


def test_it_runs_from_inside_an_event_loop(catalog: Shop):
    kwik.setup()

    async def check() -> list[str]:
        return [message.id for message in check_migrations()]

    assert asyncio.run(check()) == ["kwik.W010", "kwik.W010"]
