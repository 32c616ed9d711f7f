"""`kwik showmigrations`: each app's migrations, `[X]` for those the database has applied."""

from __future__ import annotations

from tests.migrations.conftest import Shop, create_table


def test_marks_applied_migrations_of_the_apps_asked_for(shop: Shop):
    shop.apps("catalog", "orders")
    shop.migration("catalog", "0001_initial", upgrade=create_table("catalog_product"))
    shop.migration("catalog", "0002_price", parent="0001_initial")
    shop.migration("orders", "0001_initial")
    shop.call("migrate", "catalog", "0001")

    result = shop.call("showmigrations", "catalog")

    assert result.lines == ["catalog", " [X] 0001_initial", " [ ] 0002_price"], result.err


def test_an_app_without_migrations_says_so(sqlite_shop: Shop):
    sqlite_shop.apps("catalog")

    result = sqlite_shop.call("showmigrations", "catalog")

    assert result.lines == ["catalog", " (no migrations)"], result.err
