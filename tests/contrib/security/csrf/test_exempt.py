"""`@csrf_exempt` goes below the route decorator, like every decorator that changes how a route
runs; written above it, it fails at import rather than leaving the route checked."""

from __future__ import annotations

import pytest

from kwik.contrib.security.csrf import csrf_exempt
from kwik.exceptions import ImproperlyConfigured
from kwik.http import Router


def test_csrf_exempt_above_the_route_decorator_is_refused_at_import():
    router = Router()

    with pytest.raises(ImproperlyConfigured, match=r"below @router\.post"):

        @csrf_exempt
        @router.post("/hooks")
        async def hook() -> None: ...


def test_csrf_exempt_below_the_route_decorator_returns_the_handler_itself():
    router = Router()

    async def hook() -> None: ...

    assert router.post("/hooks")(csrf_exempt(hook)) is hook
