"""One OpenAPI document per version: exactly that version's operations and schemas (in that
version's shape where a route serves it through changes), each valid OpenAPI 3.1, served at
/openapi/{version}.json, offered by the docs page and written by `kwik openapi --document`."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from tests.contrib.versioning.conftest import client_of
from tests.support import run_kwik


def operations(document: dict) -> set[str]:
    return {
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    }


def schemas(document: dict) -> set[str]:
    return set(document.get("components", {}).get("schemas", {}))


async def test_each_version_has_its_own_valid_document_with_exactly_its_operations(build):
    async with client_of(build()) as client:
        documents = {v: (await client.get(f"/openapi/{v}.json")).json() for v in ("v1", "v2", "v3")}
        default = (await client.get("/openapi.json")).json()
    for document in documents.values():
        validate(document)
    assert default == documents["v3"]
    assert operations(documents["v1"]) == {
        "GET /v1/users",
        "GET /v1/users/{user_id}",
        "POST /v1/users",
        "GET /v1/legacy",
        "GET /v1/retired",
        "GET /v1/whoami",
        "GET /v1/me",
        "GET /health",
    }
    assert operations(documents["v3"]) == {
        "GET /v3/users",
        "GET /v3/users/{user_id}",
        "POST /v3/users",
        "GET /v3/reports",
        "GET /v3/retired",
        "GET /v3/whoami",
        "GET /v3/me",
        "GET /health",
    }
    assert [d["info"]["version"] for d in documents.values()] == ["v1", "v2", "v3"]
    read = documents["v1"]["paths"]["/v1/users/{user_id}"]["get"]
    assert (
        read["operationId"]
        == documents["v3"]["paths"]["/v3/users/{user_id}"]["get"]["operationId"]
        == "users.read_user"
    )


def test_each_document_holds_exactly_the_schemas_of_its_version(build):
    from kwik.http.openapi.project import project_document

    build()
    v1, v2, v3 = (project_document(document=v) for v in ("v1", "v2", "v3"))
    assert "OldUser" in schemas(v1)
    assert "Page" not in schemas(v1)
    assert "OldUser" not in schemas(v3)
    assert {"Page", "User", "UserIn"} <= schemas(v3)
    assert not any("_v" in name for name in schemas(v3))
    old_user = v1["components"]["schemas"]["User_v1"]
    assert set(old_user["properties"]) == {"id", "full_name", "fax"}
    assert "full_name" in old_user["required"]
    assert old_user["properties"]["fax"]["type"] == "string"
    old_input = v1["components"]["schemas"]["UserIn_v1"]
    assert set(old_input["properties"]) == {"full_name", "fax"}
    assert set(v2["components"]["schemas"]["User_v2"]["properties"]) == {"id", "name"}
    response = v1["paths"]["/v1/users/{user_id}"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/User_v1"
    }


async def test_with_header_selection_a_document_lists_unprefixed_paths_and_the_header(build):
    async with client_of(build(API_VERSIONING=["header"])) as client:
        v1 = (await client.get("/openapi/v1.json")).json()
    validate(v1)
    assert "GET /users" in operations(v1)
    parameters = v1["paths"]["/users"]["get"]["parameters"]
    header = [p for p in parameters if p["in"] == "header"]
    assert [(p["name"], p["schema"]["default"]) for p in header] == [("Accept-Version", "v1")]
    assert "parameters" not in v1["paths"]["/health"]["get"]


async def test_the_docs_page_offers_every_version_the_default_first(build):
    async with client_of(build(API_DEFAULT_VERSION="v2")) as client:
        page = await client.get("/docs")
        default = (await client.get("/openapi.json")).json()
    assert 'data-documents="[{&quot;name&quot;: &quot;v2&quot;' in page.text
    for version in ("v1", "v3"):
        assert f"/openapi/{version}.json" in page.text
    assert default["info"]["version"] == "v2"


def test_kwik_openapi_writes_one_versions_document(build, project, tmp_path):
    build()
    project.pyproject("proj.settings_0")
    result = run_kwik("openapi", "--document", "v1", cwd=project.root)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert "GET /v1/users" in operations(document)
    unknown = run_kwik("openapi", "--document", "v9", cwd=project.root)
    assert unknown.returncode == 1
    assert unknown.stderr.strip().endswith("No OpenAPI document 'v9'; documents: v1, v2, v3")


@pytest.mark.parametrize("strategies", [["url"], ["header"], ["url", "query"], ["media_type"]])
def test_documents_are_valid_for_every_strategy(build, strategies):
    from kwik.http.openapi.project import project_document

    build(API_VERSIONING=strategies)
    for version in ("v1", "v2", "v3"):
        validate(project_document(document=version))


def test_an_older_versions_operation_lists_its_differences_from_the_newest(build):
    from kwik.http.openapi.project import project_document

    build()
    v1 = project_document(document="v1")
    v3 = project_document(document="v3")
    said = v1["paths"]["/v1/users/{user_id}"]["get"]["description"]
    assert "Differences from the newest version:" in said
    assert "- renamed full_name -> name (since v2)" in said
    assert "description" not in v3["paths"]["/v3/users/{user_id}"]["get"]
    renamed = v1["components"]["schemas"]["User_v1"]["properties"]["full_name"]
    assert renamed["title"] == "Full Name"
