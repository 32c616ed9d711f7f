"""`kwik openapi`: the project's document on stdout or in a file."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from tests.support import run_kwik

SETTINGS = """
DEBUG = True
ROOT_URLCONF = "shop.urls"
OPENAPI_TITLE = "Shop"
"""

URLS = """
from kwik.http import Router

router = Router()


@router.get("/ping")
async def ping() -> dict[str, str]:
    return {"ping": "pong"}
"""


@pytest.fixture
def shop(project):
    project.package("shop", {"settings.py": SETTINGS, "urls.py": URLS})
    project.pyproject("shop.settings")
    return project.root


@pytest.mark.slow
def test_the_document_is_printed_as_indented_json(shop):
    result = run_kwik("openapi", cwd=shop)

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    validate(document)
    assert document["info"]["title"] == "Shop"
    assert result.stdout.startswith('{\n  "openapi": "3.1.0",')


@pytest.mark.slow
def test_output_writes_a_valid_file_and_says_so(shop):
    result = run_kwik("openapi", "--output", "openapi.json", "--indent", "0", cwd=shop)

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("Wrote the OpenAPI document to openapi.json (")
    text = (shop / "openapi.json").read_text(encoding="utf-8")
    assert text.count("\n") == 1
    validate(json.loads(text))


@pytest.mark.slow
def test_a_file_that_cannot_be_written_is_a_one_line_error(shop):
    result = run_kwik("openapi", "--output", "missing/folder/openapi.json", cwd=shop)

    assert result.returncode == 1
    assert result.stderr == (
        "Error: Can't write missing/folder/openapi.json: No such file or directory\n"
    )


def test_call_command_returns_the_same_document(project, capsys):
    import kwik
    from kwik.cli.call import call_command

    project.package("shop", {"settings.py": SETTINGS, "urls.py": URLS})
    kwik.setup("shop.settings")

    call_command("openapi", "--indent", "0")

    validate(json.loads(capsys.readouterr().out))
