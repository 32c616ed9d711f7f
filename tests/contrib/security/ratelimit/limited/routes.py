"""Rate limits on routes every way a project writes them: as a decorator, in `dependencies=`,
on a router, shared by name, by each kind of key, with a cost and with several limits."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from kwik.contrib.security.ratelimit import rate_limit
from kwik.http import Router, WebSocket

router = Router()
group = Router(prefix="/group", dependencies=[rate_limit("2/minute")])


def tenant(request: HTTPConnection) -> str:
    return request.headers.get("x-tenant", "nobody")


async def async_tenant(request: HTTPConnection) -> str:
    return request.headers.get("x-tenant", "nobody")


@router.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}


@router.get("/ip")
@rate_limit("3/minute")
async def by_ip() -> dict[str, bool]:
    return {"ok": True}


@router.get("/ip-too", dependencies=[rate_limit("3/minute")])
async def by_ip_too() -> dict[str, bool]:
    return {"ok": True}


@router.get("/shared-a")
@rate_limit("3/minute", name="shared")
async def shared_a() -> dict[str, bool]:
    return {"ok": True}


@router.get("/shared-b")
@rate_limit("3/minute", name="shared")
async def shared_b() -> dict[str, bool]:
    return {"ok": True}


@router.get("/endpoint")
@rate_limit("3/minute", key="endpoint")
async def by_endpoint() -> dict[str, bool]:
    return {"ok": True}


@router.get("/apikey")
@rate_limit("3/minute", key="apikey")
async def by_api_key() -> dict[str, bool]:
    return {"ok": True}


@router.get("/user")
@rate_limit("3/minute", key="user")
async def by_user() -> dict[str, bool]:
    return {"ok": True}


@router.get("/tenant")
@rate_limit("3/minute", key=tenant)
async def by_tenant() -> dict[str, bool]:
    return {"ok": True}


@router.get("/async-tenant")
@rate_limit("3/minute", key=async_tenant)
async def by_async_tenant() -> dict[str, bool]:
    return {"ok": True}


@router.post("/export")
@rate_limit("10/minute", cost=4)
async def export() -> dict[str, bool]:
    return {"ok": True}


@router.get("/several")
@rate_limit("5/second; 3/hour")
async def several() -> dict[str, bool]:
    return {"ok": True}


@router.get("/fixed")
@rate_limit("3/minute", algorithm="fixed-window")
async def fixed() -> dict[str, bool]:
    return {"ok": True}


@router.get("/twenty")
@rate_limit("20/minute")
async def twenty() -> dict[str, bool]:
    return {"ok": True}


@router.get("/from-settings")
async def from_settings() -> dict[str, bool]:
    return {"ok": True}


@group.get("/one")
async def group_one() -> dict[str, bool]:
    return {"ok": True}


@group.get("/two")
async def group_two() -> dict[str, bool]:
    return {"ok": True}


@group.websocket("/live")
async def group_live(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


router.include_router(group)
