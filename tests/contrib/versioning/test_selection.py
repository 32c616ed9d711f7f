"""Choosing a version: URL prefix, header, media type parameter and query parameter, alone and
together; version ranges; the default; unknown versions and routes missing from a version."""

from __future__ import annotations

import pytest

from kwik.contrib.versioning.problems import NOT_IN_VERSION, UNKNOWN_VERSION
from tests.contrib.versioning.conftest import client_of

SUPPORTED = ["v1", "v2", "v3"]


async def test_url_prefixes_choose_the_version_and_each_version_has_its_own_handler(build):
    async with client_of(build()) as client:
        v1 = await client.get("/v1/users")
        v2 = await client.get("/v2/users")
        v3 = await client.get("/v3/users")
        bare = await client.get("/users")
    assert v1.json() == [{"id": 1, "full_name": "Alice"}]
    assert (
        v2.json()
        == v3.json()
        == {
            "items": [{"id": 1, "name": "Alice", "nickname": "al"}],
            "total": 1,
        }
    )
    assert bare.status_code == 404  # with URL selection only, versioned routes have a prefix


async def test_a_range_serves_its_first_version_and_every_later_one(build):
    async with client_of(build()) as client:
        answers = {v: (await client.get(f"/{v}/whoami")).json() for v in SUPPORTED}
        reports = [(await client.get(f"/{v}/reports")).status_code for v in SUPPORTED]
    assert answers == {v: {"version": v} for v in SUPPORTED}
    assert reports == [404, 404, 200]


async def test_a_route_without_a_version_serves_every_version_at_its_own_path(build):
    async with client_of(build(API_VERSIONING=["url", "header"])) as client:
        plain = await client.get("/health")
        asked = await client.get("/health", headers={"Accept-Version": "v1"})
        prefixed = await client.get("/v1/health")
    assert plain.json() == {"status": "ok", "version": "v3"}
    assert asked.json() == {"status": "ok", "version": "v1"}
    assert prefixed.status_code == 404


async def test_the_header_chooses_the_version_and_its_absence_the_default(build):
    async with client_of(build(API_VERSIONING=["header"])) as client:
        v1 = await client.get("/users", headers={"Accept-Version": "v1"})
        v2 = await client.get("/users", headers={"accept-version": " v2 "})
        default = await client.get("/whoami")
        prefixed = await client.get("/v1/users")
    assert v1.json() == [{"id": 1, "full_name": "Alice"}]
    assert v2.json()["total"] == 1
    assert default.json() == {"version": "v3"}
    assert prefixed.status_code == 404


async def test_the_header_name_and_the_default_version_come_from_settings(build):
    app = build(
        API_VERSIONING=["header"], API_VERSION_HEADER="X-API-Version", API_DEFAULT_VERSION="v2"
    )
    async with client_of(app) as client:
        custom = await client.get("/whoami", headers={"X-API-Version": "v1"})
        ignored = await client.get("/whoami", headers={"Accept-Version": "v1"})
    assert custom.json() == {"version": "v1"}
    assert ignored.json() == {"version": "v2"}


@pytest.mark.parametrize(
    "accept",
    [
        "application/json; version=v1",
        'application/vnd.example+json;version="v1"',
        "text/html, application/json;q=0.9;version=v1",
    ],
)
async def test_a_media_type_parameter_chooses_the_version(build, accept):
    async with client_of(build(API_VERSIONING=["media_type"])) as client:
        response = await client.get("/whoami", headers={"Accept": accept})
    assert response.json() == {"version": "v1"}


async def test_a_query_parameter_chooses_the_version(build):
    app = build(API_VERSIONING=["query"], API_VERSION_QUERY_PARAM="api-version")
    async with client_of(app) as client:
        v2 = await client.get("/whoami?api-version=v2")
        other = await client.get("/whoami?version=v1")
        v1_list = await client.get("/users", params={"api-version": "v1"})
    assert v2.json() == {"version": "v2"}
    assert other.json() == {"version": "v3"}  # not the configured name: the default
    assert v1_list.json() == [{"id": 1, "full_name": "Alice"}]


