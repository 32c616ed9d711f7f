"""Routes protected by API keys every way a project uses them: `require_scopes` in
`dependencies=[...]`, as a parameter and on a whole router, `Security(api_key, scopes=...)`
written out, and `CurrentAPIKey`."""

from __future__ import annotations

from typing import Annotated

from kwik.contrib.security.apikeys import APIKey, CurrentAPIKey, api_key, require_scopes
from kwik.http import Depends, Request, Router, Security

router = Router()
admin = Router(prefix="/admin", dependencies=[Depends(require_scopes("admin"))])

OrderWriter = Annotated[APIKey, Depends(require_scopes("orders:write"))]


@router.get("/whoami")
async def whoami(key: CurrentAPIKey, request: Request) -> dict[str, object]:
    return {
        "key_id": key.key_id,
        "name": key.name,
        "scopes": key.scopes,
        "in_scope": request.scope["kwik.api_key"] is key,
    }


@router.get("/orders", dependencies=[Depends(require_scopes("orders:read"))])
async def list_orders() -> list[str]:
    return ["order-1"]


@router.post("/orders", status_code=201)
async def create_order(key: OrderWriter) -> dict[str, str]:
    return {"created_by": key.name}


@router.get("/reports")
async def reports(key: Annotated[APIKey, Security(api_key, scopes=["reports:read"])]) -> str:
    return key.name


@router.get("/audit", dependencies=[Depends(require_scopes("orders:read"))])
async def audit(
    key: Annotated[APIKey, Depends(require_scopes("reports:read"))], again: CurrentAPIKey
) -> dict[str, bool]:
    return {"same": key is again}


@admin.get("/stats")
async def stats() -> dict[str, int]:
    return {"keys": 1}


router.include_router(admin)
