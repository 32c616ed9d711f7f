"""The users API. Handlers are written for v2, the newest version; v1 is served by its own
handler where its answer has nothing in common with v2's, and through `changes=` where only
fields moved.

A v1 client sends and receives `full_name` where v2 says `name`, still sees `newsletter`
(always false: newsletters are no longer kept here) and never sees `locale`. A v1 request
gets `locale="en"` filled in before the handler validates it.
"""

from __future__ import annotations

from kwik.contrib.versioning import added, removed, renamed
from kwik.http import HTTPError, Router

from .directory import USERS
from .schemas import LegacyUser, User, UserIn, UserPage

router = Router()

USER_CHANGES = [
    renamed("full_name", "name", since="v2"),
    removed("newsletter", since="v2", default=False, schema={"type": "boolean"}),
    added("locale", since="v2", default="en"),
]


@router.get("/users", version="v1")
async def list_users_v1() -> list[LegacyUser]:
    """Every user, as a plain list."""
    return [
        LegacyUser(id=user.id, full_name=user.name, email=user.email) for user in USERS.values()
    ]


@router.get("/users", version="v2+")
async def list_users() -> UserPage:
    """Every user, as a page with the total."""
    return UserPage(items=list(USERS.values()), total=len(USERS))


@router.get("/users/{user_id:int}", version="v1+", changes=USER_CHANGES)
async def read_user(user_id: int) -> User:
    """One user."""
    user = USERS.get(user_id)
    if user is None:
        raise HTTPError(404, f"No user {user_id}")
    return user


@router.post("/users", version="v1+", changes=USER_CHANGES, status_code=201)
async def create_user(data: UserIn) -> User:
    """A new user."""
    user = User(id=max(USERS, default=0) + 1, **data.model_dump())
    USERS[user.id] = user
    return user


@router.delete("/users/{user_id:int}", version="v2+", status_code=204)
async def delete_user(user_id: int) -> None:
    """Remove a user; new in v2."""
    if USERS.pop(user_id, None) is None:
        raise HTTPError(404, f"No user {user_id}")