async def test_several_strategies_at_once_each_choose_and_a_disagreement_is_refused(build):
    app = build(API_VERSIONING=["url", "header", "query"])
    async with client_of(app) as client:
        by_url = await client.get("/v1/whoami")
        by_header = await client.get("/whoami", headers={"Accept-Version": "v2"})
        by_query = await client.get("/whoami?version=v1")
        agreeing = await client.get("/whoami?version=v1", headers={"Accept-Version": "v1"})
        conflict = await client.get("/whoami?version=v1", headers={"Accept-Version": "v2"})
    assert by_url.json() == {"version": "v1"}
    assert by_header.json() == {"version": "v2"}
    assert by_query.json() == {"version": "v1"}
    assert agreeing.json() == {"version": "v1"}
    assert conflict.status_code == 400
    problem = conflict.json()
    assert problem["type"] == UNKNOWN_VERSION
    assert "two API versions" in problem["detail"]
    assert problem["supported-versions"] == SUPPORTED


async def test_an_unknown_version_is_a_400_problem_listing_the_supported_ones(build):
    async with client_of(build(API_VERSIONING=["header"])) as client:
        response = await client.get("/users", headers={"Accept-Version": "v9"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == UNKNOWN_VERSION
    assert problem["title"] == "Unknown API version"
    assert problem["detail"] == "No API version 'v9'; supported versions: v1, v2, v3"
    assert problem["supported-versions"] == SUPPORTED


async def test_an_unknown_url_prefix_is_a_404_problem_listing_the_supported_ones(build):
    async with client_of(build()) as client:
        response = await client.get("/v9/users")
        elsewhere = await client.get("/v9/nothing-here")
    assert response.status_code == 404
    assert response.json()["type"] == UNKNOWN_VERSION
    assert response.json()["supported-versions"] == SUPPORTED
    assert elsewhere.status_code == 404
    assert "type" not in elsewhere.json() or elsewhere.json()["type"] == "about:blank"


async def test_a_route_missing_from_the_requested_version_says_which_versions_have_it(build):
    async with client_of(build(API_VERSIONING=["url", "header"])) as client:
        by_url = await client.get("/v1/reports")
        by_header = await client.get("/reports", headers={"Accept-Version": "v2"})
    for response in (by_url, by_header):
        assert response.status_code == 404
        problem = response.json()
        assert problem["type"] == NOT_IN_VERSION
        assert problem["versions"] == ["v3"]
    assert by_url.json()["detail"] == "GET /reports is not in API version v1; it is in v3"
    assert by_header.json()["api-version"] == "v2"


async def test_a_required_version_refuses_requests_naming_none(build):
    app = build(API_VERSIONING=["header"], API_VERSION_REQUIRED=True)
    async with client_of(app) as client:
        missing = await client.get("/whoami")
        named = await client.get("/whoami", headers={"Accept-Version": "v2"})
        neutral = await client.get("/health")
    assert missing.status_code == 400
    assert missing.json()["detail"].startswith("The request names no API version")
    assert named.json() == {"version": "v2"}
    assert neutral.status_code == 400  # it asks api_version(), which needs one too


async def test_a_custom_url_prefix_template(build):
    async with client_of(build(API_VERSION_URL_PREFIX="/api/{version}")) as client:
        ok = await client.get("/api/v2/whoami")
        unknown = await client.get("/api/v7/whoami")
    assert ok.json() == {"version": "v2"}
    assert unknown.json()["type"] == UNKNOWN_VERSION


async def test_methods_of_other_versions_are_not_allowed_methods(build):
    async with client_of(build()) as client:
        response = await client.delete("/v1/users")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


def test_versioned_route_names_carry_the_version_for_url_reversal(build):
    app = build(API_VERSIONING=["url", "header"])
    assert app.url_path_for("v1:users:read_user", user_id=3) == "/v1/users/3"
    assert app.url_path_for("users:read_user", user_id=3) == "/users/3"


async def test_responses_chosen_by_a_header_vary_on_it_so_caches_keep_each_version(build):
    async with client_of(build(API_VERSIONING=["url", "header", "media_type"])) as client:
        by_header = await client.get("/whoami", headers={"Accept-Version": "v1"})
        by_url = await client.get("/v1/whoami")
        neutral = await client.get("/health")
    assert by_header.headers["vary"] == "Accept-Version, Accept"
    assert "vary" not in by_url.headers
    assert "vary" not in neutral.headers


def test_api_version_without_the_app_says_what_to_install(project):
    import kwik
    from kwik.contrib.versioning import api_version
    from kwik.exceptions import ImproperlyConfigured
    from kwik.http import Request

    project.settings("INSTALLED_APPS = []\n")
    kwik.setup("proj.settings")
    request = Request({"type": "http", "headers": [], "query_string": b""})
    with pytest.raises(ImproperlyConfigured, match=r"need kwik\.contrib\.versioning in INSTALLED"):
        api_version(request)
