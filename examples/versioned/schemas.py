"""The users API's models. `User` and `UserIn` are v2's shapes, which the handlers serving
both versions use; `LegacyUser` is v1's list item, for v1's own list handler."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["LegacyUser", "User", "UserIn", "UserPage"]


class UserIn(BaseModel):
    name: str = Field(min_length=1)
    email: str
    locale: str = "en"


class User(BaseModel):
    id: int
    name: str
    email: str
    locale: str


class UserPage(BaseModel):
    items: list[User]
    total: int


class LegacyUser(BaseModel):
    id: int
    full_name: str
    email: str
    newsletter: bool = False
