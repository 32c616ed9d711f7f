"""Auth's user model on SQLite and PostgreSQL: emails stored lower-cased and unique whatever their
case, defaults, passwords set and checked (and upgraded), no hash in any representation, and the
configured user model resolved through AUTH_USER_MODEL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

import kwik
import kwik.bootstrap
import kwik.db
from kwik.contrib.auth import (
    USER_ID_TYPE,
    AbstractUser,
    find_user,
    get_user_model,
    is_swapped,
    normalize_email,
    user_foreign_key,
    user_table,
    user_table_name,
)
from kwik.contrib.auth.passwords import FastScryptHasher
from kwik.db import database
from kwik.exceptions import ImproperlyConfigured
from kwik.testing import override_settings
from tests.contrib.auth.foundation import PASSWORD, make_user, migrate, write_settings
from tests.support import Project

LARGER = "tests.contrib.auth.test_passwords:LargerFastScryptHasher"


@pytest.fixture
async def migrated(project: Project, database_url: str) -> AsyncIterator[None]:
    write_settings(project, database_url)
    kwik.setup("proj.settings")
    await migrate()
    yield
    await database().dispose()


async def test_the_default_user_model_is_auths_user_in_auth_user(migrated: None):
    from kwik.contrib.auth.models import User

    assert get_user_model() is User
    assert issubclass(User, AbstractUser)
    assert not is_swapped()
    assert user_table() is User.__table__
    assert user_table().name == user_table_name() == "auth_user"
    assert User.USERNAME_FIELD == "email"


async def test_the_user_foreign_key_points_at_the_user_tables_id_and_cascades(migrated: None):
    key = user_foreign_key()

    assert key.target_fullname == "auth_user.id"
    assert key.ondelete == "CASCADE"
    assert user_foreign_key(ondelete="SET NULL").ondelete == "SET NULL"
    assert USER_ID_TYPE.compile(dialect=database().engine.dialect) in {"INTEGER", "BIGINT"}


async def test_an_email_is_stored_stripped_and_lower_cased(migrated: None):
    user = await make_user(" Ada.Lovelace@Example.COM ")

    async with kwik.db.session() as session:
        stored = await session.scalar(select(get_user_model().email))

    assert user.email == stored == "ada.lovelace@example.com"


async def test_two_users_cannot_share_an_email_whatever_its_case(migrated: None):
    await make_user("ada@example.com")

    with pytest.raises(IntegrityError):
        await make_user("ADA@Example.com")


async def test_a_user_is_found_by_email_whatever_its_case(migrated: None):
    user = await make_user("ada@example.com")

    async with kwik.db.session() as session:
        found = await find_user(session, "  ADA@example.COM")
        missing = await find_user(session, "bob@example.com")
        malformed = await find_user(session, "not an email")

    assert found is not None
    assert found.id == user.id
    assert missing is None
    assert malformed is None


@pytest.mark.parametrize(
    "email",
    [
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada lovelace@example.com",
        "ada@exa mple.com",
        "ada..l@example.com",
        ".ada@example.com",
        "ada@-example.com",
        "a" * 65 + "@example.com",
    ],
)
def test_an_invalid_email_is_refused(email: str):
    with pytest.raises(ValueError, match="is not a valid email address"):
        normalize_email(email)


async def test_the_user_model_refuses_an_invalid_email(migrated: None):
    with pytest.raises(ValueError, match="'ada@example' is not a valid email address"):
        get_user_model()(email="ada@example")


@pytest.mark.parametrize(
    ("email", "stored"),
    [
        ("Ada@Example.com", "ada@example.com"),
        ("o'brien+shop@mail.example.co.uk", None),
        ("ADA@bücher.example", "ada@bücher.example"),
    ],
)
def test_valid_emails_are_normalised(email: str, stored: str | None):
    assert normalize_email(email) == (stored or email)


async def test_a_new_user_is_active_but_neither_staff_nor_superuser(migrated: None):
    before = datetime.now(UTC)
    user = await make_user()

    async with kwik.db.session() as session:
        stored = await session.get(get_user_model(), user.id)

    assert stored is not None
    assert (stored.is_active, stored.is_staff, stored.is_superuser) == (True, False, False)
    assert stored.last_login is None
    assert before - timedelta(seconds=1) <= stored.date_joined <= datetime.now(UTC)
    assert stored.date_joined.tzinfo is UTC


async def test_a_user_made_without_a_password_has_an_unusable_one(migrated: None):
    user = get_user_model()(email="ada@example.com")
    async with kwik.db.session() as session:
        session.add(user)

    assert user.password.startswith("!")
    assert not user.has_usable_password()
    assert not await user.check_password(user.password)


async def test_set_password_stores_a_hash_that_check_password_accepts(migrated: None):
    user = get_user_model()(email="ada@example.com")

    await user.set_password(PASSWORD)

    assert user.password.startswith("scrypt$n=16,r=1,p=1$")
    assert PASSWORD not in user.password
    assert user.has_usable_password()
    assert await user.check_password(PASSWORD)
    assert not await user.check_password(PASSWORD.upper())


async def test_checking_a_password_upgrades_an_outdated_hash_which_the_session_stores(
    migrated: None,
):
    user = await make_user()
    old = user.password

    with override_settings(PASSWORD_HASHERS=[LARGER]):
        async with kwik.db.session() as session:
            stored = await session.get(get_user_model(), user.id)
            assert stored is not None
            assert not await stored.check_password("wrong password")
            assert stored.password == old
            assert await stored.check_password(PASSWORD)
        async with kwik.db.session() as session:
            upgraded = await session.scalar(select(get_user_model().password))

    assert upgraded is not None
    assert upgraded != old
    assert upgraded.startswith("scrypt$n=32,r=1,p=1$")
    assert FastScryptHasher().verify(PASSWORD, upgraded)


async def test_no_representation_of_a_user_shows_the_password_hash(migrated: None):
    user = await make_user("ada@example.com")
    salt, digest = user.password.split("$")[2:]

    for shown in (repr(user), str(user), f"{user}", f"{user!r}", str([user]), str({"u": user})):
        assert "scrypt" not in shown
        assert salt not in shown
        assert digest not in shown
    assert repr(user) == f"<User id={user.id} email='ada@example.com'>"
    assert str(user) == "ada@example.com"


async def test_deleting_a_user_deletes_their_group_and_permission_links(migrated: None):
    from kwik.contrib.auth import add_to_groups, grant
    from kwik.contrib.auth.models import Group, user_groups, user_permissions

    user = await make_user()
    async with kwik.db.session() as session:
        group = Group(name="editors")
        session.add(group)
        await add_to_groups(session, user, group)
        await grant(session, user, "auth.view_group")
    async with kwik.db.session() as session:
        await session.execute(delete(get_user_model()).where(get_user_model().id == user.id))
    async with kwik.db.session() as session:
        links = [
            await session.scalar(select(func.count()).select_from(table))
            for table in (user_groups, user_permissions)
        ]
        groups = await session.scalar(select(func.count()).select_from(Group))

    assert links == [0, 0]
    assert groups == 1


def test_a_second_user_model_in_one_process_is_refused(project: Project, tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}"
    write_settings(project, url)
    kwik.setup("proj.settings")  # auth's tables are made for auth.User (if not already)
    kwik.bootstrap.reset()
    project.settings(
        f'INSTALLED_APPS = ["kwik.contrib.auth"]\nAUTH_USER_MODEL = "members.Member"\n'
        f"DATABASE_URL = {url!r}\n",
        module="other.settings",
    )

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup("other.settings")

    assert str(error.value) == (
        "AUTH_USER_MODEL is 'members.Member', but this process already made auth's tables for "
        "'auth.User': load one project per process"
    )
