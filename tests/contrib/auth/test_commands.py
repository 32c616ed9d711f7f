"""`createsuperuser` and `changepassword`: interactively (prompts, through click's test runner, in
this process) and `createsuperuser --noinput` through the real `kwik` script, on SQLite and
PostgreSQL. Every failure is one `Error:` line with a non-zero exit, and no password is ever
printed. `clearsessions` deletes the sessions and tokens that expired, and only those."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from kwik.cli import CommandError, cli
from kwik.conf import ENVIRONMENT_VARIABLE
from kwik.contrib.auth.passwords import FastScryptHasher
from kwik.db import utcnow
from tests.contrib.auth.foundation import FAST_HASHER, PASSWORD, load_migrated, make_user
from tests.migrations.conftest import Shop
from tests.support import Project

NEW_PASSWORD = "saffron-lantern-orchard-77"


def lines(*answers: str) -> str:
    return "".join(f"{answer}\n" for answer in answers)


def stored_users() -> list[Any]:
    import kwik.db
    from kwik.contrib.auth import get_user_model

    async def read() -> list[Any]:
        model = get_user_model()
        try:
            async with kwik.db.session() as session:
                return list(await session.scalars(select(model).order_by(model.id)))
        finally:
            await kwik.db.database().dispose()

    return asyncio.run(read())


def add_user(email: str = "ada@example.com", password: str = PASSWORD) -> None:
    async def add() -> None:
        import kwik.db

        try:
            await make_user(email, password)
        finally:
            await kwik.db.database().dispose()

    asyncio.run(add())


@pytest.fixture
def migrated(project: Project, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The auth project loaded in this process (and found by `kwik`), its database migrated."""
    load_migrated(project, database_url)
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "proj.settings")


def run(*args: str, answers: str = "") -> Result:
    return CliRunner().invoke(cli, list(args), input=answers)


# Interactive -----------------------------------------------------------------------------------


def test_createsuperuser_asks_for_the_email_and_the_password_twice(migrated: None):
    result = run("createsuperuser", answers=lines(" Ada@Example.com", PASSWORD, PASSWORD))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Email:  Ada@Example.com",
        "Password: ",
        "Password (again): ",
        "Superuser created successfully.",
    ]
    [user] = stored_users()
    assert (user.email, user.is_active, user.is_staff, user.is_superuser) == (
        "ada@example.com",
        True,
        True,
        True,
    )
    assert user.password.startswith("scrypt$n=16,r=1,p=1$")
    assert FastScryptHasher().verify(PASSWORD, user.password)
    assert PASSWORD not in result.output


def test_createsuperuser_asks_again_until_the_two_passwords_match(migrated: None):
    answers = lines("ada@example.com", PASSWORD, NEW_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)

    result = run("createsuperuser", answers=answers)

    assert result.exit_code == 0, result.output
    assert "Error: The two entered values do not match." in result.output
    assert FastScryptHasher().verify(NEW_PASSWORD, stored_users()[0].password)


def test_createsuperuser_asks_again_for_a_bad_or_taken_email(migrated: None):
    add_user("ada@example.com")

    result = run(
        "createsuperuser",
        answers=lines("ada", "", "ADA@example.com", "bob@example.com", PASSWORD, PASSWORD),
    )

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Error: 'ada' is not a valid email address",
        "Error: Email can't be blank.",
        "Error: A user with email 'ada@example.com' already exists.",
    ]
    assert [user.email for user in stored_users()] == ["ada@example.com", "bob@example.com"]


def test_createsuperuser_lists_what_is_wrong_with_a_password_and_lets_it_be_bypassed(
    migrated: None,
):
    result = run(
        "createsuperuser", answers=lines("ada@example.com", "adaexample", "adaexample", "y")
    )

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["Error: The password is too similar to the email."]
    assert "Bypass password validation and use it anyway? [y/N]: y" in result.stdout
    assert FastScryptHasher().verify("adaexample", stored_users()[0].password)


def test_createsuperuser_asks_for_another_password_when_not_bypassed(migrated: None):
    answers = lines("ada@example.com", "sunshine", "sunshine", "n", PASSWORD, PASSWORD)

    result = run("createsuperuser", answers=answers)

    assert result.exit_code == 0, result.output
    assert "Error: The password is too short: it must have at least 10 characters." in result.stderr
    assert "Error: The password is too common." in result.stderr
    assert FastScryptHasher().verify(PASSWORD, stored_users()[0].password)


def test_createsuperuser_refuses_a_blank_password_without_offering_a_bypass(migrated: None):
    result = run("createsuperuser", answers=lines("ada@example.com", "", "", "", "", "", ""))

    assert isinstance(result.exception, CommandError)
    assert str(result.exception) == "No superuser created: 3 passwords were refused"
    assert result.stderr.count("Error: Blank passwords aren't allowed.") == 3
    assert "Bypass" not in result.output
    assert stored_users() == []


