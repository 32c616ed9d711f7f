"""The checks every app passes before it is loaded: an app that validates less can't win."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.harness.endpoints import verify
from benchmarks.harness.server import FRAMEWORKS, Framework, Server

pytestmark = pytest.mark.slow

LENIENT = Framework("lenient", "Lenient", "tests.benchmarks.lenient_app:app", "starlette")


def test_an_app_that_skips_validation_fails_the_checks(tmp_path: Path):
    with Server(LENIENT, log_path=tmp_path / "server.log") as server:
        failed = {failure.split(" (", 1)[0] for failure in verify(server.host, server.port)}
    assert {"create with price 0", "read with q over 50 characters"} <= failed
    assert failed.isdisjoint({"ping", "read with q", "read without q", "create"})


def test_the_floor_app_passes_every_check(tmp_path: Path):
    with Server(FRAMEWORKS["starlette"], log_path=tmp_path / "server.log") as server:
        assert verify(server.host, server.port) == []


@pytest.mark.parametrize("name", ["kwik-versioned", "kwik-versioned-url"])
def test_the_versioned_variants_pass_every_check_under_their_prefix(tmp_path: Path, name: str):
    framework = FRAMEWORKS[name]
    with Server(framework, log_path=tmp_path / "server.log") as server:
        assert verify(server.host, server.port, prefix=framework.prefix) == []


def test_an_app_serving_the_endpoints_under_a_prefix_fails_the_checks_without_it(tmp_path: Path):
    with Server(FRAMEWORKS["kwik-versioned-url"], log_path=tmp_path / "server.log") as server:
        failed = {failure.split(" (", 1)[0] for failure in verify(server.host, server.port)}
    assert {"ping", "read with q", "create"} <= failed
