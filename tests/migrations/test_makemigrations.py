"""`kwik makemigrations`: the files it writes, how they are named, and what it refuses.

On SQLite only: the database doesn't change what these tests look at (test_flow.py and
test_scratch_database.py run on both). Tests whose apps have models run `kwik` in a subprocess.
"""

from __future__ import annotations

import pytest

from tests.migrations.conftest import PRODUCT, Shop, create_table, lines_with


@pytest.fixture
def shop(sqlite_shop: Shop) -> Shop:
    return sqlite_shop


@pytest.mark.slow
def test_dry_run_prints_the_files_and_writes_nothing(shop: Shop):
    shop.apps("catalog")
    shop.models("catalog", PRODUCT)

    made = shop.kwik("makemigrations", "--dry-run")

    assert made.code == 0, made.err
    assert "# catalog/migrations/0001_initial.py" in made.lines
    assert "revision = 'catalog_0001_initial'" in made.lines
    assert "branch_labels = ('catalog',)" in made.lines
    assert shop.migration_files("catalog") == []


@pytest.mark.slow
def test_name_option_names_the_new_file(shop: Shop):
    shop.apps("catalog")
    shop.models("catalog", PRODUCT)

    made = shop.kwik("makemigrations", "--name", "products")

    assert made.lines[1] == "  catalog/migrations/0001_products.py", made.err
    assert shop.migration_files("catalog") == ["0001_products.py"]


@pytest.mark.slow
def test_a_new_app_of_the_project_gets_its_migrations_folder(shop: Shop):
    shop.apps("catalog")
    shop.models("catalog", PRODUCT)
    (shop.root / "catalog/migrations/__init__.py").unlink()
    (shop.root / "catalog/migrations").rmdir()

    made = shop.kwik("makemigrations")

    assert made.code == 0, made.err
    assert (shop.root / "catalog/migrations/__init__.py").is_file()
    assert shop.migration_files("catalog") == ["0001_initial.py"]


@pytest.mark.slow
def test_a_table_whose_model_is_gone_is_dropped_by_the_app_that_created_it(shop: Shop):
    shop.apps("catalog", "orders")
    shop.models("catalog", PRODUCT)
    shop.migration("orders", "0001_initial", upgrade=create_table("orders_cart"))

    made = shop.kwik("makemigrations", "--dry-run")

    assert "Migrations for 'orders':" in made.lines, made.err
    assert "    - Drop table orders_cart" in made.lines


@pytest.fixture
def branched(shop: Shop) -> Shop:
    """App catalog whose 0002 was made twice in parallel (two latest migrations)."""
    shop.apps("catalog")
    shop.migration("catalog", "0001_initial", upgrade=create_table("catalog_product"))
    shop.migration(
        "catalog", "0002_price", parent="0001_initial", upgrade=create_table("catalog_a")
    )
    shop.migration(
        "catalog", "0002_stock", parent="0001_initial", upgrade=create_table("catalog_b")
    )
    return shop


def test_merge_joins_the_two_latest_migrations_of_an_app(branched: Shop):
    result = branched.call("makemigrations", "--merge")

    assert result.lines == [
        "Migrations for 'catalog':",
        "  catalog/migrations/0003_merge_0002_price_0002_stock.py",
        "    - Merge 0002_price, 0002_stock",
    ], result.err
    source = (branched.root / "catalog/migrations/0003_merge_0002_price_0002_stock.py").read_text()
    assert "down_revision = ('catalog_0002_price', 'catalog_0002_stock')" in source


def test_after_a_merge_migrate_applies_both_branches(branched: Shop):
    branched.call("makemigrations", "--merge")

    result = branched.call("migrate")

    assert result.code == 0, result.err
    assert {"catalog_a", "catalog_b"} <= branched.tables()
    assert branched.versions() == {"catalog_0003_merge_0002_price_0002_stock"}


def test_merge_with_nothing_to_merge_says_so(shop: Shop):
    shop.apps("catalog")
    shop.migration("catalog", "0001_initial")

    assert shop.call("makemigrations", "--merge").lines == ["No conflicts detected to merge."]


