"""docs/tasks.md's worked example, as a user runs it: `examples/accounts` copied into a new
project, migrated, its own tests passing, and a signup served by `kwik runserver` getting its
welcome email from the worker the development server runs."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
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
    shutil.copytree(ROOT / "examples" / "accounts", folder / "accounts")
    settings = folder / "shop" / "settings.py"
    text = settings.read_text()
    assert "INSTALLED_APPS: list[str] = []" in text
    settings.write_text(
        text.replace(
            "INSTALLED_APPS: list[str] = []",
            'INSTALLED_APPS = ["kwik.contrib.tasks", "accounts"]',
        )
    )
    for command in (["makemigrations"], ["migrate"]):
        result = run_kwik(*command, cwd=folder)
        assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_the_examples_own_tests_pass(shop: Path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "accounts"],
        cwd=shop,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_a_signup_gets_its_welcome_email_from_the_development_servers_worker(shop: Path):
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
        response = httpx2.post(
            base + "/accounts/signup", json={"email": "ada@example.com", "name": "Ada"}
        )
        assert response.status_code == 201, response.text
        sent = _wait_for_email(shop / "db.sqlite3")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)

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
