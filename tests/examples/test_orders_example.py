"""docs/security.md's worked example, as a user runs it: `examples/orders` copied into a new
project with security installed, migrated, its own tests passing, and `kwik runserver` serving
orders to keys `kwik apikeys create` made, by scope."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from tests.support import KWIK_SCRIPT, free_port, run_kwik, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("example") / "shop"
    made = run_kwik("startproject", "shop", str(folder), cwd=folder.parent)
    assert made.returncode == 0, made.stderr
    shutil.copytree(ROOT / "examples" / "orders", folder / "orders")
    settings = folder / "shop" / "settings.py"
    text = settings.read_text()
    assert "INSTALLED_APPS: list[str] = []" in text
    settings.write_text(
        text.replace(
            "INSTALLED_APPS: list[str] = []",
            'INSTALLED_APPS = ["kwik.contrib.security", "orders"]',
        )
    )
    for command in (["makemigrations"], ["migrate"]):
        result = run_kwik(*command, cwd=folder)
        assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_the_examples_own_tests_pass(shop: Path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "orders"],
        cwd=shop,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_keys_made_by_the_command_are_served_by_scope(shop: Path):
    def new_key(*scopes: str) -> str:
        arguments = [word for scope in scopes for word in ("--scope", scope)]
        made = run_kwik("apikeys", "create", "partner", *arguments, cwd=shop)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()

    reader, writer = new_key("orders:read"), new_key("orders:write")
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    server = subprocess.Popen(
        [str(KWIK_SCRIPT), "runserver", str(port), "--noreload"],
        cwd=shop,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/openapi.json", process=server)
        order = {"item": "lamp", "quantity": 2}
        refused = httpx2.post(base + "/orders/", json=order, headers={"X-API-Key": reader})
        placed = httpx2.post(base + "/orders/", json=order, headers={"X-API-Key": writer})
        listed = httpx2.get(base + "/orders/", headers={"X-API-Key": reader})
        document = httpx2.get(base + "/openapi.json").json()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)

    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:kwik:problem:api-key-insufficient-scope"
    assert placed.status_code == 201
    assert [each["item"] for each in listed.json()] == ["lamp"]
    assert document["paths"]["/orders/"]["post"]["security"] == [{"apiKeyAuth": ["orders:write"]}]
