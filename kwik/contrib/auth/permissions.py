"""Who may do what: a user's permissions, checking them, and granting them.

A user has the permissions granted to them directly and those of every group they are in, as
`app_label.codename` strings. Two rules come first: an inactive user has none, and an active
superuser has all of them (even ones no row names). `user_permissions` reads them in one query;
an HTTP dependency reads them once per request and checks with `check_perms`.

Example:
    editors = Group(name="editors")
    session.add(editors)
    await grant(session, editors, "catalog.view_product", "catalog.change_product")
    await add_to_groups(session, user, editors)
    await has_perms(session, user, "catalog.change_product")  # True
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, or_, select, union
from sqlalchemy.dialects import postgresql, sqlite

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.ext.asyncio import AsyncSession

    from kwik.contrib.auth.base_user import AbstractUser
    from kwik.contrib.auth.models import Group, Permission

__all__ = [
    "add_to_groups",
    "check_perms",
    "get_permissions",
    "grant",
    "has_perm",
    "has_perms",
    "remove_from_groups",
    "revoke",
    "user_permissions",
]


def _split(key: str) -> tuple[str, str]:
    label, dot, codename = key.partition(".")
    if not dot or not label or not codename:
        raise ValueError(f"{key!r} is not a permission: name it 'app_label.codename'")
    return label, codename


async def user_permissions(session: AsyncSession, user: AbstractUser) -> frozenset[str]:
    """Every `app_label.codename` the user has, directly and through groups, in one query.

    Inactive users have none; active superusers every permission that exists.
    """
    from kwik.contrib.auth import models

    if not user.is_active:
        return frozenset()
    query = select(models.Permission.app_label, models.Permission.codename)
    if not user.is_superuser:
        direct = select(models.user_permissions.c.permission_id).where(
            models.user_permissions.c.user_id == user.id
        )
        via_groups = (
            select(models.group_permissions.c.permission_id)
            .join(
                models.user_groups,
                models.user_groups.c.group_id == models.group_permissions.c.group_id,
            )
            .where(models.user_groups.c.user_id == user.id)
        )
        query = query.where(models.Permission.id.in_(union(direct, via_groups)))
    rows = await session.execute(query)
    return frozenset(f"{label}.{codename}" for label, codename in rows)


def check_perms(user: AbstractUser, granted: Collection[str], required: Iterable[str]) -> bool:
    """Whether `user`, holding `granted` (from `user_permissions`), has every one of `required`.

    For a check repeated within a request: read the permissions once, check many times.
    """
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return all(permission in granted for permission in required)


async def has_perms(session: AsyncSession, user: AbstractUser, *required: str) -> bool:
    """Whether `user` has every permission in `required` (`"catalog.change_product"`)."""
    for key in required:
        _split(key)
    if not user.is_active or user.is_superuser:
        return check_perms(user, (), required)
    return check_perms(user, await user_permissions(session, user), required)


async def has_perm(session: AsyncSession, user: AbstractUser, permission: str) -> bool:
    return await has_perms(session, user, permission)


async def get_permissions(session: AsyncSession, *keys: str) -> list[Permission]:
    """The `Permission` rows `keys` name, in order; LookupError naming the ones that don't exist."""
    from kwik.contrib.auth.models import Permission

    if not keys:
        return []
    pairs = [_split(key) for key in keys]
    rows = await session.scalars(
        select(Permission).where(
            or_(*(and_(Permission.app_label == a, Permission.codename == c) for a, c in pairs))
        )
    )
    found = {permission.key: permission for permission in rows}
    missing = [key for key in keys if key not in found]
    if missing:
        raise LookupError(
            f"No permission {', '.join(missing)}: `kwik migrate` creates view, add, change and "
            "delete for each model (e.g. catalog.change_product); others are created as rows"
        )
    return [found[key] for key in keys]


async def grant(session: AsyncSession, holder: AbstractUser | Group, *keys: str) -> None:
    """Give a user or a group the permissions `keys`; ones it has already are left alone."""
    await _change(session, holder, keys, add=True)


async def revoke(session: AsyncSession, holder: AbstractUser | Group, *keys: str) -> None:
    """Take the permissions `keys` granted to a user or a group directly (not via groups)."""
    await _change(session, holder, keys, add=False)


async def add_to_groups(session: AsyncSession, user: AbstractUser, *groups: Group) -> None:
    """Put `user` in `groups`; groups it is in already are left alone."""
    from kwik.contrib.auth.models import user_groups

    await session.flush()
    rows = [{"user_id": user.id, "group_id": group.id} for group in groups]
    await _insert_missing(session, user_groups, rows)


async def remove_from_groups(session: AsyncSession, user: AbstractUser, *groups: Group) -> None:
    from kwik.contrib.auth.models import user_groups

    await session.flush()
    await session.execute(
        delete(user_groups).where(
            user_groups.c.user_id == user.id,
            user_groups.c.group_id.in_([group.id for group in groups]),
        )
    )


async def _change(
    session: AsyncSession, holder: AbstractUser | Group, keys: Sequence[str], *, add: bool
) -> None:
    from kwik.contrib.auth.models import Group, group_permissions, user_permissions

    permissions = await get_permissions(session, *keys)
    await session.flush()
    is_group = isinstance(holder, Group)
    table, column = (group_permissions, "group_id") if is_group else (user_permissions, "user_id")
    ids = [permission.id for permission in permissions]
    if add:
        rows = [{column: holder.id, "permission_id": pk} for pk in ids]
        await _insert_missing(session, table, rows)
    else:
        await session.execute(
            delete(table).where(table.c[column] == holder.id, table.c.permission_id.in_(ids))
        )
    if is_group:
        await session.refresh(holder, ["permissions"])


async def _insert_missing(session: AsyncSession, table: Table, rows: list[dict[str, int]]) -> None:
    """Insert link rows, skipping those that exist (a concurrent grant is not an error)."""
    if not rows:
        return
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(module.insert(table).on_conflict_do_nothing(), rows)
