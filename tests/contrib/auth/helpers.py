"""Arranging users and credentials for auth's HTTP tests, through auth's public API."""

from __future__ import annotations

from typing import Any

import httpx2
from sqlalchemy import select

import kwik.db
from kwik.contrib.auth.base_user import AbstractUser
from kwik.contrib.auth.users import get_user_model
from tests.contrib.auth.conftest import PASSWORD


async def make_user(email: str = "ada@example.com", password: str = PASSWORD, **fields: Any) -> Any:
    """A user stored (and committed) with `password`."""
    user = get_user_model()(email=email, **fields)
    await user.set_password(password)
    async with kwik.db.session() as session:
        session.add(user)
    return user


async def reload(user: AbstractUser) -> Any:
    """The user as stored now."""
    model = get_user_model()
    async with kwik.db.session() as session:
        return await session.scalar(select(model).where(model.id == user.id))


async def update_user(user: AbstractUser, **values: Any) -> None:
    model = get_user_model()
    async with kwik.db.session() as session:
        stored = await session.get(model, user.id)
        assert stored is not None
        for name, value in values.items():
            setattr(stored, name, value)


async def login(
    client: httpx2.AsyncClient, email: str = "ada@example.com", password: str = PASSWORD
) -> str:
    """A bearer token from POST /auth/login."""
    response = await client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def browser_login(
    client: httpx2.AsyncClient, email: str = "ada@example.com", password: str = PASSWORD
) -> httpx2.Response:
    """POST /auth/session; the client keeps the cookie."""
    response = await client.post("/auth/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response
