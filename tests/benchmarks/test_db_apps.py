"""The three stacks of the database benchmark, served as the benchmark serves them, on a
freshly seeded table: each answers every check, and all three answer alike."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.db.apps.config import DSN_VARIABLE, POOL_SIZE_VARIABLE
from benchmarks.db.database import ROWS, prepare, product
from benchmarks.db.endpoints import CHECKS, DETAIL_IDS, ENDPOINTS
from benchmarks.db.stacks import STACKS
from benchmarks.harness.endpoints import verify
from benchmarks.harness.postgres import Connection, plain_dsn
from benchmarks.harness.server import Server
from tests.conftest import fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(180)]

REQUESTS = (
    *(endpoint.path for endpoint in ENDPOINTS),
    "/products",
    "/products?limit=100&offset=900",
    "/products?limit=7&offset=995",
    *(f"/products/{id}" for id in DETAIL_IDS),
)


@pytest.fixture(scope="module")
def database(postgres_server: str | None) -> Iterator[str]:
    with fresh_database("postgresql", postgres_server, "kwik_bench_db") as url:
        yield prepare(url)


@pytest.fixture(scope="module")
def servers(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    logs = tmp_path_factory.mktemp("logs")
    environment = {DSN_VARIABLE: database, POOL_SIZE_VARIABLE: "2"}
    started: dict[str, Server] = {}
    try:
        for name, stack in STACKS.items():
            server = Server(stack, log_path=logs / f"{name}.log", environment=environment)
            server.start()
            started[name] = server
        yield started
    finally:
        for server in started.values():
            server.stop()


def _get(server: Server, path: str) -> tuple[int, Any]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.parametrize("name", list(STACKS))
def test_each_stack_passes_every_check(servers: dict[str, Server], name: str):
    server = servers[name]
    assert verify(server.host, server.port, CHECKS) == []


@pytest.mark.parametrize("path", REQUESTS)
def test_the_three_stacks_answer_the_same_json_to_the_same_request(
    servers: dict[str, Server], path: str
):
    answers = {name: _get(server, path) for name, server in servers.items()}
    assert answers["kwik"][0] == 200
    assert answers["fastapi"] == answers["kwik"]
    assert answers["asyncpg"] == answers["kwik"]


def test_prices_are_strings_with_two_decimals_as_pydantic_writes_a_decimal(
    servers: dict[str, Server],
):
    for server in servers.values():
        _, body = _get(server, "/products?limit=100&offset=0")
        prices = [item["price"] for item in body["items"]]
        assert all(isinstance(p, str) and len(p.split(".")[1]) == 2 for p in prices)
        assert any(p.endswith("0") for p in prices)  # trailing zeros kept: "12.30", not "12.3"


def test_seeding_again_leaves_the_same_thousand_rows(database: str):
    assert prepare(database) == database
    with Connection(database) as db:
        assert db.value("SELECT count(*) FROM products") == ROWS
        assert db.value("SELECT price FROM products WHERE id = 7") == product(7).price


def test_a_row_changed_in_the_database_fails_its_check(postgres_server: str | None, tmp_path: Path):
    with fresh_database("postgresql", postgres_server, "kwik_bench_db") as url:
        dsn = prepare(url)
        with Connection(dsn) as db:
            db.execute(f"UPDATE products SET price = price + 1 WHERE id = {DETAIL_IDS[0]}")
        environment = {DSN_VARIABLE: dsn, POOL_SIZE_VARIABLE: "1"}
        with Server(
            STACKS["asyncpg"], log_path=tmp_path / "server.log", environment=environment
        ) as server:
            failed = {f.split(" (", 1)[0] for f in verify(server.host, server.port, CHECKS)}
    assert failed == {"list with no parameters", f"detail {DETAIL_IDS[0]}"}


def test_a_database_url_without_a_database_name_is_refused():
    with pytest.raises(ValueError, match="name the benchmark's database"):
        prepare(plain_dsn("postgresql://postgres@127.0.0.1:1/"))
