"""`kwik migrate`: forward, back to a revision, faked, and each way it refuses, as one line.

The apps here have migration files and no models, so `kwik` runs in this process.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.migrations.conftest import PRODUCT, Shop, create_table
from tests.support import KWIK_SCRIPT, free_port


def drop(table: str) -> str:
    return f"op.drop_table({table!r})"


@pytest.fixture
def catalog(shop: Shop) -> Shop:
    """App catalog with two migrations, each creating a table."""
    shop.apps("catalog")
    shop.migration(
        "catalog",
        "0001_initial",
        upgrade=create_table("catalog_product"),
        downgrade=drop("catalog_product"),
    )
    shop.migration(
        "catalog",
        "0002_price",
        parent="0001_initial",
        upgrade=create_table("catalog_price"),
        downgrade=drop("catalog_price"),
    )
    return shop


def test_applies_every_migration_and_records_the_latest(catalog: Shop):
    result = catalog.call("migrate")

    assert result.lines == [
        "Operations to perform:",
        "  Apply all migrations: catalog",
        "Running migrations:",
        "  Applying catalog.0001_initial... OK",
        "  Applying catalog.0002_price... OK",
    ], result.err
    assert {"catalog_product", "catalog_price"} <= catalog.tables()
    assert catalog.versions() == {"catalog_0002_price"}


def test_with_nothing_to_apply_says_so(catalog: Shop):
    catalog.call("migrate")

    assert catalog.call("migrate").lines[-1] == "  No migrations to apply."


def test_back_to_a_past_revision_unapplies_what_came_after(catalog: Shop):
    catalog.call("migrate")

    result = catalog.call("migrate", "catalog", "0001")

    assert result.lines == [
        "Operations to perform:",
        "  Unapply catalog back to 0001_initial",
        "Running migrations:",
        "  Unapplying catalog.0002_price... OK",
    ], result.err
    assert "catalog_price" not in catalog.tables()
    assert catalog.versions() == {"catalog_0001_initial"}


def test_forward_to_a_revision_named_by_file_or_by_id(catalog: Shop):
    first = catalog.call("migrate", "catalog", "0001_initial")
    second = catalog.call("migrate", "catalog", "catalog_0002_price")

    assert first.lines[-1] == "  Applying catalog.0001_initial... OK", first.err
    assert second.lines[-1] == "  Applying catalog.0002_price... OK", second.err


def test_fake_records_migrations_without_running_them(catalog: Shop):
    result = catalog.call("migrate", "--fake")

    assert result.lines[-2:] == [
        "  Applying catalog.0001_initial... FAKED",
        "  Applying catalog.0002_price... FAKED",
    ], result.err
    assert catalog.versions() == {"catalog_0002_price"}
    assert "catalog_product" not in catalog.tables()


def test_fake_zero_forgets_migrations_and_keeps_the_tables(catalog: Shop):
    catalog.call("migrate")

    result = catalog.call("migrate", "catalog", "zero", "--fake")

    assert result.lines[-1] == "  Unapplying catalog.0001_initial... FAKED", result.err
    assert catalog.versions() == set()
    assert "catalog_product" in catalog.tables()


def test_an_unknown_app_is_refused_with_the_closest_label(catalog: Shop):
    result = catalog.call("migrate", "catalgo")

    assert result.error == (
        "No installed app with label 'catalgo'. Did you mean catalog? Installed apps: catalog"
    )


def test_an_unknown_revision_is_refused_with_the_apps_migrations(catalog: Shop):
    result = catalog.call("migrate", "catalog", "0009")

    assert result.error == (
        "App 'catalog' has no migration '0009'. Its migrations: 0001_initial, 0002_price "
        "(or zero, to unapply them all)"
    )


def test_two_latest_migrations_in_one_app_ask_for_a_merge(catalog: Shop):
    catalog.migration("catalog", "0002_stock", parent="0001_initial")

    result = catalog.call("migrate")

    assert result.error == (
        "App 'catalog' has 2 latest migrations (0002_price, 0002_stock), made in parallel: "
        "run `kwik makemigrations --merge catalog` to join them"
    )


def test_a_failing_migration_is_rolled_back_and_named(shop: Shop):
    shop.apps("catalog")
    shop.migration("catalog", "0001_initial", upgrade=create_table("catalog_product"))
    shop.migration(
        "catalog",
        "0002_broken",
        parent="0001_initial",
        upgrade=f"""
            {create_table("catalog_half")}
            op.execute("INSERT INTO catalog_nowhere VALUES (1)")
        """,
    )

    result = shop.call("migrate")

    assert result.error.startswith("Applying catalog/migrations/0002_broken.py failed: ")
    assert "catalog_nowhere" in result.error
    assert result.error.endswith("It was rolled back; the migrations before it stay applied.")
    assert "catalog_half" not in shop.tables()
    assert shop.versions() == {"catalog_0001_initial"}


def test_an_unreachable_database_is_named_with_its_password_masked(
    sqlite_shop: Shop, monkeypatch: pytest.MonkeyPatch
):
    sqlite_shop.apps("catalog")
    url = f"postgresql+asyncpg://kwik:s3cret@127.0.0.1:{free_port()}/shop"
    monkeypatch.setenv("KWIK_DATABASE_URL", url)

    result = sqlite_shop.call("migrate")

    assert result.error.startswith(
        f"Cannot connect to the database at {url.replace('s3cret', '***')}: "
    )
    assert "s3cret" not in result.err


def test_system_check_errors_stop_it_before_the_database_is_touched(sqlite_shop: Shop):
    sqlite_shop.apps("catalog", settings='MIDDLEWARE = ["nowhere.Middleware"]\n')
    sqlite_shop.migration("catalog", "0001_initial", upgrade=create_table("catalog_product"))

    result = sqlite_shop.call("migrate")

    assert result.code == 1
    assert "(kwik.E005)" in result.err
    assert result.err.splitlines()[-1] == (
        "Error: System checks found errors; fix them, or pass --skip-checks"
    )
    assert sqlite_shop.versions() == set()


@pytest.mark.slow
def test_apps_with_models_and_no_migrations_are_pointed_to_makemigrations(sqlite_shop: Shop):
    sqlite_shop.apps("catalog")
    sqlite_shop.models("catalog", PRODUCT)

    result = sqlite_shop.kwik("migrate")

    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        "Warning: app 'catalog' has models but no migrations; its tables are not created. "
        "Run `kwik makemigrations catalog`."
    ]


def start_migrate(shop: Shop, *args: str) -> subprocess.Popen[str]:
    """`kwik migrate ARGS` in a process of its own, left running."""
    environment = {**os.environ, "KWIK_DATABASE_URL": shop.database_url}
    environment.pop("KWIK_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [str(KWIK_SCRIPT), "migrate", *args],
        cwd=shop.root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def slow_upgrade(marker: Path, seconds: float) -> str:
    """A migration body that says it has started (a file), then takes its time."""
    return f"""
        import pathlib, time
        pathlib.Path({str(marker)!r}).touch()
        time.sleep({seconds})
        {create_table("catalog_product")}
    """


def wait_for_file(path: Path, run: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.mark.slow
def test_concurrent_runs_apply_each_migration_once(shop: Shop, tmp_path: Path):
    shop.apps("catalog")
    shop.migration("catalog", "0001_initial", upgrade=slow_upgrade(tmp_path / "started", 1))

    runs = [start_migrate(shop) for _ in range(2)]
    outputs = [run.communicate(timeout=60) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    applied = [out for out, _ in outputs if "Applying catalog.0001_initial... OK" in out]
    waited = [out for out, _ in outputs if "No migrations to apply." in out]
    assert (len(applied), len(waited)) == (1, 1), outputs


@pytest.mark.slow
def test_which_way_to_a_revision_is_decided_after_waiting_for_another_run(
    shop: Shop, tmp_path: Path
):
    shop.apps("catalog")
    started = tmp_path / "started"
    shop.migration("catalog", "0001_initial", upgrade=slow_upgrade(started, 3))
    shop.migration("catalog", "0002_price", parent="0001_initial")
    first = start_migrate(shop)
    wait_for_file(started, first)  # the first run holds the lock, nothing is committed yet

    second = start_migrate(shop, "catalog", "0001")
    outputs = [run.communicate(timeout=60) for run in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert outputs[1][0].splitlines() == [
        "Operations to perform:",
        "  Unapply catalog back to 0001_initial",
        "Running migrations:",
        "  Unapplying catalog.0002_price... OK",
    ], outputs
    assert shop.versions() == {"catalog_0001_initial"}


def test_rebuilding_a_table_keeps_the_rows_that_point_at_it(shop: Shop):
    shop.apps("catalog", "orders")
    shop.migration(
        "catalog",
        "0001_initial",
        upgrade="""
            op.create_table(
                "catalog_product",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("name", sa.String(50), nullable=True),
            )
        """,
    )
    shop.migration(
        "orders",
        "0001_initial",
        depends_on=("catalog_0001_initial",),
        upgrade="""
            op.create_table(
                "orders_order",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column(
                    "product_id",
                    sa.Integer(),
                    sa.ForeignKey("catalog_product.id", ondelete="CASCADE"),
                ),
            )
        """,
    )
    shop.call("migrate")
    shop.execute(
        "INSERT INTO catalog_product (id, name) VALUES (1, 'Lamp')",
        "INSERT INTO orders_order (id, product_id) VALUES (1, 1)",
    )
    shop.migration(
        "catalog",
        "0002_name_required",
        parent="0001_initial",
        upgrade="""
            with op.batch_alter_table("catalog_product") as batch_op:
                batch_op.alter_column("name", existing_type=sa.String(50), nullable=False)
        """,
    )

    result = shop.call("migrate")

    assert result.lines[-1] == "  Applying catalog.0002_name_required... OK", result.err
    assert shop.rows("SELECT product_id FROM orders_order") == [1]


def test_on_sqlite_a_migration_leaving_dangling_foreign_keys_is_rolled_back(sqlite_shop: Shop):
    sqlite_shop.apps("catalog")
    sqlite_shop.migration(
        "catalog",
        "0001_initial",
        upgrade="""
            op.create_table("catalog_product", sa.Column("id", sa.Integer(), primary_key=True))
            op.create_table(
                "catalog_image",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("product_id", sa.Integer(), sa.ForeignKey("catalog_product.id")),
            )
            op.execute("INSERT INTO catalog_image (id, product_id) VALUES (1, 42)")
        """,
    )

    result = sqlite_shop.call("migrate")

    assert result.error == (
        "Migration catalog/migrations/0001_initial.py leaves 1 row(s) whose foreign key points "
        "nowhere (first: catalog_image row 1 -> catalog_product); it was rolled back. Delete or "
        "fix those rows in the migration before the constraint applies."
    )
    assert "catalog_image" not in sqlite_shop.tables()
