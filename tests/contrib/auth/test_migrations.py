"""Auth's migrations through the real `kwik` script, on SQLite and PostgreSQL: a project with auth
installed makes no migration for auth, migrates, gets a permission for each action on each model
(once), unapplies auth and applies it again; and a project that swaps in its own user model gets
the user table and its links in its own app's migration, and no `auth_user`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contrib.auth.foundation import FAST_HASHER, PASSWORD
from tests.migrations.conftest import Shop
from tests.support import Project

pytestmark = pytest.mark.slow

PRODUCT = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.db import IDMixin, Model


class Product(IDMixin, Model):
    name: Mapped[str] = mapped_column(String(200))
"""

PRODUCT_IMAGE = f"""{PRODUCT}

class ProductImage(IDMixin, Model):
    url: Mapped[str] = mapped_column(String(300))
"""

MEMBER = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kwik.contrib.auth import AbstractUser


class Member(AbstractUser):
    USERNAME_FIELD = "handle"
    REQUIRED_FIELDS = ("email",)

    handle: Mapped[str] = mapped_column(String(40), unique=True)
    nickname: Mapped[str | None] = mapped_column(String(60))
"""

AUTH_TABLES = {"auth_permission", "auth_group", "auth_group_permissions"}
USER_TABLES = {"auth_user", "auth_user_groups", "auth_user_permissions"}


@pytest.fixture
def shop(
    project: Project,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Shop:
    return Shop(project, database_url, capsys, monkeypatch)


@pytest.fixture
def sqlite_shop(
    project: Project,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Shop:
    """The project on SQLite only, for what doesn't depend on the database."""
    return Shop(project, f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}", capsys, monkeypatch)


def install(shop: Shop, *apps: str, settings: str = "") -> None:
    for label in apps:
        shop.project.package(label, {"migrations/__init__.py": ""})
    installed = ["kwik.contrib.auth", *apps]
    shop.project.settings(
        f"INSTALLED_APPS = {installed!r}\nPASSWORD_HASHERS = [{FAST_HASHER!r}]\n{settings}",
        module="shop.settings",
    )
    shop.project.pyproject("shop.settings")


def permissions(shop: Shop, label: str) -> dict[str, str]:
    rows = shop.rows(
        f"SELECT codename || '|' || name FROM auth_permission WHERE app_label = '{label}'"
    )
    return dict(str(row).split("|") for row in rows)


def applying(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if "pplying" in line]


def test_auth_migrates_without_new_migrations_and_makes_permissions_once_per_model(shop: Shop):
    install(shop, "catalog")
    shop.models("catalog", PRODUCT)

    made = shop.kwik("makemigrations")
    assert made.lines[0] == "Migrations for 'catalog':", made.err
    assert "auth" not in made.out
    assert shop.kwik("makemigrations", "--check").lines == ["No changes detected"]

    migrated = shop.kwik("migrate")
    assert migrated.code == 0, migrated.err
    assert applying(migrated.lines)[0] == "Applying auth.0001_initial... OK"
    assert AUTH_TABLES | USER_TABLES | {"catalog_product"} <= shop.tables()
    assert permissions(shop, "catalog") == {
        "view_product": "Can view product",
        "add_product": "Can add product",
        "change_product": "Can change product",
        "delete_product": "Can delete product",
    }
    assert {"view_user", "change_group", "delete_permission"} <= set(permissions(shop, "auth"))
    count = len(shop.rows("SELECT id FROM auth_permission"))

    again = shop.kwik("migrate")
    assert "  No migrations to apply." in again.lines
    assert len(shop.rows("SELECT id FROM auth_permission")) == count

    shop.models("catalog", PRODUCT_IMAGE)  # a new model: its permissions come with its table
    shop.kwik("makemigrations")
    assert shop.kwik("migrate").code == 0
    assert permissions(shop, "catalog")["change_product_image"] == "Can change product image"
    assert len(shop.rows("SELECT id FROM auth_permission")) == count + 4


