"""The real `kwik` script and real servers: what a user sees after `kwik startproject shop`.

Each server runs in its own process group, so stopping it stops uvicorn's reloader or worker
processes too, whatever state the test left them in.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx2
import pytest

from tests.support import Server, run_kwik, run_python, runserver, wait_for

pytestmark = pytest.mark.slow

HOME = {"project": "shop", "message": "Kwik is running."}
START_TIMEOUT = 30.0


def wait_for_json(url: str, expected: object, *, server: Server, timeout: float = 20) -> None:
    """GET `url` until it answers `expected` (a reloading server may answer late, or not at all)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"runserver exited with {server.process.returncode}"
        try:
            last = httpx2.get(url, timeout=2).json()
        except (httpx2.TransportError, ValueError) as exc:
            last = exc
        if last == expected:
            return
        time.sleep(0.1)
    raise AssertionError(f"{url} answered {last!r}, not {expected!r}, for {timeout} s")


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """`kwik startproject shop`, run by the real script."""
    result = run_kwik("startproject", "shop", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "shop"


def passed(result: subprocess.CompletedProcess[str]) -> int:
    """How many tests a pytest run passed, asserting that it passed."""
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(r"(\d+) passed", result.stdout)
    assert found, result.stdout
    return int(found[1])


# runserver ---------------------------------------------------------------------------------------


def test_new_project_serves_its_home_route_and_prints_the_url(shop):
    with runserver(shop) as server:
        response = wait_for(f"{server.url}/", timeout=START_TIMEOUT, process=server.process)

        assert response.status_code == 200
        assert response.json() == HOME

    assert f"Serving at {server.url}/ - quit with CONTROL-C." in server.output
    assert "System check identified no issues." in server.output


def test_an_edit_to_urls_is_served_without_restarting_the_command(shop):
    urls = shop / "shop/urls.py"
    with runserver(shop) as server:
        wait_for(f"{server.url}/", timeout=START_TIMEOUT, process=server.process)

        urls.write_text(
            urls.read_text(encoding="utf-8").replace("Kwik is running.", "Edited while running."),
            encoding="utf-8",
        )

        wait_for_json(f"{server.url}/", {**HOME, "message": "Edited while running."}, server=server)
        assert server.process.poll() is None

    assert "Reloading on changes under" in server.output


def test_noreload_serves_a_new_app_under_its_prefix(shop):
    assert run_kwik("startapp", "catalog", cwd=shop).returncode == 0

    with runserver(shop, "--noreload") as server:
        response = wait_for(f"{server.url}/catalog/", timeout=START_TIMEOUT, process=server.process)

        assert response.status_code == 200
        assert response.json() == {"app": "catalog", "message": "Hello from catalog."}

    assert "Reloading" not in server.output


def test_two_workers_serve(shop):
    with runserver(shop, "--workers", "2") as server:
        response = wait_for(f"{server.url}/", timeout=START_TIMEOUT, process=server.process)

        assert response.json() == HOME

    assert "The reloader is off because --workers is above 1." in server.output


# check -------------------------------------------------------------------------------------------


def test_check_passes_on_a_new_project(shop):
    result = run_kwik("check", cwd=shop)

    assert (result.returncode, result.stdout) == (0, "System check identified no issues.\n")


def test_manage_py_check_passes_on_a_new_project(shop):
    result = run_python("manage.py", "check", cwd=shop)

    assert (result.returncode, result.stdout) == (0, "System check identified no issues.\n")


BAD_SETTINGS = {
    "wrong-type": ('DEBUG = "maybe"', "Invalid setting DEBUG = 'maybe' (from shop.settings)"),
    "unknown-name": (
        "DEBGU = True",
        "Unknown setting DEBGU (from shop.settings). Did you mean DEBUG?",
    ),
}


@pytest.mark.parametrize("runner", ["kwik", "manage.py"])
@pytest.mark.parametrize(("line", "message"), BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
def test_a_bad_setting_fails_check_with_one_line_naming_it(shop, runner, line, message):
    settings = shop / "shop/settings.py"
    settings.write_text(settings.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")

    if runner == "kwik":
        result = run_kwik("check", cwd=shop)
    else:
        result = run_python("manage.py", "check", cwd=shop)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [error] = result.stderr.splitlines()
    assert error.startswith(f"Error: {message}")
    assert result.stdout == ""


# The project's own tests -------------------------------------------------------------------------


def test_new_project_own_tests_pass(shop):
    assert passed(run_python("-m", "pytest", cwd=shop)) == 2


def test_new_project_tests_still_pass_after_startapp_including_the_app_test(shop):
    assert run_kwik("startapp", "catalog", cwd=shop).returncode == 0

    result = run_python("-m", "pytest", "-v", cwd=shop)

    assert passed(result) == 3
    assert "catalog/tests/test_routes.py::test_index_greets PASSED" in result.stdout
