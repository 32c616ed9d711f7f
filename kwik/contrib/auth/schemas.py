"""What auth's endpoints read and answer.

Request bodies that name the user follow the user model: the login body's first field is its
`USERNAME_FIELD` (`email` for auth's `User`), so they are built for the configured model by
`login_schema()` and `register_schema()`. Passwords are capped at 4096 characters, so nobody
can make the server hash a megabyte. The user as answered (`UserOut`) lists its fields one by
one: nothing reaches a client, the password hash least of all, unless it is named here.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

if TYPE_CHECKING:
    from kwik.contrib.auth.base_user import AbstractUser

__all__ = [
    "Message",
    "PasswordChange",
    "PasswordResetConfirm",
    "PasswordResetRequest",
    "SessionOut",
    "TokenOut",
    "UserOut",
    "login_schema",
    "register_schema",
]

MAX_PASSWORD_LENGTH = 4096
Password = Annotated[
    str,
    Field(min_length=1, max_length=MAX_PASSWORD_LENGTH, json_schema_extra={"format": "password"}),
]
Username = Annotated[str, Field(min_length=1, max_length=254)]
_STRICT = ConfigDict(extra="forbid")


class TokenOut(BaseModel):
    """A bearer token, as OAuth 2 names its parts (RFC 6749, section 5.1)."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class UserOut(BaseModel):
    """A user as the API shows it (to that user)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    last_login: datetime | None
    date_joined: datetime


class SessionOut(BaseModel):
    """A browser session just started: who, and until when."""

    user: UserOut
    expires_at: datetime


class Message(BaseModel):
    """An answer that is the same whatever happened, so it gives nothing away."""

    detail: str


class PasswordChange(BaseModel):
    model_config = _STRICT

    current_password: Password
    new_password: Password


class PasswordResetRequest(BaseModel):
    model_config = _STRICT

    email: Username


class PasswordResetConfirm(BaseModel):
    model_config = _STRICT

    token: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Password


@functools.cache
def login_schema(user_model: type[AbstractUser]) -> type[BaseModel]:
    """`{<USERNAME_FIELD>: str, password: str}`: `Credentials` for the user model."""
    return create_model(  # type: ignore[call-overload, no-any-return]
        "Credentials",
        __config__=_STRICT,
        **{user_model.USERNAME_FIELD: (Username, ...), "password": (Password, ...)},
    )


@functools.cache
def register_schema(user_model: type[AbstractUser]) -> type[BaseModel]:
    """`Registration`: USERNAME_FIELD, the email field and REQUIRED_FIELDS as text, then the
    password. A model whose sign-up needs more writes its own endpoint (see docs/auth.md)."""
    names = dict.fromkeys(
        (user_model.USERNAME_FIELD, user_model.EMAIL_FIELD, *user_model.REQUIRED_FIELDS)
    )
    fields: dict[str, object] = {name: (Username, ...) for name in names}
    return create_model(  # type: ignore[call-overload, no-any-return]
        "Registration", __config__=_STRICT, **fields, password=(Password, ...)
    )
