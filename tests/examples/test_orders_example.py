"""docs/security.md's worked example, as a user runs it: `examples/orders` copied into a new
project with security installed, migrated, its own tests passing, and `kwik runserver` serving
orders to keys `kwik apikeys create` made, by scope."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from tests.examples.projects import example_project, run_own_tests, runserver
from tests.support import run_kwik

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_project(
        tmp_path_factory.mktemp("example"),
        "orders",
        "orders",
        installed=["kwik.contrib.security", "orders"],
        migrate=True,
    )


def test_the_examples_own_tests_pass(shop: Path):
    result = run_own_tests(shop, "orders")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_keys_made_by_the_command_are_served_by_scope(shop: Path):
    def new_key(*scopes: str) -> str:
        arguments = [word for scope in scopes for word in ("--scope", scope)]
        made = run_kwik("apikeys", "create", "partner", *arguments, cwd=shop)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()

    reader, writer = new_key("orders:read"), new_key("orders:write")
    with runserver(shop) as base:
        order = {"item": "lamp", "quantity": 2}
        refused = httpx2.post(base + "/orders/", json=order, headers={"X-API-Key": reader})
        placed = httpx2.post(base + "/orders/", json=order, headers={"X-API-Key": writer})
        listed = httpx2.get(base + "/orders/", headers={"X-API-Key": reader})
        document = httpx2.get(base + "/openapi.json").json()

    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:kwik:problem:api-key-insufficient-scope"
    assert placed.status_code == 201
    assert [each["item"] for each in listed.json()] == ["lamp"]
    assert document["paths"]["/orders/"]["post"]["security"] == [{"apiKeyAuth": ["orders:write"]}]
