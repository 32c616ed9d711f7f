"""docs/versioning.md's worked example, as a user runs it: `examples/versioned` copied into a
new project as the `users` app with versioning installed, its own tests passing, `kwik api diff`
reporting what v1 clients must change, and `kwik runserver` answering v1 with its deprecation
headers.

The sunset is written a year from today, so v1 keeps answering whenever this runs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx2
import pytest

from tests.examples.projects import example_project, run_own_tests, runserver
from tests.support import run_kwik

pytestmark = pytest.mark.slow

DEPRECATED = datetime(2026, 6, 1, tzinfo=UTC)
SUNSET = datetime.combine(datetime.now(UTC).date() + timedelta(days=365), time(), tzinfo=UTC)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lifecycle = (
        f'{{"deprecated": "{DEPRECATED.date()}", "sunset": "{SUNSET.date()}", '
        '"link": "https://example.com/docs/upgrading-to-v2"}'
    )
    return example_project(
        tmp_path_factory.mktemp("example"),
        "versioned",
        "users",
        installed=["kwik.contrib.versioning", "users"],
        settings=f'API_VERSIONS = {{"v1": {lifecycle}, "v2": {{}}}}\n',
    )


def test_the_examples_own_tests_pass(shop: Path):
    result = run_own_tests(shop, "users")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 passed" in result.stdout


def test_api_diff_reports_the_renamed_field_as_breaking_for_v1_clients(shop: Path):
    result = run_kwik("api", "diff", "v1", "v2", cwd=shop)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "API v1 -> v2: 1 operation added, 0 removed, 3 changed (6 breaking)"
    assert (
        "~ GET /users/{user_id}: response 200 field full_name: removed, required string (breaking)"
    ) in lines
    assert "+ DELETE /users/{user_id}" in lines


def test_the_server_answers_each_version_in_its_shape_and_announces_v1s_sunset(shop: Path):
    with runserver(shop) as base:
        v1 = httpx2.get(base + "/v1/users/1")
        v2 = httpx2.get(base + "/v2/users/1")
        v1_document = httpx2.get(base + "/openapi/v1.json").json()

    assert v1.json()["full_name"] == "Ada Lovelace"
    assert v1.headers["Deprecation"] == f"@{int(DEPRECATED.timestamp())}"
    assert v1.headers["Sunset"] == format_datetime(SUNSET, usegmt=True)
    assert v2.json()["name"] == "Ada Lovelace"
    assert "Deprecation" not in v2.headers
    assert v1_document["paths"]["/v1/users/{user_id}"]["get"]["deprecated"] is True
