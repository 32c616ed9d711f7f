"""The permissions every model gets: view, add, change and delete, made after each `migrate`.

`catalog.Product` gets `catalog.view_product` ("Can view product") and the three others, so a
project can grant them the moment the model exists. `AuthConfig.post_migrate` calls
`create_model_permissions` after every `kwik migrate` and `migrate_to_heads`: it reads what
exists (one query) and inserts only what is missing, so a second run costs one query and
changes nothing. Permissions are never deleted, since grants may point at them; a model's
permissions outlive it until someone deletes them.
"""

from __future__ import annotations

from sqlalchemy import insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection

from kwik.db.models import snake_case

__all__ = ["DEFAULT_ACTIONS", "create_model_permissions", "model_permissions"]

DEFAULT_ACTIONS = ("view", "add", "change", "delete")


def model_permissions() -> dict[tuple[str, str], str]:
    """`{(app_label, codename): name}` for every model of every installed app."""
    from kwik.apps import apps

    wanted: dict[tuple[str, str], str] = {}
    for config in apps.get_app_configs():
        for model in config.get_models():
            model_name = snake_case(model.__name__)
            for action in DEFAULT_ACTIONS:
                name = f"Can {action} {model_name.replace('_', ' ')}"
                wanted[(config.label, f"{action}_{model_name}")] = name
    return wanted


async def create_model_permissions(connection: AsyncConnection) -> int:
    """Insert the missing model permissions; how many were missing.

    Does nothing while auth's tables don't exist (before its migrations, or after
    `kwik migrate auth zero`).
    """
    from kwik.contrib.auth.models import Permission

    table = Permission.__table__
    exists = await connection.run_sync(lambda sync: inspect(sync).has_table(table.name))
    if not exists:
        return 0
    wanted = model_permissions()
    labels = sorted({label for label, _ in wanted})
    rows = await connection.execute(
        select(table.c.app_label, table.c.codename).where(table.c.app_label.in_(labels))
    )
    have = {(label, codename) for label, codename in rows}
    missing = [
        {"app_label": label, "codename": codename, "name": name}
        for (label, codename), name in wanted.items()
        if (label, codename) not in have
    ]
    if missing:
        await connection.execute(insert(table), missing)
    return len(missing)
