"""`kwik runserver` before it serves: the address it is given, and the checks it runs first.

Serving itself is tested end to end, in test_end_to_end.py.
"""

from __future__ import annotations

import pytest

from kwik.cli.commands.runserver import parse_address

TWICE_ROUTED = """
from kwik.http import Router

router = Router()


@router.get("/")
async def first() -> dict[str, str]:
    return {}


@router.get("/")
async def second() -> dict[str, str]:
    return {}
"""


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (None, ("127.0.0.1", 8000)),
        ("9000", ("127.0.0.1", 9000)),
        ("0.0.0.0:8000", ("0.0.0.0", 8000)),
        ("localhost:9000", ("localhost", 9000)),
        ("[::1]:8000", ("::1", 8000)),
    ],
)
def test_address_forms(text, address):
    assert parse_address(text) == address


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (
            "abc",
            "'abc' is not an address: use PORT, HOST:PORT or [IPv6]:PORT, e.g. 127.0.0.1:8000",
        ),
        (
            "localhost:",
            "'localhost:' is not an address: use PORT, HOST:PORT or [IPv6]:PORT, "
            "e.g. 127.0.0.1:8000",
        ),
        ("70000", "Port 70000 is out of range: use a number from 1 to 65535"),
        ("127.0.0.1:0", "Port 0 is out of range: use a number from 1 to 65535"),
    ],
    ids=["word", "no-port", "port-too-high", "port-zero"],
)
def test_a_bad_address_is_a_one_line_error(run, address, message):
    result = run("runserver", address)

    assert result.code == 1
    assert result.error == message


def test_refuses_to_start_when_checks_find_errors(run, project):
    project.package("proj", {"urls.py": TWICE_ROUTED})
    project.settings('ROOT_URLCONF = "proj.urls"\n')
    project.pyproject("proj.settings")

    result = run("runserver", "127.0.0.1:1", "--noreload")

    assert result.code == 1
    assert "Serving at" not in result.out
    assert "(kwik.E003) GET / is routed twice" in result.err
    assert result.err.splitlines()[-1] == (
        "Error: System checks found errors; fix them, or pass --skip-checks"
    )


def test_refuses_to_start_with_a_broken_project(run, project):
    project.settings("DEBGU = True\n")
    project.pyproject("proj.settings")

    result = run("runserver", "127.0.0.1:1", "--noreload")

    assert result.code == 1
    assert result.error == "Unknown setting DEBGU (from proj.settings). Did you mean DEBUG?"


def test_workers_must_be_at_least_one(run):
    result = run("runserver", "--workers", "0")

    assert result.code == 2
    assert "Invalid value for '--workers'" in result.usage_error
