"""Auth's models: users, groups and permissions (`users`); `User` only while it isn't swapped."""

from __future__ import annotations

from typing import Any

from kwik.contrib.auth.models import users
from kwik.contrib.auth.models.credentials import AuthToken, PasswordResetToken, UserSession
from kwik.contrib.auth.models.users import (
    AbstractUser,
    Group,
    Permission,
    group_permissions,
    user_groups,
    user_permissions,
)

__all__ = [
    "AbstractUser",
    "AuthToken",
    "Group",
    "PasswordResetToken",
    "Permission",
    "UserSession",
    "group_permissions",
    "user_groups",
    "user_permissions",
]


def __getattr__(name: str) -> Any:
    """`User`, which exists only while AUTH_USER_MODEL is "auth.User" (else a clear error)."""
    return getattr(users, name)
