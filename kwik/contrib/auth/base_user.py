"""`AbstractUser`: the columns and behaviour every user model has, auth's `User` and a project's.

It lives apart from `kwik.contrib.auth.models` because it defines no table: a project's models
module can subclass it (`class Member(AbstractUser)`) whatever the order of INSTALLED_APPS, and
`kwik.contrib.auth` can export it before the project is loaded.

Emails are stored lower-cased and stripped (`normalize_email`), so the unique constraint on
`email` is case-insensitive on every database and logging in with `Ada@Example.com` finds
`ada@example.com`. Other username fields are stored NFKC-normalised (look-alike Unicode forms
become one) but keep their case; override `normalize_username` to choose otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import ClassVar

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, validates

from kwik.contrib.auth.passwords import (
    hash_password,
    is_password_usable,
    unusable_password,
    verify_password,
)
from kwik.db.models import IDMixin, Model
from kwik.db.types import utcnow

__all__ = ["AbstractUser", "normalize_email"]

_FORBIDDEN = r"\s@\"(),:;<>\[\\\]"
_LOCAL = re.compile(rf"^[^{_FORBIDDEN}]+$")
_LABEL = re.compile(rf"^(?!-)[^{_FORBIDDEN}./]{{1,63}}(?<!-)$")


def normalize_email(value: str) -> str:
    """`value` stripped and lower-cased; ValueError when it isn't an email address.

    The check is the practical one (a local part, an `@`, a domain with a dot, no spaces or
    quoting characters, RFC 5321 lengths), not RFC 5322's full grammar: a confirmation email is
    the only real proof an address works.
    """
    email = value.strip().lower()
    local, at, domain = email.rpartition("@")
    labels = domain.split(".")
    valid = (
        at
        and len(email) <= 254
        and len(local) <= 64
        and _LOCAL.match(local)
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
        and len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
    )
    if not valid:
        raise ValueError(f"{value!r} is not a valid email address")
    return email


class AbstractUser(IDMixin, Model):
    """The base of user models: auth's `User`, or a project's own (see docs/auth.md).

    Example (`members/models.py`, with `AUTH_USER_MODEL = "members.Member"`):
        class Member(AbstractUser):
            USERNAME_FIELD = "handle"
            REQUIRED_FIELDS = ("email",)

            handle: Mapped[str] = mapped_column(String(40), unique=True)

    `password` holds the encoded hash (algorithm, parameters, salt and hash), never the
    password; it is left out of `repr()` and `str()`.
    """

    __abstract__ = True

    USERNAME_FIELD: ClassVar[str] = "email"
    """The column a user logs in with; unique."""
    EMAIL_FIELD: ClassVar[str] = "email"
    REQUIRED_FIELDS: ClassVar[tuple[str, ...]] = ()
    """Columns `createsuperuser` asks for besides USERNAME_FIELD and the password."""

    email: Mapped[str] = mapped_column(String(254), unique=True)
    password: Mapped[str] = mapped_column(String(255), default=unusable_password)
    is_active: Mapped[bool] = mapped_column(default=True)
    """Inactive users can't log in, and have no permissions."""
    is_staff: Mapped[bool] = mapped_column(default=False)
    """Staff may use the admin."""
    is_superuser: Mapped[bool] = mapped_column(default=False)
    """Superusers have every permission without being granted it."""
    last_login: Mapped[datetime | None]
    date_joined: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("email")
    def _normalize_email(self, key: str, value: str | None) -> str | None:
        return None if value is None else normalize_email(value)

    @classmethod
    def normalize_username(cls, value: str) -> str:
        """What `value` is stored and looked up as in USERNAME_FIELD."""
        if cls.USERNAME_FIELD == cls.EMAIL_FIELD:
            return normalize_email(value)
        return unicodedata.normalize("NFKC", value).strip()

    def get_username(self) -> str:
        return str(getattr(self, self.USERNAME_FIELD))

    async def set_password(self, raw: str) -> None:
        """Store `raw`'s hash, made with the preferred hasher (off the event loop)."""
        self.password = await hash_password(raw)

    async def check_password(self, raw: str) -> bool:
        """Whether `raw` is this user's password.

        When it is and the stored hash was made with an older hasher or weaker parameters, the
        hash is replaced by a current one; the caller's session stores it on commit.
        """
        verification = await verify_password(raw, self.password)
        if verification.ok and verification.new_hash is not None:
            self.password = verification.new_hash
        return verification.ok

    def set_unusable_password(self) -> None:
        """No password will match (a user who logs in another way, or who must reset it)."""
        self.password = unusable_password()

    def has_usable_password(self) -> bool:
        return is_password_usable(self.password)

    def __repr__(self) -> str:
        username = getattr(self, self.USERNAME_FIELD, None)
        return f"<{type(self).__name__} id={self.id!r} {self.USERNAME_FIELD}={username!r}>"

    def __str__(self) -> str:
        return str(getattr(self, self.USERNAME_FIELD, "") or "")
