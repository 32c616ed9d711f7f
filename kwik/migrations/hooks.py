"""After migrating: every app's `AppConfig.post_migrate` hook, in INSTALLED_APPS order.

Some rows follow the models rather than the migrations (auth's view/add/change/delete
permissions for every model), so apps keep them in step after each `migrate`. The hooks share
one transaction: they all take effect or none does. Processes that migrate at the same time run
them one at a time (PostgreSQL: the migration lock's key as a transaction lock; SQLite: the
write lock the transaction begins with), so the second finds the first one's rows.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from kwik.apps import AppConfig, apps
from kwik.migrations.runner import LOCK_KEY

__all__ = ["run_post_migrate"]


async def run_post_migrate(connection: AsyncConnection) -> None:
    """Call each installed app's `post_migrate(connection)`, in one transaction.

    The transaction is begun and committed here when `connection` has none; in a caller's
    transaction the hooks run in it and the caller commits. Apps that don't override the hook
    cost nothing: with none, no transaction is begun.
    """
    hooked = [
        config
        for config in apps.get_app_configs()
        if type(config).post_migrate is not AppConfig.post_migrate
    ]
    if not hooked:
        return
    if connection.in_transaction():
        await _run(connection, hooked)
        return
    async with connection.begin():
        await _run(connection, hooked)


async def _run(connection: AsyncConnection, hooked: list[AppConfig]) -> None:
    if connection.dialect.name == "postgresql":
        await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
    for config in hooked:
        await config.post_migrate(connection)
