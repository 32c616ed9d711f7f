"""Migration files that can't be loaded: every command stops with one line naming the file."""

from __future__ import annotations

import pytest

from tests.migrations.conftest import Shop


@pytest.fixture
def shop(sqlite_shop: Shop) -> Shop:
    sqlite_shop.apps("catalog", "orders")
    sqlite_shop.migration("catalog", "0001_initial")
    return sqlite_shop


def test_a_dependency_no_app_has_names_the_file_that_depends_on_it(shop: Shop):
    shop.migration("orders", "0001_initial", depends_on=("catalog_0009_gone",))

    result = shop.call("showmigrations")

    assert result.error == (
        "Migration orders/migrations/0001_initial.py names catalog_0009_gone, which no installed "
        "app has: restore that migration (or its app in INSTALLED_APPS), or fix down_revision or "
        "depends_on in orders/migrations/0001_initial.py"
    )


def test_a_previous_migration_no_app_has_names_the_file_that_follows_it(shop: Shop):
    shop.migration("catalog", "0003_price", parent="0002_gone")

    result = shop.call("migrate")

    assert result.error.startswith(
        "Migration catalog/migrations/0003_price.py names catalog_0002_gone, which no installed "
        "app has: "
    )


def test_two_files_with_one_revision_id_are_refused(shop: Shop):
    copied = shop.migration("catalog", "0002_price", parent="0001_initial").read_text()
    shop.project.write("catalog/migrations/0002_copy.py", copied)

    result = shop.call("showmigrations")

    assert result.error == (
        "Cannot load the migrations: Revision catalog_0002_price is present more than once"
    )


def test_a_file_that_fails_to_import_is_named(shop: Shop):
    shop.project.write("catalog/migrations/0002_broken.py", "revision = 'catalog_0002'\n1 / 0\n")

    result = shop.call("showmigrations")

    assert result.error.startswith("A migration file failed to load")
    assert result.error.endswith("ZeroDivisionError: division by zero")
