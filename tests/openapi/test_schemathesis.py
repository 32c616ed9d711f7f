"""Schemathesis against the sample app over a real socket: requests generated from the
document find no server error, and every response matches its documented status, media type,
headers and schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kwik
from kwik.asgi import get_application
from tests.openapi.sample_app import routes as sample
from tests.support import serve

pytestmark = pytest.mark.slow

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"

# Every check Schemathesis has, less one that tests the validator rather than the document:
# negative_data_rejection: Pydantic's lax mode takes `false` for an int, which JSON Schema's
# "integer" excludes (strict mode would instead refuse 3.0, which "integer" allows).
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
]


def test_schemathesis_finds_no_server_error_and_no_schema_violation(project, tmp_path):
    project.settings('INSTALLED_APPS = ["tests.openapi.sample_app"]\n')
    kwik.setup("proj.settings")
    sample.ITEMS.clear()

    with serve(get_application()) as base_url:
        result = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{base_url}/openapi.json",
                "--checks",
                ",".join(CHECKS),
                "--header",
                "X-API-Key: secret",
                "--max-examples",
                "25",
                "--seed",
                "20261129",
                "--workers",
                "1",
                "--request-timeout",
                "10",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=100,
            check=False,
        )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "7 selected / 7 total" in result.stdout
    assert " failed" not in result.stdout.split("SUMMARY")[-1]
