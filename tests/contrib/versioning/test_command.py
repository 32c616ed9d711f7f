"""`kwik api diff`: the operations and fields that changed between two versions of the test
API, as text and JSON, against a saved document too, and one-line errors for bad arguments."""

from __future__ import annotations

import json

import pytest

from tests.support import Project, run_kwik

SETTINGS = (
    'INSTALLED_APPS = ["kwik.contrib.versioning", "tests.contrib.versioning.users"]\n'
    'API_VERSIONS = ["v1", "v2", "v3"]\n'
)


@pytest.fixture
def shop(project: Project) -> Project:
    project.settings(SETTINGS)
    project.pyproject("proj.settings")
    return project


def test_diff_lists_what_changed_from_one_version_to_the_next(shop):
    result = run_kwik("api", "diff", "v1", "v2", cwd=shop.root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("API v1 -> v2: ")
    assert "- GET /legacy" not in lines  # v2 still has it
    assert (
        "~ GET /users/{user_id}: response 200 field full_name: removed, required string "
        "(breaking)" in lines
    )
    assert "~ GET /users/{user_id}: response 200 field name: added, required string" in lines
    assert "~ POST /users: request body field full_name: removed, required string" in lines
    assert any(line.startswith("~ GET /users: response 200") for line in lines)


def test_diff_of_v2_and_v3_lists_the_added_operation_and_the_removed_one(shop):
    result = run_kwik("api", "diff", "v2", "v3", "--format", "json", cwd=shop.root)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["from"], report["to"]) == ("v2", "v3")
    found = {(d["kind"], d["operation"], d["part"]) for d in report["differences"]}
    assert ("added", "GET /reports", "") in found
    assert ("removed", "GET /legacy", "") in found
    removed = next(d for d in report["differences"] if d["operation"] == "GET /legacy")
    assert removed["breaking"] is True


def test_fail_on_breaking_exits_1_and_a_version_with_itself_has_no_differences(shop):
    breaking = run_kwik("api", "diff", "v2", "v3", "--fail-on-breaking", cwd=shop.root)
    same = run_kwik("api", "diff", "v3", "v3", "--fail-on-breaking", cwd=shop.root)
    assert breaking.returncode == 1
    assert same.returncode == 0
    assert same.stdout == "No differences between v3 and v3.\n"


def test_a_saved_document_compares_like_its_version(shop):
    saved = run_kwik("openapi", "--document", "v2", "-o", "v2.json", cwd=shop.root)
    assert saved.returncode == 0, saved.stderr
    from_file = run_kwik("api", "diff", "v2.json", "v3", cwd=shop.root)
    from_version = run_kwik("api", "diff", "v2", "v3", cwd=shop.root)
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout.replace("v2.json", "v2") == from_version.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["v1", "v9"], "Error: 'v9' is neither an API version (v1, v2, v3) nor a .json file"),
        (["missing.json", "v1"], "Error: Can't read missing.json: No such file or directory"),
        (["broken.json", "v1"], "Error: broken.json is not JSON"),
        (["list.json", "v1"], "Error: list.json is not an OpenAPI document (it has no paths)"),
    ],
)
def test_bad_arguments_stop_with_one_line(shop, arguments, message):
    shop.write("broken.json", "{nope")
    shop.write("list.json", "[1, 2]")
    result = run_kwik("api", "diff", *arguments, cwd=shop.root)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1].startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
