"""The test client's transport: the app in-process, one request at a time.

All requests of one test run on the test's single database connection (its transaction is
rolled back afterwards). A connection runs one statement at a time, so concurrent requests from
one test (`asyncio.gather`) are queued here instead of failing inside the driver.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx2

__all__ = ["OneAtATimeTransport"]


class OneAtATimeTransport(httpx2.ASGITransport):
    """httpx's ASGI transport, serialized."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = anyio.Lock()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        async with self._lock:
            return await super().handle_async_request(request)
