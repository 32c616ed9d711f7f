"""`make demo`'s script: a project with the catalog example, migrated and seeded on SQLite, whose
own tests pass and whose server answers with real rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "demo"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    result = subprocess.run(
        [str(ROOT / "scripts/make-demo"), str(BIN), str(folder), "--no-serve"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Applying catalog.0001_initial... OK" in result.stdout
    assert "Added 60 products." in result.stdout
    return folder


def test_the_demo_projects_own_tests_pass(demo: Path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=demo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout


def test_the_demo_serves_seeded_rows_from_sqlite(demo: Path):
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KWIK_")}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=demo,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/", process=server)
        page = wait_for(base + "/catalog/products?price__gte=100&sort=-price&limit=5").json()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=20)

    assert page["total"] > 0
    assert len(page["items"]) == 5
    prices = [float(item["price"]) for item in page["items"]]
    assert prices == sorted(prices, reverse=True)
    assert all(price >= 100 for price in prices)
