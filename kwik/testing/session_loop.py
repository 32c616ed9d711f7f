"""kwik's `anyio_backend` fixture: one asyncio event loop for the whole test session.

The pytest plugin registers this module when pytest is configured, after anyio's own plugin, so
this session-scoped fixture takes precedence over anyio's module-scoped one; the session-scoped
test database (its engine and connections) and the tests then share one loop.
"""

from __future__ import annotations

import pytest

__all__ = ["anyio_backend"]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"
