"""The Python examples of docs/auth.md's HTTP sections run in a project with auth, and the
routes example protects its routes as the page says."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import httpx2
import pytest

from kwik.http import Kwik
from tests.contrib.auth.helpers import bearer, login, make_user

PAGE = Path(__file__).resolve().parents[3] / "docs" / "auth.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def http_sections() -> str:
    text = PAGE.read_text(encoding="utf-8")
    return text[text.index("## Logging in: tokens and sessions") : text.index("## Settings")]


def examples() -> list[object]:
    return [
        pytest.param(code, id=f"example-{number}")
        for number, code in enumerate(BLOCK.findall(http_sections()))
    ]


def run(code: str, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("docs_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(code, module.__name__, "exec"), module.__dict__)
    return module


@pytest.mark.parametrize("code", examples())
async def test_the_example_runs(app, code: str, monkeypatch: pytest.MonkeyPatch):
    run(code, monkeypatch)


async def test_the_routes_example_protects_its_routes(app, monkeypatch: pytest.MonkeyPatch):
    (code,) = [c for c in BLOCK.findall(http_sections()) if "# catalog/routes.py" in c]
    example = run(code, monkeypatch).router
    await make_user()
    await make_user("staff@example.com", is_staff=True)
    transport = httpx2.ASGITransport(app=Kwik(routes=[*app.routes, *example.routes]))
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        token, staff = await login(client), await login(client, "staff@example.com")

        assert (await client.get("/greeting")).json() == {"hello": "stranger"}
        assert (await client.get("/greeting", headers=bearer(token))).json() == {
            "hello": "ada@example.com"
        }
        assert (await client.get("/orders")).status_code == 401
        assert (await client.delete("/products/1", headers=bearer(token))).status_code == 403
        assert (await client.get("/staff/report", headers=bearer(token))).status_code == 403
        assert (await client.get("/staff/report", headers=bearer(staff))).status_code == 200
