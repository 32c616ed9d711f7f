"""Users, groups and permissions, and the tables that link them.

A permission is `app_label.codename` (`catalog.change_product`); `kwik migrate` creates view,
add, change and delete for every model (`AuthConfig.post_migrate`). A user has the permissions
granted to them directly and those of their groups; superusers have all of them, inactive users
none (`kwik.contrib.auth.permissions`).

`User` exists only while `AUTH_USER_MODEL` is `"auth.User"`. A project that swaps in its own
model gets no `auth_user` table, and the user-group and user-permission links become
`<user table>_groups` and `<user table>_permissions`, tables of the user model's app made by its
migrations (see `kwik.contrib.auth.users`). That choice is made when this module is imported,
once per process.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kwik.conf import settings
from kwik.contrib.auth.base_user import AbstractUser
from kwik.contrib.auth.users import (
    USER_ID_TYPE,
    is_swapped,
    user_foreign_key,
    user_table_name,
)
from kwik.db.models import IDMixin, Model

__all__ = [
    "MAPPED_FOR",
    "AbstractUser",
    "Group",
    "Permission",
    "group_permissions",
    "user_groups",
    "user_permissions",
]

MAPPED_FOR: str = settings.AUTH_USER_MODEL
"""The AUTH_USER_MODEL these tables were made for (the process can't map another one)."""

_AUTH = {"app_label": "auth"}
_ID = BigInteger().with_variant(Integer(), "sqlite")  # IDMixin's


class Permission(IDMixin, Model):
    """The right to do one thing, named `app_label.codename`; `name` is for people."""

    __tablename__ = "auth_permission"
    __table_args__ = (UniqueConstraint("app_label", "codename"),)

    app_label: Mapped[str] = mapped_column(String(100))
    codename: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255))

    @property
    def key(self) -> str:
        """`app_label.codename`, as permission checks name it."""
        return f"{self.app_label}.{self.codename}"

    def __repr__(self) -> str:
        return f"<Permission {self.key}>"


group_permissions = Table(
    "auth_group_permissions",
    Model.metadata,
    Column("group_id", _ID, ForeignKey("auth_group.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "permission_id",
        _ID,
        ForeignKey("auth_permission.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index(None, "permission_id"),
    info=_AUTH,
)
"""Which permissions each group grants."""


class Group(IDMixin, Model):
    """A named set of permissions; a user in the group has them all.

    Its `permissions` load with the group (one extra query for any number of groups), so they
    can be read in async code without a lazy load.
    """

    __tablename__ = "auth_group"

    name: Mapped[str] = mapped_column(String(150), unique=True)
    permissions: Mapped[list[Permission]] = relationship(
        secondary=group_permissions, lazy="selectin", order_by=Permission.id
    )

    def __repr__(self) -> str:
        return f"<Group {self.name!r}>"


user_groups = Table(
    f"{user_table_name()}_groups",
    Model.metadata,
    Column("user_id", USER_ID_TYPE, user_foreign_key(), primary_key=True),
    Column("group_id", _ID, ForeignKey("auth_group.id", ondelete="CASCADE"), primary_key=True),
    Index(None, "group_id"),
    info=_AUTH,
)
"""Which groups each user is in (`auth_user_groups`, or `<user table>_groups` when swapped)."""

user_permissions = Table(
    f"{user_table_name()}_permissions",
    Model.metadata,
    Column("user_id", USER_ID_TYPE, user_foreign_key(), primary_key=True),
    Column(
        "permission_id",
        _ID,
        ForeignKey("auth_permission.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index(None, "permission_id"),
    info=_AUTH,
)
"""Permissions granted to a user directly."""


if not is_swapped():

    class User(AbstractUser):
        """Auth's user: logs in with an email. Swap it with AUTH_USER_MODEL (docs/auth.md)."""

        __tablename__ = "auth_user"

    __all__ += ["User"]


def __getattr__(name: str) -> Any:
    if name == "User":  # ImportError: `from ... import User` would hide an AttributeError's text
        raise ImportError(
            f"auth's User is swapped out: AUTH_USER_MODEL is {MAPPED_FOR!r}; use "
            "kwik.contrib.auth.get_user_model() for the user model"
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
