"""CurrentUser, OptionalUser, require_permissions, require_staff and require_superuser, used as
parameters, route dependencies and router dependencies; permissions through groups and direct
grants; one lookup per request however many checks run; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

import kwik.db
from kwik.contrib.auth.dependencies import require_permissions
from kwik.contrib.auth.permissions import add_to_groups, grant
from tests.contrib.auth.helpers import bearer, login, make_user, update_user

PERMISSION_DENIED = {
    "type": "urn:kwik:problem:permission-denied",
    "title": "Permission denied",
    "status": 403,
    "detail": "You do not have permission to do this",
}


async def grant_directly(user: object, *permissions: str) -> None:
    async with kwik.db.session() as session:
        await grant(session, await session.merge(user), *permissions)


async def grant_through_group(user: object, *permissions: str) -> None:
    from kwik.contrib.auth.models import Group

    async with kwik.db.session() as session:
        group = Group(name="editors")
        session.add(group)
        await session.flush()
        await grant(session, group, *permissions)
        await add_to_groups(session, await session.merge(user), group)


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement the application runs inside the block."""
    from kwik.db import database

    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    engine = database().engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


# OptionalUser and CurrentUser -----------------------------------------------------------------


async def test_optional_user_is_none_for_an_anonymous_request(client):
    response = await client.get("/shop/public")

    assert response.json() == {"user": None}


async def test_optional_user_is_the_user_of_a_good_token(client):
    await make_user()
    token = await login(client)

    response = await client.get("/shop/public", headers=bearer(token))

    assert response.json() == {"user": "ada@example.com"}


async def test_optional_user_still_refuses_a_bad_token(client):
    response = await client.get("/shop/public", headers=bearer("kwik_" + "B" * 43))

    assert response.status_code == 401
    assert response.json()["type"] == "urn:kwik:problem:invalid-token"


async def test_current_user_refuses_an_anonymous_request(client):
    response = await client.get("/shop/mine")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_current_user_refuses_an_inactive_user(client):
    user = await make_user()
    token = await login(client)
    await update_user(user, is_active=False)

    assert (await client.get("/shop/mine", headers=bearer(token))).status_code == 401


# Permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("give", [grant_directly, grant_through_group], ids=["direct", "group"])
async def test_a_granted_permission_passes_a_route_dependency(client, give):
    user = await make_user()
    await give(user, "auth.view_group")
    token = await login(client)

    response = await client.get("/shop/groups", headers=bearer(token))

    assert response.status_code == 200


@pytest.mark.parametrize("give", [grant_directly, grant_through_group], ids=["direct", "group"])
async def test_a_granted_permission_passes_a_parameter_dependency_giving_the_user(client, give):
    user = await make_user()
    await give(user, "auth.add_group")
    token = await login(client)

    response = await client.post("/shop/groups", headers=bearer(token))

    assert (response.status_code, response.json()) == (201, {"by": "ada@example.com"})


async def test_without_the_permission_it_is_a_403_problem(client):
    user = await make_user()
    await grant_directly(user, "auth.view_permission")  # another one
    token = await login(client)

    for response in (
        await client.get("/shop/groups", headers=bearer(token)),
        await client.post("/shop/groups", headers=bearer(token)),
    ):
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == PERMISSION_DENIED


async def test_every_named_permission_is_needed(client):
    user = await make_user(is_staff=True)
    await grant_directly(user, "auth.view_group")
    token = await login(client)

    assert (await client.get("/shop/audit", headers=bearer(token))).status_code == 403
    await grant_through_group(user, "auth.view_permission")
    assert (await client.get("/shop/audit", headers=bearer(token))).status_code == 200


async def test_a_superuser_has_every_permission(client):
    await make_user(is_superuser=True, is_staff=True)
    token = await login(client)

    assert (await client.get("/shop/groups", headers=bearer(token))).status_code == 200
    assert (await client.get("/shop/audit", headers=bearer(token))).status_code == 200


async def test_an_inactive_user_with_permissions_is_refused(client):
    user = await make_user(is_superuser=True)
    await grant_directly(user, "auth.view_group")
    token = await login(client)
    await update_user(user, is_active=False)

    assert (await client.get("/shop/groups", headers=bearer(token))).status_code == 401


async def test_a_permission_check_without_credentials_is_a_401_not_a_403(client):
    assert (await client.get("/shop/groups")).status_code == 401


def test_permission_names_are_checked_when_the_dependency_is_made():
    with pytest.raises(ValueError, match="'add_group' is not a permission name"):
        require_permissions("add_group")
    with pytest.raises(ValueError, match="at least one"):
        require_permissions()


def test_the_same_permissions_give_the_same_dependency():
    assert require_permissions("a.b", "c.d") is require_permissions("a.b", "c.d")
    assert require_permissions("a.b") is not require_permissions("c.d")


# Staff and superusers -------------------------------------------------------------------------


async def test_a_router_dependency_lets_staff_in_and_keeps_others_out(client):
    await make_user("staff@example.com", is_staff=True)
    await make_user("user@example.com")
    staff = await login(client, "staff@example.com")
    user = await login(client, "user@example.com")

    assert (await client.get("/shop/staff/report", headers=bearer(staff))).status_code == 200
    refused = await client.get("/shop/staff/report", headers=bearer(user))
    assert (refused.status_code, refused.json()) == (403, PERMISSION_DENIED)
    assert (await client.get("/shop/staff/report")).status_code == 401


async def test_require_superuser_lets_only_superusers_in(client):
    await make_user("root@example.com", is_superuser=True)
    await make_user("staff@example.com", is_staff=True)

    root = await login(client, "root@example.com")
    staff = await login(client, "staff@example.com")

    assert (await client.get("/shop/superusers-only", headers=bearer(root))).status_code == 200
    assert (await client.get("/shop/superusers-only", headers=bearer(staff))).status_code == 403


# One lookup per request -----------------------------------------------------------------------


async def test_several_checks_look_the_user_up_once_and_the_permissions_once(client):
    user = await make_user(is_staff=True)
    await grant_directly(user, "auth.view_group", "auth.view_permission")
    token = await login(client)
    await client.get("/auth/me", headers=bearer(token))  # records last_used_at now

    with statements() as seen:
        response = await client.get("/shop/audit", headers=bearer(token))

    assert response.json() == {"same": True}
    assert len([s for s in seen if "FROM auth_token" in s]) == 1
    assert len([s for s in seen if "FROM auth_permission" in s]) == 1
    assert not [s for s in seen if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
