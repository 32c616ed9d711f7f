"""The API the versioning tests call: users in three versions.

- `GET /users`: a separate handler for v1 (a bare list) and for v2+ (a page object);
- `GET/POST /users/{id}`, `POST /users`: one handler written for v3, serving v1 and v2
  through changes (`full_name` became `name` in v2, `fax` went away in v2, `nickname` came in
  v3);
- `/reports` only in v3; `/legacy` deprecated and retiring; `/retired` past its sunset;
- `/health` has no version: it serves every one, unprefixed;
- `/whoami` answers the version that served it; `/me` reads a dependency tests override.
"""

from __future__ import annotations

from pydantic import BaseModel

from kwik.contrib.versioning import added, api_version, removed, renamed
from kwik.http import Depends, Request, Router

router = Router()

USER_CHANGES = [
    renamed("full_name", "name", since="v2"),
    removed("fax", since="v2", default="", schema={"type": "string"}),
    added("nickname", since="v3", default=None),
]


class UserIn(BaseModel):
    name: str
    nickname: str | None = None


class User(BaseModel):
    id: int
    name: str
    nickname: str | None = None


class OldUser(BaseModel):
    id: int
    full_name: str


class Page(BaseModel):
    items: list[User]
    total: int


ALICE = User(id=1, name="Alice", nickname="al")


@router.get("/users", version="v1")
async def list_users_v1() -> list[OldUser]:
    return [OldUser(id=1, full_name="Alice")]


@router.get("/users", version="v2+")
async def list_users() -> Page:
    return Page(items=[ALICE], total=1)


@router.get("/users/{user_id:int}", version="v1+", changes=USER_CHANGES)
async def read_user(user_id: int) -> User:
    return User(id=user_id, name=ALICE.name, nickname=ALICE.nickname)


@router.post("/users", version="v1+", changes=USER_CHANGES, status_code=201)
async def create_user(user: UserIn) -> User:
    return User(id=2, name=user.name, nickname=user.nickname)


@router.get("/reports", version="v3")
async def reports() -> dict[str, int]:
    return {"count": 3}


@router.get(
    "/legacy",
    version="v1,v2",
    deprecated="2026-01-01",
    sunset="2099-12-31",
    link="https://example.com/docs/migrate",
)
async def legacy() -> dict[str, bool]:
    return {"legacy": True}


@router.get("/retired", version="v1+", sunset="2020-06-30", link="https://example.com/retired")
async def retired() -> dict[str, bool]:
    return {"retired": False}


@router.get("/health")
async def health(request: Request) -> dict[str, str]:
    return {"status": "ok", "version": api_version(request).name}


@router.get("/whoami", version="v1+")
async def whoami(request: Request) -> dict[str, str]:
    return {"version": api_version(request).name}


def current_user() -> str:
    return "alice"


@router.get("/me", version="v1,v2")
async def me_v1(user: str = Depends(current_user)) -> dict[str, str]:
    return {"user": user, "served_by": "v1 handler"}


@router.get("/me", version="v3")
async def me(user: str = Depends(current_user)) -> dict[str, str]:
    return {"user": user, "served_by": "v3 handler"}