def test_changepassword_sets_a_new_password(migrated: None):
    add_user("ada@example.com")

    result = run("changepassword", "ADA@example.com", answers=lines(NEW_PASSWORD, NEW_PASSWORD))

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Changing the password of 'ada@example.com'",
        "Password: ",
        "Password (again): ",
        "Password changed for 'ada@example.com'.",
    ]
    [user] = stored_users()
    assert FastScryptHasher().verify(NEW_PASSWORD, user.password)
    assert not FastScryptHasher().verify(PASSWORD, user.password)


def test_changepassword_asks_for_the_user_when_none_is_given(migrated: None):
    add_user("ada@example.com")

    result = run("changepassword", answers=lines("ada@example.com", NEW_PASSWORD, NEW_PASSWORD))

    assert result.exit_code == 0, result.output
    assert FastScryptHasher().verify(NEW_PASSWORD, stored_users()[0].password)


def test_changepassword_gives_up_after_three_refused_passwords(migrated: None):
    add_user("ada@example.com")

    result = run("changepassword", "ada@example.com", answers=lines(*["1234567890"] * 6))

    assert isinstance(result.exception, CommandError)
    assert str(result.exception) == "Password of 'ada@example.com' not changed after 3 attempts"
    assert result.stderr.count("Error: The password is entirely numeric.") == 3
    assert "Bypass" not in result.output
    assert FastScryptHasher().verify(PASSWORD, stored_users()[0].password)


def test_changepassword_for_an_unknown_user_is_an_error(migrated: None):
    result = run("changepassword", "bob@example.com")

    assert isinstance(result.exception, CommandError)
    assert str(result.exception) == "No user with email 'bob@example.com'"


# clearsessions --------------------------------------------------------------------------------


def add_credentials(expiries: dict[str, timedelta]) -> None:
    """A session, a bearer token and a reset token of Ada's for each name, expiring that far from
    now (negative: already expired); each row's digest is its name, padded."""

    async def add() -> None:
        import kwik.db
        from kwik.contrib.auth.models import AuthToken, PasswordResetToken, UserSession

        try:
            user = await make_user()
            now = utcnow()
            async with kwik.db.session() as session:
                for name, delta in expiries.items():
                    digest, expires_at = name.ljust(64, "0"), now + delta
                    session.add_all(
                        [
                            UserSession(digest=digest, user_id=user.id, expires_at=expires_at),
                            AuthToken(
                                digest=digest,
                                prefix=name[:16],
                                user_id=user.id,
                                expires_at=expires_at,
                                revoked_at=now if name == "revoked" else None,
                            ),
                            PasswordResetToken(
                                digest=digest, user_id=user.id, expires_at=expires_at
                            ),
                        ]
                    )
        finally:
            await kwik.db.database().dispose()

    asyncio.run(add())


def credentials_left() -> dict[str, list[str]]:
    import kwik.db
    from kwik.contrib.auth.models import AuthToken, PasswordResetToken, UserSession

    async def read() -> dict[str, list[str]]:
        try:
            async with kwik.db.session() as session:
                return {
                    model.__tablename__: sorted(
                        digest.rstrip("0") for digest in await session.scalars(select(model.digest))
                    )
                    for model in (UserSession, AuthToken, PasswordResetToken)
                }
        finally:
            await kwik.db.database().dispose()

    return asyncio.run(read())


def test_clearsessions_deletes_what_expired_and_keeps_the_rest(migrated: None):
    add_credentials(
        {
            "old": timedelta(days=-30),
            "stale": timedelta(seconds=-1),
            "live": timedelta(hours=1),
            "revoked": timedelta(days=3),  # refused already, but expiry is what this clears
        }
    )

    result = run("clearsessions")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Deleted 2 sessions, 2 bearer tokens and 2 password-reset tokens that had expired.\n"
    )
    live = ["live", "revoked"]
    assert credentials_left() == {
        "auth_session": live,
        "auth_token": live,
        "auth_password_reset_token": live,
    }
    again = run("clearsessions")
    assert again.stdout == (
        "Deleted 0 sessions, 0 bearer tokens and 0 password-reset tokens that had expired.\n"
    )


def test_delete_expired_takes_the_moment_to_clear_up_to(migrated: None):
    from kwik.contrib.auth import Deleted, delete_expired

    add_credentials({"soon": timedelta(hours=1), "later": timedelta(days=2)})

    async def clear() -> Deleted:
        import kwik.db

        try:
            async with kwik.db.session() as session:
                return await delete_expired(session, now=utcnow() + timedelta(days=1))
        finally:
            await kwik.db.database().dispose()

    assert asyncio.run(clear()) == Deleted(sessions=1, tokens=1, reset_tokens=1)
    assert credentials_left()["auth_session"] == ["later"]


