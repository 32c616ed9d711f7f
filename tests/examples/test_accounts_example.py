"""docs/tasks.md's worked example, as a user runs it: `examples/accounts` copied into a new
project, migrated, its own tests passing, and a signup served by `kwik runserver` getting its
welcome email from the worker the development server runs."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx2
import pytest

from tests.examples.projects import example_project, run_own_tests, runserver

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_project(
        tmp_path_factory.mktemp("example"),
        "accounts",
        "accounts",
        installed=["kwik.contrib.tasks", "accounts"],
        migrate=True,
    )


def test_the_examples_own_tests_pass(shop: Path):
    result = run_own_tests(shop, "accounts")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_a_signup_gets_its_welcome_email_from_the_development_servers_worker(shop: Path):
    with runserver(shop) as base:
        response = httpx2.post(
            base + "/accounts/signup", json={"email": "ada@example.com", "name": "Ada"}
        )
        assert response.status_code == 201, response.text
        sent = _wait_for_email(shop / "db.sqlite3")

    assert sent == ("ada@example.com", "Welcome!")


def _wait_for_email(database: Path, timeout: float = 30) -> tuple[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(database, timeout=10) as connection:
            row = connection.execute('SELECT "to", subject FROM accounts_sent_email').fetchone()
        if row is not None:
            return (row[0], row[1])
        if time.monotonic() > deadline:
            raise AssertionError("no welcome email was sent")
        time.sleep(0.1)
