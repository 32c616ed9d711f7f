"""`makemigrations` compares the models with a scratch database, never the developer's own.

The scratch database is brought to the current migrations and dropped afterwards, so what gets
written depends on the code alone: a table made by hand, or migrations not applied, change nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.migrations.conftest import PRODUCT, Shop

pytestmark = pytest.mark.slow


def test_ignores_the_state_of_the_development_database(shop: Shop):
    shop.apps("catalog")
    shop.models("catalog", PRODUCT)
    shop.execute(
        "CREATE TABLE catalog_product (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL)",
        "CREATE TABLE catalog_legacy (id INTEGER PRIMARY KEY)",
    )

    made = shop.kwik("makemigrations", "--dry-run")

    assert made.lines[:3] == [
        "Migrations for 'catalog':",
        "  catalog/migrations/0001_initial.py",
        "    - Create table catalog_product",
    ], made.err
    assert "catalog_legacy" not in made.out
    assert shop.migration_files("catalog") == []


def test_the_scratch_database_is_gone_afterwards(shop: Shop, tmp_path: Path):
    shop.apps("catalog")
    shop.models("catalog", PRODUCT)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    servers_before = set() if shop.database_url.startswith("sqlite") else shop.server_databases()

    checked = shop.kwik("makemigrations", "--check", env={"TMPDIR": str(temporary)})

    assert checked.code == 1, checked.err
    assert list(temporary.iterdir()) == []
    if not shop.database_url.startswith("sqlite"):
        new = shop.server_databases() - servers_before
        assert [name for name in new if name.startswith("kwik_makemigrations_")] == []
