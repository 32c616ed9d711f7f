"""`AppConfig.post_migrate`: after every `kwik migrate`, each app's hook runs in INSTALLED_APPS
order, in one transaction that kwik commits, even when there was nothing to apply; a failing hook
leaves none of the hooks' writes behind."""

from __future__ import annotations

import pytest

from tests.migrations.conftest import Shop

LOG = """
op.create_table(
    "first_log",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("app", sa.String(20), nullable=False),
)
"""


def hook(label: str, *, fail: bool = False) -> str:
    body = "raise RuntimeError('hook failed')" if fail else "pass"
    return f"""
from sqlalchemy import text

from kwik.apps import AppConfig


class Config(AppConfig):
    async def post_migrate(self, connection):
        assert connection.in_transaction()
        await connection.execute(text("INSERT INTO first_log (app) VALUES ('{label}')"))
        {body}
"""


@pytest.fixture
def logged(shop: Shop) -> Shop:
    """Apps `first` (whose migration makes the log) and `second`, both logging from the hook;
    `third` has no hook."""
    shop.apps("first", "second", "third")
    shop.migration("first", "0001_initial", upgrade=LOG, downgrade="op.drop_table('first_log')")
    shop.project.write("first/apps.py", hook("first"))
    shop.project.write("second/apps.py", hook("second"))
    return shop


def test_each_apps_hook_runs_after_migrate_in_installed_apps_order(logged: Shop):
    migrated = logged.call("migrate")

    assert migrated.code == 0, migrated.err
    assert logged.rows("SELECT app FROM first_log ORDER BY id") == ["first", "second"]


def test_the_hooks_run_again_when_there_is_nothing_to_apply(logged: Shop):
    logged.call("migrate")

    again = logged.call("migrate")

    assert "  No migrations to apply." in again.lines
    assert logged.rows("SELECT app FROM first_log ORDER BY id") == [
        "first",
        "second",
        "first",
        "second",
    ]


def test_a_failing_hook_rolls_back_every_hooks_writes(logged: Shop):
    logged.project.write("second/apps.py", hook("second", fail=True))

    with pytest.raises(RuntimeError, match="hook failed"):
        logged.call("migrate")

    assert logged.versions() == {"first_0001_initial"}  # the migrations themselves stay
    assert logged.rows("SELECT app FROM first_log") == []
