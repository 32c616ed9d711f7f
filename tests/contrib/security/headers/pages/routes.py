"""One route per kind of response the middleware must dress: HTML from a template, JSON, a
handler's error, a response that sets its own headers, a per-route override, and a route that
leaves rate-limit and cookie headers in the scope as security's dependencies do."""

from __future__ import annotations

from typing import Annotated

from starlette.responses import HTMLResponse, JSONResponse, Response

from kwik.contrib.security.csp import csp_nonce
from kwik.contrib.security.headers import security_headers
from kwik.http import Depends, HTTPError, Query, Request, Router, WebSocket, render

router = Router()


@router.get("/html")
async def html(request: Request) -> HTMLResponse:
    return render(request, "pages/page.html")


@router.get("/json")
async def json() -> dict[str, bool]:
    return {"ok": True}


@router.get("/number")
async def number(n: Annotated[int, Query()]) -> dict[str, int]:
    return {"n": n}


@router.get("/boom")
async def boom() -> dict[str, bool]:
    raise RuntimeError("a bug in a handler")


@router.get("/nonce")
async def nonce(request: Request) -> dict[str, str]:
    return {"nonce": csp_nonce(request), "again": csp_nonce(request)}


@router.get("/client")
async def client(request: Request) -> dict[str, object]:
    from kwik.contrib.security.clients import client_ip

    return {"ip": client_ip(request), "scheme": request.url.scheme}


@router.get("/own-headers")
async def own_headers() -> Response:
    return JSONResponse(
        {"own": True},
        headers={"Content-Security-Policy": "default-src 'none'", "X-Frame-Options": "SAMEORIGIN"},
    )


@router.get("/embed")
@security_headers(
    frame_options=None,
    content_security_policy={"frame-ancestors": ["'self'"], "img-src": None},
    referrer_policy="no-referrer",
)
async def embed() -> dict[str, bool]:
    return {"embed": True}


def _leave_headers(request: Request) -> None:
    """What a rate-limit check and CSRF's cookie do: leave headers in the scope."""
    request.scope.setdefault("kwik.ratelimit_headers", []).extend(
        [(b"ratelimit-policy", b'"default";q=10;w=60'), (b"ratelimit", b'"default";r=9;t=60')]
    )
    request.scope.setdefault("kwik.response_headers", []).append(
        (b"set-cookie", b"kwik_csrf=token; Path=/; SameSite=Lax")
    )


@router.get("/limited", dependencies=[Depends(_leave_headers)])
async def limited() -> dict[str, bool]:
    return {"limited": True}


@router.get("/refused", dependencies=[Depends(_leave_headers)])
async def refused() -> dict[str, bool]:
    raise HTTPError(
        429,
        "Too many requests",
        headers={"Retry-After": "6", "RateLimit": '"default";r=0;t=6'},
    )


@router.websocket("/ws")
async def socket(websocket: WebSocket) -> None:
    await websocket.accept()
    client = websocket.scope.get("client")
    await websocket.send_json({"client": client[0] if client else None})
    await websocket.close()
