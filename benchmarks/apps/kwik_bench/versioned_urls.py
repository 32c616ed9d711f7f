"""The benchmark project's routes, unchanged, included as serving every API version ("v1+"):
the handlers, parameters and models are the plain project's, so any difference in a run is what
versioning adds to a request, nothing else."""

from __future__ import annotations

from benchmarks.apps.kwik_bench.urls import router as plain
from kwik.http import Router

__all__ = ["router"]

router = Router()
router.include_router(plain, version="v1+")