def test_auth_unapplied_to_zero_and_applied_again(shop: Shop):
    install(shop)
    assert shop.kwik("migrate").code == 0

    zero = shop.kwik("migrate", "auth", "zero")

    assert zero.code == 0, zero.err
    assert applying(zero.lines)[-1] == "Unapplying auth.0001_initial... OK"
    assert not (AUTH_TABLES | USER_TABLES) & shop.tables()

    back = shop.kwik("migrate")

    assert back.code == 0, back.err
    assert "view_user" in permissions(shop, "auth")


def test_a_swapped_user_model_lives_in_its_own_app_and_replaces_auths(shop: Shop):
    install(shop, "members", settings='AUTH_USER_MODEL = "members.Member"\n')
    shop.models("members", MEMBER)

    made = shop.kwik("makemigrations")
    assert made.lines[:3] == [
        "Migrations for 'members':",
        "  members/migrations/0001_initial.py",
        "    - Create table members_member",
    ], made.err
    assert "    - Create table members_member_groups" in made.lines
    assert "    - Create table members_member_permissions" in made.lines
    assert "auth_user" not in made.out
    assert shop.kwik("makemigrations", "--check").lines == ["No changes detected"]

    migrated = shop.kwik("migrate")
    assert migrated.code == 0, migrated.err
    tables = shop.tables()
    assert AUTH_TABLES | {"members_member", "members_member_groups"} <= tables
    assert not USER_TABLES & tables
    assert ("user_id", "members_member") in shop.foreign_keys("members_member_permissions")
    assert permissions(shop, "members")["view_member"] == "Can view member"
    assert "view_user" not in permissions(shop, "auth")

    created = shop.kwik(
        "createsuperuser",
        "--noinput",
        env={
            "KWIK_SUPERUSER_HANDLE": "countess",
            "KWIK_SUPERUSER_EMAIL": "Ada@Example.com",
            "KWIK_SUPERUSER_PASSWORD": PASSWORD,
        },
    )
    assert created.lines == ["Superuser created successfully."], created.err
    assert shop.rows("SELECT handle || ' ' || email FROM members_member") == [
        "countess ada@example.com"
    ]

    code = (
        "import asyncio, kwik.db\n"
        "from kwik.contrib.auth import find_user, get_user_model, has_perm\n"
        "async def main():\n"
        "    async with kwik.db.session() as session:\n"
        "        user = await find_user(session, 'countess')\n"
        f"        print(get_user_model().__name__, await user.check_password({PASSWORD!r}),\n"
        "              await has_perm(session, user, 'members.view_member'))\n"
        "asyncio.run(main())\n"
        "try:\n"
        "    from kwik.contrib.auth.models import User\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    shell = shop.kwik("shell", "-c", code)
    assert shell.lines == [
        "Member True True",
        "auth's User is swapped out: AUTH_USER_MODEL is 'members.Member'; use "
        "kwik.contrib.auth.get_user_model() for the user model",
    ], shell.err

    zero = shop.kwik("migrate", "auth", "zero")
    assert "  Also unapplying members.0001_initial, which depends on auth." in zero.lines
    assert shop.kwik("migrate").code == 0


def test_a_user_model_that_is_not_installed_is_a_check_error(sqlite_shop: Shop):
    shop = sqlite_shop
    install(shop, "members", settings='AUTH_USER_MODEL = "members.Membr"\n')
    shop.models("members", MEMBER)

    checked = shop.kwik("check")

    assert checked.code == 1
    assert (
        "auth: (auth.E001) AUTH_USER_MODEL members.Membr refers to a model that is not installed: "
        "App 'members' has no model 'Membr'. Did you mean Member?"
    ) in checked.err


def test_a_malformed_user_model_setting_stops_start_up(sqlite_shop: Shop):
    shop = sqlite_shop
    install(shop, settings='AUTH_USER_MODEL = "Member"\n')

    checked = shop.kwik("check")

    assert checked.error.endswith(
        "AUTH_USER_MODEL must be 'app_label.ModelName' (like 'members.Member'), not 'Member'"
    )
