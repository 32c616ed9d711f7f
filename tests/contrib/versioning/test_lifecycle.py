"""Deprecation and sunset: the RFC 9745 `Deprecation`, RFC 8594 `Sunset` and `Link` headers per
route and per version, the 410 problem after the sunset, and the checks that catch a lifecycle
that can't be announced."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kwik.contrib.versioning.problems import SUNSET
from kwik.exceptions import ImproperlyConfigured
from tests.contrib.versioning.conftest import client_of

JAN_2026 = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())


async def test_a_deprecated_route_announces_its_deprecation_sunset_and_replacement(build):
    async with client_of(build()) as client:
        response = await client.get("/v1/legacy")
        current = await client.get("/v1/whoami")
    assert response.status_code == 200
    assert response.headers["deprecation"] == f"@{JAN_2026}"
    assert response.headers["sunset"] == "Thu, 31 Dec 2099 00:00:00 GMT"
    assert response.headers["link"] == (
        '<https://example.com/docs/migrate>; rel="deprecation", '
        '<https://example.com/docs/migrate>; rel="sunset"'
    )
    for name in ("deprecation", "sunset", "link"):
        assert name not in current.headers


async def test_after_its_sunset_a_route_answers_410_with_a_problem(build):
    async with client_of(build(API_VERSIONING=["url", "header"])) as client:
        by_url = await client.get("/v2/retired")
        by_header = await client.get("/retired", headers={"Accept-Version": "v1"})
    for response in (by_url, by_header):
        assert response.status_code == 410
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["sunset"] == "Tue, 30 Jun 2020 00:00:00 GMT"
        assert response.headers["link"] == '<https://example.com/retired>; rel="sunset"'
        problem = response.json()
        assert problem["type"] == SUNSET
        assert problem["sunset"] == "2020-06-30"
    assert by_url.json()["detail"] == "GET /v2/retired (API version v2) was retired on 2020-06-30"
    assert by_header.json()["api-version"] == "v1"


async def test_a_deprecated_version_marks_every_route_it_serves(build):
    app = build(
        API_VERSIONS={
            "v1": {"deprecated": "2025-03-01", "sunset": "2099-01-01", "link": "https://e.x/v2"},
            "v2": {},
            "v3": {},
        }
    )
    async with client_of(app) as client:
        old = await client.get("/v1/whoami")
        new = await client.get("/v2/whoami")
        neutral = await client.get("/health")
    assert old.headers["deprecation"] == f"@{int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())}"
    assert old.headers["sunset"] == "Thu, 01 Jan 2099 00:00:00 GMT"
    assert 'rel="deprecation"' in old.headers["link"]
    assert "deprecation" not in new.headers
    assert "deprecation" not in neutral.headers  # a route with no version is no version's


async def test_a_route_lifecycle_overrides_its_versions(build):
    app = build(API_VERSIONS={"v1": {"sunset": "2098-01-01"}, "v2": {}, "v3": {}})
    async with client_of(app) as client:
        response = await client.get("/v1/legacy")
    assert response.headers["sunset"] == "Thu, 31 Dec 2099 00:00:00 GMT"


async def test_a_version_past_its_sunset_answers_410_on_all_its_routes(build):
    app = build(API_VERSIONS={"v1": {"sunset": "2021-01-01"}, "v2": {}, "v3": {}})
    async with client_of(app) as client:
        gone = await client.get("/v1/users")
        alive = await client.get("/v2/users")
    assert gone.status_code == 410
    assert alive.status_code == 200


async def test_a_route_without_a_version_may_retire_too(build, project):
    project.package(
        "extra",
        {
            "routes.py": (
                "from kwik.http import Router\nrouter = Router()\n\n"
                "@router.get('/old', sunset='2001-01-01T12:00:00+00:00', deprecated=True)\n"
                "async def old() -> dict[str, int]:\n    return {}\n"
            )
        },
    )
    app = build(INSTALLED_APPS=["kwik.contrib.versioning", "extra"])
    async with client_of(app) as client:
        response = await client.get("/extra/old")
    assert response.status_code == 410
    assert response.json()["detail"] == "GET /extra/old was retired on 2001-01-01T12:00:00+00:00"
    assert "api-version" not in response.json()
    assert "deprecation" not in response.headers  # deprecated=True has no date to send


def test_openapi_marks_deprecated_operations(build):
    from kwik.http.openapi.project import project_document

    build()
    v1 = project_document(document="v1")
    v3 = project_document(document="v3")
    assert v1["paths"]["/v1/legacy"]["get"]["deprecated"] is True
    assert v1["paths"]["/v1/legacy"]["get"]["x-sunset"] == "2099-12-31"
    assert "deprecated" not in v1["paths"]["/v1/whoami"]["get"]
    assert "/v3/legacy" not in v3["paths"]


def test_a_version_deprecated_without_a_date_is_a_check_warning(build):
    from kwik.contrib.versioning.checks import versioning_checks

    build(
        API_VERSIONS={"v1": {"deprecated": True}, "v2": {"sunset": "2020-01-01"}, "v3": {}},
        API_DEFAULT_VERSION="v2",
    )
    ids = sorted(message.id for message in versioning_checks())
    assert ids == ["versioning.W001", "versioning.W002", "versioning.W003"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"API_VERSIONS": {"v1": {"sunset": "soon"}}}, r"API_VERSIONS.*valid date"),
        ({"API_VERSIONS": {"v1": {"retire": "2020-01-01"}}}, "retire"),
    ],
)
def test_a_malformed_lifecycle_stops_start_up(build, settings, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        build(**settings)
