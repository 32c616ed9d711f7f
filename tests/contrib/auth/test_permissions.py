"""Permissions on SQLite and PostgreSQL: made for every model after migrating (once), held
directly and through groups, read in one query, all for active superusers and none for inactive
users."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, func, select

import kwik
import kwik.db
from kwik.contrib.auth import (
    add_to_groups,
    check_perms,
    get_permissions,
    grant,
    has_perm,
    has_perms,
    remove_from_groups,
    revoke,
    user_permissions,
)
from kwik.contrib.auth.model_permissions import model_permissions
from kwik.db import database
from kwik.migrations import run_post_migrate
from tests.contrib.auth.foundation import make_user, migrate, statements, write_settings
from tests.support import Project

AUTH_MODEL_PERMISSIONS = {
    f"auth.{action}_{model}"
    for action in ("view", "add", "change", "delete")
    for model in ("permission", "group", "user")
}


@pytest.fixture
async def migrated(project: Project, database_url: str) -> AsyncIterator[None]:
    write_settings(project, database_url)
    kwik.setup("proj.settings")
    await migrate()
    yield
    await database().dispose()


async def stored_permissions() -> dict[str, str]:
    from kwik.contrib.auth.models import Permission

    async with kwik.db.session() as session:
        return {p.key: p.name for p in await session.scalars(select(Permission))}


async def test_migrating_creates_view_add_change_delete_for_every_model(migrated: None):
    stored = await stored_permissions()

    assert set(stored) >= AUTH_MODEL_PERMISSIONS
    assert set(stored) == {f"{label}.{codename}" for label, codename in model_permissions()}
    assert stored["auth.change_user"] == "Can change user"
    assert stored["auth.view_permission"] == "Can view permission"


async def test_migrating_again_reads_once_and_inserts_nothing(migrated: None):
    before = await stored_permissions()

    with statements() as seen:
        await migrate()

    assert await stored_permissions() == before
    reads = [s for s in seen if "FROM auth_permission" in s]
    assert len(reads) == 1  # besides asking whether the table exists
    assert not [s for s in seen if s.lstrip().upper().startswith("INSERT")]


async def test_missing_permissions_are_made_again_by_the_next_migrate(migrated: None):
    from kwik.contrib.auth.models import Permission

    async with kwik.db.session() as session:
        await session.execute(delete(Permission).where(Permission.codename == "view_group"))
    assert "auth.view_group" not in await stored_permissions()

    async with database().engine.connect() as connection:
        await run_post_migrate(connection)

    assert (await stored_permissions())["auth.view_group"] == "Can view group"


async def test_a_grant_gives_a_user_a_permission(migrated: None):
    user = await make_user()

    async with kwik.db.session() as session:
        assert not await has_perm(session, user, "auth.view_group")
        await grant(session, user, "auth.view_group", "auth.add_group")
        await grant(session, user, "auth.view_group")  # again: nothing changes

    async with kwik.db.session() as session:
        assert await user_permissions(session, user) == {"auth.view_group", "auth.add_group"}
        assert await has_perms(session, user, "auth.view_group", "auth.add_group")
        assert not await has_perms(session, user, "auth.view_group", "auth.delete_group")


async def test_revoking_takes_a_direct_grant_away(migrated: None):
    user = await make_user()
    async with kwik.db.session() as session:
        await grant(session, user, "auth.view_group", "auth.add_group")
        await revoke(session, user, "auth.add_group")

        assert await user_permissions(session, user) == {"auth.view_group"}


async def test_a_user_has_the_permissions_of_their_groups(migrated: None):
    from kwik.contrib.auth.models import Group

    user = await make_user()
    async with kwik.db.session() as session:
        editors, viewers = Group(name="editors"), Group(name="viewers")
        session.add_all([editors, viewers])
        await grant(session, editors, "auth.change_user", "auth.view_user")
        await grant(session, viewers, "auth.view_user", "auth.view_group")
        await add_to_groups(session, user, editors, viewers)
        await add_to_groups(session, user, editors)  # again: nothing changes

        assert [p.key for p in editors.permissions] == ["auth.view_user", "auth.change_user"]
        assert await user_permissions(session, user) == {
            "auth.change_user",
            "auth.view_user",
            "auth.view_group",
        }

        await remove_from_groups(session, user, editors)

        assert await user_permissions(session, user) == {"auth.view_user", "auth.view_group"}


async def test_a_groups_permissions_load_with_it(migrated: None):
    from kwik.contrib.auth.models import Group

    async with kwik.db.session() as session:
        session.add(
            Group(name="editors", permissions=await get_permissions(session, "auth.view_user"))
        )
    async with kwik.db.session() as session:
        group = await session.scalar(select(Group))
        assert group is not None

        assert [p.key for p in group.permissions] == ["auth.view_user"]  # no lazy load in async


async def test_direct_and_group_permissions_are_read_in_one_query(migrated: None):
    from kwik.contrib.auth.models import Group

    user = await make_user()
    async with kwik.db.session() as session:
        group = Group(name="editors")
        session.add(group)
        await grant(session, group, "auth.change_user")
        await add_to_groups(session, user, group)
        await grant(session, user, "auth.view_group")
    async with kwik.db.session() as session:
        with statements() as seen:
            found = await user_permissions(session, user)

    assert found == {"auth.change_user", "auth.view_group"}
    assert len([s for s in seen if "SELECT" in s.upper()]) == 1


async def test_deleting_a_group_takes_its_permissions_from_its_members(migrated: None):
    from kwik.contrib.auth.models import Group

    user = await make_user()
    async with kwik.db.session() as session:
        group = Group(name="editors")
        session.add(group)
        await grant(session, group, "auth.change_user")
        await add_to_groups(session, user, group)
    async with kwik.db.session() as session:
        await session.execute(delete(Group))
    async with kwik.db.session() as session:
        assert await user_permissions(session, user) == frozenset()


async def test_an_active_superuser_has_every_permission_even_unknown_ones(migrated: None):
    user = await make_user(is_superuser=True)
    every = set(await stored_permissions())

    async with kwik.db.session() as session:
        assert await user_permissions(session, user) == every
        with statements() as seen:
            assert await has_perms(session, user, "auth.change_user", "shop.fly_to_the_moon")
    assert seen == []


async def test_an_inactive_user_has_no_permission_even_as_a_superuser(migrated: None):
    from kwik.contrib.auth.models import Group

    user = await make_user(is_active=False, is_superuser=True)
    async with kwik.db.session() as session:
        group = Group(name="editors")
        session.add(group)
        await grant(session, group, "auth.change_user")
        await add_to_groups(session, user, group)
        await grant(session, user, "auth.view_user")

        assert await user_permissions(session, user) == frozenset()
        assert not await has_perm(session, user, "auth.view_user")
        assert not check_perms(user, {"auth.view_user"}, ["auth.view_user"])


async def test_checking_held_permissions_needs_no_query(migrated: None):
    user = await make_user()
    superuser = await make_user("root@example.com", is_superuser=True)

    assert check_perms(user, {"a.x", "a.y"}, ["a.x", "a.y"])
    assert not check_perms(user, {"a.x"}, ["a.x", "a.y"])
    assert check_perms(user, set(), [])
    assert check_perms(superuser, set(), ["a.x"])


async def test_naming_a_permission_that_does_not_exist_is_an_error(migrated: None):
    user = await make_user()
    async with kwik.db.session() as session:
        with pytest.raises(
            LookupError, match=r"No permission auth\.fly, shop\.view_thing: `kwik mi"
        ):
            await grant(session, user, "auth.view_user", "auth.fly", "shop.view_thing")
        with pytest.raises(ValueError, match="'view_user' is not a permission: name it"):
            await has_perms(session, user, "view_user")
        assert await session.scalar(select(func.count()).select_from(user.__table__)) == 1
