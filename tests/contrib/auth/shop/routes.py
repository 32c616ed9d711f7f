"""Routes protected with auth's dependencies every way a project uses them: as parameters, in
`dependencies=[...]` on a route, and on a whole router."""

from __future__ import annotations

from typing import Annotated

from kwik.contrib.auth.base_user import AbstractUser
from kwik.contrib.auth.dependencies import (
    CurrentUser,
    OptionalUser,
    require_permissions,
    require_staff,
    require_superuser,
)
from kwik.http import Depends, Router, WebSocket

router = Router()
staff_area = Router(dependencies=[Depends(require_staff)])

GroupAdder = Annotated[AbstractUser, Depends(require_permissions("auth.add_group"))]


@router.get("/public")
async def public(user: OptionalUser) -> dict[str, str | None]:
    return {"user": None if user is None else user.email}


@router.get("/mine")
async def mine(user: CurrentUser) -> dict[str, str]:
    return {"user": user.email}


@router.post("/mine")
async def change_mine(user: CurrentUser) -> dict[str, str]:
    return {"changed": user.email}


@router.get("/groups", dependencies=[Depends(require_permissions("auth.view_group"))])
async def list_groups() -> list[str]:
    return []


@router.post("/groups", status_code=201)
async def add_group(user: GroupAdder) -> dict[str, str]:
    return {"by": user.email}


@router.get(
    "/audit",
    dependencies=[
        Depends(require_permissions("auth.view_group")),
        Depends(require_permissions("auth.view_group", "auth.view_permission")),
        Depends(require_staff),
    ],
)
async def audit(user: CurrentUser, again: OptionalUser) -> dict[str, bool]:
    return {"same": user is again}


@router.get("/superusers-only", dependencies=[Depends(require_superuser)])
async def superusers_only() -> dict[str, bool]:
    return {"ok": True}


@staff_area.get("/report")
async def report() -> dict[str, bool]:
    return {"ok": True}


router.include_router(staff_area, prefix="/staff")


@router.websocket("/feed")
async def feed(websocket: WebSocket, user: CurrentUser) -> None:
    await websocket.accept()
    await websocket.send_json({"user": user.email})
    await websocket.close()
