"""Security's endpoints, mounted at `/security`: `GET /security/csrf` (csrf/routes.py)."""

from __future__ import annotations

from kwik.contrib.security.csrf.routes import router as csrf_router
from kwik.http import Router

__all__ = ["router"]

router = Router()
router.include_router(csrf_router)