def test_two_latest_migrations_ask_for_a_merge(branched: Shop):
    result = branched.call("makemigrations")

    assert result.error == (
        "App 'catalog' has 2 latest migrations (0002_price, 0002_stock), made in parallel: "
        "run `kwik makemigrations --merge catalog` to join them"
    )


def test_empty_writes_a_migration_to_fill_in_by_hand(shop: Shop):
    shop.apps("catalog")
    shop.migration("catalog", "0001_initial")

    result = shop.call("makemigrations", "--empty", "catalog", "--name", "backfill")

    assert result.lines == [
        "Migrations for 'catalog':",
        "  catalog/migrations/0002_backfill.py",
        "    - Nothing yet: write upgrade() and downgrade() by hand",
    ], result.err
    source = (shop.root / "catalog/migrations/0002_backfill.py").read_text()
    assert "down_revision = 'catalog_0001_initial'" in source
    assert "from alembic import op" in source


def test_empty_needs_the_app(shop: Shop):
    shop.apps("catalog")

    result = shop.call("makemigrations", "--empty")

    assert result.error == "--empty needs the app to make the migration for: --empty APP"


def test_an_app_that_is_not_installed_is_refused(shop: Shop):
    shop.apps("catalog")
    shop.project.package("blog")

    result = shop.call("makemigrations", "blog")

    assert result.error == (
        "App 'blog' is not installed: add it to INSTALLED_APPS in your settings first"
    )


def test_an_unknown_app_label_is_refused_with_the_closest(shop: Shop):
    shop.apps("catalog")

    result = shop.call("makemigrations", "catalgo")

    assert result.error == (
        "No installed app with label 'catalgo'. Did you mean catalog? Installed apps: catalog"
    )


def test_a_name_that_is_not_an_identifier_is_refused(shop: Shop):
    shop.apps("catalog")

    result = shop.call("makemigrations", "--empty", "catalog", "--name", "add sku")

    assert result.error == (
        "--name 'add sku' is not a valid migration name: use letters, digits and underscores"
    )


@pytest.mark.slow
def test_indexes_on_the_same_first_column_get_names_of_their_own(shop: Shop):
    shop.apps("catalog")
    shop.models(
        "catalog",
        """
        from sqlalchemy import Index, String
        from sqlalchemy.orm import Mapped, mapped_column

        from kwik.db import IDMixin, Model


        class Product(IDMixin, Model):
            __table_args__ = (Index(None, "name", "color"), Index(None, "name", "size"))

            name: Mapped[str] = mapped_column(String(200))
            color: Mapped[str] = mapped_column(String(20))
            size: Mapped[str] = mapped_column(String(20))
        """,
    )

    made = shop.kwik("makemigrations")

    assert lines_with("    - Create index", made.lines) == [
        "    - Create index ix_catalog_product_name_color on catalog_product (name, color)",
        "    - Create index ix_catalog_product_name_size on catalog_product (name, size)",
    ], made.err
    assert shop.kwik("migrate").code == 0
    assert shop.kwik("makemigrations", "--check").lines == ["No changes detected"]


@pytest.mark.slow
def test_an_app_outside_the_project_gets_no_migrations_folder(
    shop: Shop, tmp_path_factory: pytest.TempPathFactory
):
    elsewhere = tmp_path_factory.mktemp("site")  # an installed package, e.g. an editable one
    (elsewhere / "vendored").mkdir()
    (elsewhere / "vendored/__init__.py").write_text("")
    (elsewhere / "vendored/models.py").write_text(PRODUCT.replace("class Product(", "class Thing("))
    shop.apps("catalog")
    shop.project.settings('INSTALLED_APPS = ["vendored", "catalog"]', module="shop.settings")
    shop.models("catalog", PRODUCT)

    made = shop.kwik("makemigrations", env={"PYTHONPATH": str(elsewhere)})

    assert made.code == 0, made.err
    assert made.err.splitlines() == [
        "Warning: App 'vendored' has models but no migrations folder, and it is not in the "
        f"project ({shop.root}), so none is made for it; its tables are left out. To start its "
        f"migrations, create {elsewhere / 'vendored/migrations'}/__init__.py."
    ]
    assert not (elsewhere / "vendored/migrations").exists()
    assert shop.migration_files("catalog") == ["0001_initial.py"]
