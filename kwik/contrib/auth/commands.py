"""`kwik createsuperuser` and `kwik changepassword`: the users a project starts with, from a shell;
`kwik clearsessions`: expired sessions and tokens deleted.

Both work on the configured user model (`AUTH_USER_MODEL`): they ask for its USERNAME_FIELD and
REQUIRED_FIELDS. Passwords are read without echo, never printed and never logged; the password
validators run on them, and `createsuperuser` lets a person bypass them, as Django's does.
`createsuperuser --noinput` reads everything from the environment, for scripts and containers:
`KWIK_SUPERUSER_PASSWORD` and `KWIK_SUPERUSER_<FIELD>` for each field (`KWIK_SUPERUSER_EMAIL`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy.exc import IntegrityError

from kwik.cli import CommandError
from kwik.db.commands import run_database_work

if TYPE_CHECKING:
    from kwik.contrib.auth.base_user import AbstractUser

__all__ = ["changepassword", "clearsessions", "createsuperuser"]

ENV_PREFIX = "KWIK_SUPERUSER_"
ATTEMPTS = 3
T = TypeVar("T")


def _run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return run_database_work(work)


def _fields(model: type[AbstractUser]) -> list[str]:
    """USERNAME_FIELD, then the REQUIRED_FIELDS, each once."""
    return list(dict.fromkeys([model.USERNAME_FIELD, *model.REQUIRED_FIELDS]))


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def _clean(model: type[AbstractUser], field: str, raw: str) -> Any:
    """`raw` as the column `field` stores it; ValueError with a message for people."""
    from kwik.contrib.auth.base_user import normalize_email

    if not raw.strip():
        raise ValueError(f"{_label(field)} can't be blank.")
    if field == model.USERNAME_FIELD:
        return model.normalize_username(raw)
    if field == model.EMAIL_FIELD:
        return normalize_email(raw)
    column = model.__table__.columns.get(field)
    if column is None:
        raise ValueError(f"{model.__name__} has no column {field!r} (in REQUIRED_FIELDS)")
    python_type = column.type.python_type
    try:
        return raw if python_type is str else python_type(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{_label(field)} must be a {python_type.__name__}.") from None


async def _taken(model: type[AbstractUser], field: str, value: Any) -> bool:
    from sqlalchemy import select

    import kwik.db

    async with kwik.db.session() as session:
        found = await session.scalar(select(model.id).where(getattr(model, field) == value))
    return found is not None


def _password_problems(password: str, details: dict[str, Any]) -> list[str]:
    from kwik.contrib.auth.passwords import InvalidPassword, validate_password

    if not password:
        return ["Blank passwords aren't allowed."]
    try:
        validate_password(password, details)
    except InvalidPassword as exc:
        return exc.messages
    return []


async def _create(model: type[AbstractUser], details: dict[str, Any], password: str) -> None:
    import kwik.db
    from kwik.contrib.auth.passwords import hash_password

    user = model(**details, is_staff=True, is_superuser=True, is_active=True)
    user.password = await hash_password(password)
    try:
        async with kwik.db.session() as session:
            session.add(user)
    except IntegrityError as exc:
        raise CommandError(_duplicate(model, details)) from exc


def _duplicate(model: type[AbstractUser], details: dict[str, Any]) -> str:
    field = model.USERNAME_FIELD
    return f"A user with {_label(field).lower()} {details[field]!r} already exists"


def _from_environment(model: type[AbstractUser]) -> tuple[dict[str, Any], str]:
    details: dict[str, Any] = {}
    for field in _fields(model):
        variable = f"{ENV_PREFIX}{field.upper()}"
        raw = os.environ.get(variable)
        if raw is None:
            raise CommandError(f"{variable} is not set: --noinput reads the {field} from it")
        try:
            details[field] = _clean(model, field, raw)
        except ValueError as exc:
            raise CommandError(f"{variable}: {exc}") from None
    password = os.environ.get(f"{ENV_PREFIX}PASSWORD")
    if password is None:
        raise CommandError(f"{ENV_PREFIX}PASSWORD is not set: --noinput reads the password from it")
    return details, password


def _ask_details(model: type[AbstractUser]) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for field in _fields(model):
        while True:
            raw = click.prompt(_label(field), default="", show_default=False)
            try:
                value = _clean(model, field, raw)
            except ValueError as exc:
                click.echo(f"Error: {exc}", err=True)
                continue
            if field == model.USERNAME_FIELD and _run(lambda f=field, v=value: _taken(model, f, v)):
                click.echo(f"Error: {_duplicate(model, {field: value})}.", err=True)
                continue
            details[field] = value
            break
    return details


def _ask_password(details: dict[str, Any], *, bypass: bool) -> str | None:
    """The new password, asked twice; None after ATTEMPTS refused ones."""
    for _ in range(ATTEMPTS):
        password: str = click.prompt(
            "Password",
            hide_input=True,
            confirmation_prompt="Password (again)",
            default="",
            show_default=False,
        )
        problems = _password_problems(password, details)
        if not problems:
            return password
        for problem in problems:
            click.echo(f"Error: {problem}", err=True)
        if (
            password
            and bypass
            and click.confirm("Bypass password validation and use it anyway?", default=False)
        ):
            return password
    return None


@click.command()
@click.option(
    "--noinput",
    "--no-input",
    "noinput",
    is_flag=True,
    help=f"Ask nothing: read the fields and password from {ENV_PREFIX}<FIELD> variables.",
)
@click.option(
    "--skip-password-validation",
    is_flag=True,
    help="With --noinput, accept a password the validators refuse.",
)
def createsuperuser(noinput: bool, skip_password_validation: bool) -> None:
    """Create a superuser: active, staff, with every permission."""
    from kwik.contrib.auth.users import get_user_model

    model = get_user_model()
    if noinput:
        details, password = _from_environment(model)
        problems = [] if skip_password_validation else _password_problems(password, details)
        if problems:
            raise CommandError(f"{ENV_PREFIX}PASSWORD: {' '.join(problems)}")
        username = details[model.USERNAME_FIELD]
        if _run(lambda: _taken(model, model.USERNAME_FIELD, username)):
            raise CommandError(_duplicate(model, details))
    else:
        details = _ask_details(model)
        chosen = _ask_password(details, bypass=True)
        if chosen is None:
            raise CommandError(f"No superuser created: {ATTEMPTS} passwords were refused")
        password = chosen
    _run(lambda: _create(model, details, password))
    click.echo("Superuser created successfully.")


@click.command()
@click.argument("username", required=False)
def changepassword(username: str | None) -> None:
    """Change the password of the user USERNAME (an email by default; asked when left out)."""
    import kwik.db
    from kwik.contrib.auth.users import find_user, get_user_model

    model = get_user_model()
    if username is None:
        username = click.prompt(_label(model.USERNAME_FIELD))

    async def find() -> AbstractUser | None:
        async with kwik.db.session() as session:
            return await find_user(session, username)

    user = _run(find)
    if user is None:
        raise CommandError(f"No user with {_label(model.USERNAME_FIELD).lower()} {username!r}")
    shown = user.get_username()
    click.echo(f"Changing the password of {shown!r}")
    password = _ask_password(_user_details(user), bypass=False)
    if password is None:
        raise CommandError(f"Password of {shown!r} not changed after {ATTEMPTS} attempts")

    async def save() -> None:
        async with kwik.db.session() as session:
            found = await session.get(model, user.id)
            if found is None:
                raise CommandError(f"User {shown!r} was deleted meanwhile")
            await found.set_password(password)

    _run(save)
    click.echo(f"Password changed for {shown!r}.")


@click.command()
def clearsessions() -> None:
    """Delete expired browser sessions, bearer tokens and password-reset tokens."""
    import kwik.db
    from kwik.contrib.auth.expired import Deleted, delete_expired

    async def clear() -> Deleted:
        async with kwik.db.session() as session:
            return await delete_expired(session)

    deleted = run_database_work(clear, tables="the auth tables")
    click.echo(
        f"Deleted {_count(deleted.sessions, 'session')}, {_count(deleted.tokens, 'bearer token')}"
        f" and {_count(deleted.reset_tokens, 'password-reset token')} that had expired."
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _user_details(user: AbstractUser) -> dict[str, Any]:
    """The user's columns the similarity validator compares with (a mapping, safely detached)."""
    return {column.key: getattr(user, column.key) for column in user.__table__.columns}
