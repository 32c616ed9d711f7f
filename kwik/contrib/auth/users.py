"""Which model is the user: `AUTH_USER_MODEL`, resolved, and how other tables point at it.

A project may swap auth's `User` for its own subclass of `AbstractUser` (`"members.Member"`). Any
table that belongs to a user (auth's user-group and user-permission links, tokens, sessions, an
app's `Order.customer_id`) must then point at the project's table instead of `auth_user`. Those
tables are defined when models are imported, often before the user model's own module is, so
the foreign key names the user table by kwik's convention, `<app label>_<model in snake_case>`:

    class Token(IDMixin, Model):
        user_id: Mapped[int] = user_id_column()  # the user's id type, ON DELETE CASCADE, indexed

or, in a `Table` of your own, `Column("user_id", USER_ID_TYPE, user_foreign_key())`. The
swapped-in model must therefore keep that default table name and the `id` it inherits;
`get_user_model()` (and `kwik check`, as auth.E001) says so when it doesn't.

**Auth's own tables that point at a swapped user model belong to the model's app** (as
Django's user-group link tables do): `AuthConfig.ready()` gives them to it, the project's
`makemigrations` puts them in that app's migrations, after the user table, and auth's
migrations skip them (`if not is_swapped(): ...`). So auth's migrations never point at a table
no migration has made yet, which PostgreSQL refuses (and `makemigrations` applies every
migration to a scratch database before comparing). Unswapped, they are auth's, made by auth's
migrations. A project's own tables keep their app whatever they point at.

Everything here reads settings when called, never at import, so `kwik.contrib.auth` can be
imported before the project is loaded.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sqlalchemy import BigInteger, ForeignKey, Integer, Table
from sqlalchemy.orm import MappedColumn, mapped_column
from sqlalchemy.types import TypeEngine

from kwik.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from kwik.apps import AppConfig
    from kwik.contrib.auth.base_user import AbstractUser

__all__ = [
    "DEFAULT_USER_MODEL",
    "USER_ID_TYPE",
    "find_user",
    "get_user_model",
    "is_swapped",
    "user_app_label",
    "user_foreign_key",
    "user_id_column",
    "user_model_name",
    "user_table",
    "user_table_name",
]

DEFAULT_USER_MODEL = "auth.User"
USER_ID_TYPE: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
"""The type of the user's `id` (as `kwik.db.IDMixin` gives): columns pointing at it use it too."""

_MODEL_NAME = re.compile(r"^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$")
_resolved: WeakKeyDictionary[AppConfig, type[AbstractUser]] = WeakKeyDictionary()
"""The user model, checked once per loaded project (each has its own auth AppConfig)."""


def user_model_name() -> tuple[str, str]:
    """`AUTH_USER_MODEL` as `(app_label, ModelName)`, checked for shape."""
    from kwik.conf import settings

    value = settings.AUTH_USER_MODEL
    match = _MODEL_NAME.match(value)
    if match is None:
        raise ImproperlyConfigured(
            f"AUTH_USER_MODEL must be 'app_label.ModelName' (like 'members.Member'), not {value!r}"
        )
    return match[1], match[2]


def is_swapped() -> bool:
    """Whether the project uses its own user model instead of auth's `User`."""
    return "{}.{}".format(*user_model_name()) != DEFAULT_USER_MODEL


def user_app_label() -> str:
    """The label of the app the user model belongs to (`auth`, or the project's `members`)."""
    return user_model_name()[0]


def user_table_name() -> str:
    """The user table's name, known without importing the model: `auth_user` for auth's User,
    else `<app label>_<model in snake_case>` (`members_member`)."""
    from kwik.db.models import snake_case

    label, model = user_model_name()
    return f"{label}_{snake_case(model)}"


def user_foreign_key(**options: Any) -> ForeignKey:
    """A foreign key to the configured user table's `id`; deleting a user deletes its rows.

    `options` go to `ForeignKey` (`ondelete` may be given to choose another action).
    """
    options.setdefault("ondelete", "CASCADE")
    return ForeignKey(f"{user_table_name()}.id", **options)


def user_id_column(
    *, nullable: bool = False, index: bool = True, **options: Any
) -> MappedColumn[Any]:
    """A `user_id` column for a declarative model: the user's id type and `user_foreign_key()`.

    Example:
        user_id: Mapped[int] = user_id_column()
    """
    return mapped_column(
        USER_ID_TYPE, user_foreign_key(), nullable=nullable, index=index, **options
    )


def get_user_model() -> type[AbstractUser]:
    """The user model class `AUTH_USER_MODEL` names, checked once per loaded project.

    Raises ImproperlyConfigured naming the setting when the model isn't installed, isn't an
    `AbstractUser`, or doesn't keep the table name and `id` other tables point at.
    """
    from kwik.apps import apps

    try:
        config = apps.get_app_config("auth")
    except LookupError:
        raise ImproperlyConfigured(
            "kwik.contrib.auth is not installed: add it to INSTALLED_APPS to have users"
        ) from None
    model = _resolved.get(config)
    if model is None:
        model = _resolved[config] = _resolve()
    return model


def user_table() -> Table:
    """The user model's table."""
    table = get_user_model().__table__
    assert isinstance(table, Table)
    return table


async def find_user(session: AsyncSession, username: str) -> AbstractUser | None:
    """The user whose `USERNAME_FIELD` is `username` once normalised (an email case-insensitively),
    or None (also for a value no user can have, like a malformed email).

    Example:
        user = await find_user(session, "Ada@Example.com")
    """
    from sqlalchemy import select

    model = get_user_model()
    try:
        value = model.normalize_username(username)
    except ValueError:  # not an email address, say: nobody can have it
        return None
    found = await session.scalars(
        select(model).where(getattr(model, model.USERNAME_FIELD) == value).limit(1)
    )
    return found.first()


def _resolve() -> type[AbstractUser]:
    from kwik.apps import apps
    from kwik.contrib.auth.base_user import AbstractUser

    label, name = user_model_name()
    setting = f"AUTH_USER_MODEL {label}.{name}"
    try:
        model = apps.get_model(f"{label}.{name}")
    except LookupError as exc:
        raise ImproperlyConfigured(
            f"{setting} refers to a model that is not installed: {exc.args[0]}"
        ) from None
    if not issubclass(model, AbstractUser):
        raise ImproperlyConfigured(
            f"{setting} is not a user model: derive it from kwik.contrib.auth.AbstractUser"
        )
    expected = user_table_name()
    if model.__table__.name != expected:
        raise ImproperlyConfigured(
            f"{setting} has table {model.__table__.name!r}, but auth's tables point at "
            f"{expected!r}, the name kwik gives it: remove __tablename__ from {name}"
        )
    primary = list(model.__table__.primary_key.columns)
    if [column.name for column in primary] != ["id"] or not isinstance(primary[0].type, Integer):
        raise ImproperlyConfigured(
            f"{setting} has primary key {[c.name for c in primary]} of type "
            f"{[str(c.type) for c in primary]}; keep the integer `id` AbstractUser gives it, "
            "which other tables point at"
        )
    return model