@pytest.mark.slow
def test_clearsessions_on_a_database_without_auths_tables_says_to_migrate(shop: Shop):
    failed = shop.kwik("clearsessions")

    assert failed.code != 0
    assert failed.error.startswith("The database refused: ")
    assert failed.error.endswith(". Has `kwik migrate` created the auth tables?")


# --noinput, through the kwik script -------------------------------------------------------------


def auth_shop(
    project: Project,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Shop:
    """A project with auth on `database_url` (not migrated), run with the kwik script."""
    shop = Shop(project, database_url, capsys, monkeypatch)
    project.settings(
        f'INSTALLED_APPS = ["kwik.contrib.auth"]\nPASSWORD_HASHERS = [{FAST_HASHER!r}]\n',
        module="shop.settings",
    )
    project.pyproject("shop.settings")
    return shop


@pytest.fixture
def shop(
    project: Project,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Shop:
    return auth_shop(project, database_url, capsys, monkeypatch)


@pytest.fixture
def sqlite_shop(
    project: Project,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Shop:
    """For failures that don't depend on the database."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    return auth_shop(project, url, capsys, monkeypatch)


def superuser_env(**values: str) -> dict[str, str]:
    env = {"KWIK_SUPERUSER_EMAIL": "Ada@Example.com", "KWIK_SUPERUSER_PASSWORD": PASSWORD}
    env.update(values)
    return {name: value for name, value in env.items() if value != "-"}


@pytest.mark.slow
def test_noinput_creates_the_superuser_from_the_environment_once(shop: Shop):
    assert shop.kwik("migrate").code == 0

    created = shop.kwik("createsuperuser", "--noinput", env=superuser_env())
    again = shop.kwik(
        "createsuperuser", "--no-input", env=superuser_env(KWIK_SUPERUSER_EMAIL="ADA@example.com")
    )

    assert (created.code, created.lines, created.err) == (
        0,
        ["Superuser created successfully."],
        "",
    )
    assert again.error == "A user with email 'ada@example.com' already exists"
    [row] = shop.rows(
        "SELECT email || ' ' || CAST(is_superuser AS VARCHAR) || ' ' || CAST(is_staff AS VARCHAR) "
        "FROM auth_user"
    )
    assert row in {"ada@example.com 1 1", "ada@example.com true true"}
    [stored] = shop.rows("SELECT password FROM auth_user")
    assert FastScryptHasher().verify(PASSWORD, str(stored))
    for result in (created, again):
        assert PASSWORD not in result.out + result.err


@pytest.mark.slow
def test_noinput_on_a_database_without_auths_tables_says_to_migrate(shop: Shop):
    failed = shop.kwik("createsuperuser", "--noinput", env=superuser_env())

    assert failed.error.startswith("The database refused: ")
    assert failed.error.endswith(". Has `kwik migrate` created the tables?")
    assert "auth_user" in failed.error


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "error"),
    [
        (
            superuser_env(KWIK_SUPERUSER_EMAIL="-"),
            "KWIK_SUPERUSER_EMAIL is not set: --noinput reads the email from it",
        ),
        (
            superuser_env(KWIK_SUPERUSER_PASSWORD="-"),
            "KWIK_SUPERUSER_PASSWORD is not set: --noinput reads the password from it",
        ),
        (
            superuser_env(KWIK_SUPERUSER_EMAIL="ada@example"),
            "KWIK_SUPERUSER_EMAIL: 'ada@example' is not a valid email address",
        ),
        (
            superuser_env(KWIK_SUPERUSER_PASSWORD="12345678"),
            "KWIK_SUPERUSER_PASSWORD: The password is too short: it must have at least 10 "
            "characters. The password is too common. The password is entirely numeric.",
        ),
    ],
    ids=["no-email", "no-password", "bad-email", "weak-password"],
)
def test_noinput_stops_with_one_clear_line(sqlite_shop: Shop, env: dict[str, str], error: str):
    assert sqlite_shop.kwik("migrate").code == 0

    failed = sqlite_shop.kwik("createsuperuser", "--noinput", env=env)

    assert failed.error == error
    assert sqlite_shop.rows("SELECT email FROM auth_user") == []


@pytest.mark.slow
def test_noinput_can_skip_password_validation(sqlite_shop: Shop):
    assert sqlite_shop.kwik("migrate").code == 0

    created = sqlite_shop.kwik(
        "createsuperuser",
        "--noinput",
        "--skip-password-validation",
        env=superuser_env(KWIK_SUPERUSER_PASSWORD="12345678"),
    )

    assert created.lines == ["Superuser created successfully."], created.err
    assert sqlite_shop.rows("SELECT email FROM auth_user") == ["ada@example.com"]
