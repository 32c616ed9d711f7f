"""CORS: allowed and refused origins, preflights, credentials, headers kept on errors (a 500
over a real socket too), WebSocket handshakes, and unsafe settings refused at start-up."""

from __future__ import annotations

import httpx2
import pytest
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from kwik.contrib.security.cors import normalize_origin
from kwik.exceptions import ImproperlyConfigured
from tests.contrib.security.headers.conftest import SECRET_KEY, client_of, serving
from tests.support import run_kwik

APP = "https://app.example"
EVIL = "https://evil.example"
CORS = {"CORS_ALLOWED_ORIGINS": [APP]}
PREFLIGHT = {"Origin": APP, "Access-Control-Request-Method": "PUT"}


async def test_an_allowed_origin_is_named_in_the_response(build):
    async with client_of(build(**CORS)) as client:
        response = await client.get("/pages/json", headers={"Origin": APP})

    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["vary"] == "Origin"
    assert (
        response.headers["access-control-expose-headers"]
        == "RateLimit, RateLimit-Policy, Retry-After"
    )
    assert "access-control-allow-credentials" not in response.headers


async def test_another_origin_gets_no_cors_headers_but_every_response_varies_on_origin(build):
    async with client_of(build(**CORS)) as client:
        refused = await client.get("/pages/json", headers={"Origin": EVIL})
        without = await client.get("/pages/json")

    for response in (refused, without):
        assert response.status_code == 200
        assert not any(name.startswith("access-control-") for name in response.headers)
        assert response.headers["vary"] == "Origin"


async def test_without_cors_settings_no_response_mentions_cors(build):
    async with client_of(build()) as client:
        response = await client.get("/pages/json", headers={"Origin": APP})
        preflight = await client.options("/pages/json", headers=PREFLIGHT)

    assert not any(name.startswith("access-control-") for name in response.headers)
    assert "vary" not in response.headers
    assert preflight.status_code == 405  # the application's answer: CORS is not in the way


async def test_origins_match_exactly_or_by_a_whole_regex(build):
    app = build(CORS_ALLOWED_ORIGIN_REGEXES=[r"https://[a-z]+\.shop\.example"])
    async with client_of(app) as client:
        shop = await client.get("/pages/json", headers={"Origin": "https://eu.shop.example"})
        longer = await client.get(
            "/pages/json", headers={"Origin": "https://eu.shop.example.evil.example"}
        )

    assert shop.headers["access-control-allow-origin"] == "https://eu.shop.example"
    assert "access-control-allow-origin" not in longer.headers


async def test_any_origin_without_credentials_gets_the_wildcard(build):
    async with client_of(build(CORS_ALLOWED_ORIGINS=["*"])) as client:
        response = await client.get("/pages/json", headers={"Origin": EVIL})

    assert response.headers["access-control-allow-origin"] == "*"


async def test_credentials_are_allowed_to_listed_origins_only(build):
    async with client_of(build(**CORS, CORS_ALLOW_CREDENTIALS=True)) as client:
        allowed = await client.get("/pages/json", headers={"Origin": APP})
        refused = await client.get("/pages/json", headers={"Origin": EVIL})

    assert allowed.headers["access-control-allow-origin"] == APP
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-credentials" not in refused.headers


async def test_an_allowed_preflight_is_answered_with_what_may_follow(build):
    async with client_of(build(**CORS, CORS_ALLOW_CREDENTIALS=True, CORS_MAX_AGE=300)) as client:
        response = await client.options(
            "/pages/json",
            headers={**PREFLIGHT, "Access-Control-Request-Headers": "content-type, x-api-key"},
        )

    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["access-control-allow-methods"] == (
        "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
    )
    assert "X-API-Key" in response.headers["access-control-allow-headers"]
    assert response.headers["access-control-max-age"] == "300"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Origin": EVIL, "Access-Control-Request-Method": "GET"}, "origin"),
        ({"Origin": APP, "Access-Control-Request-Method": "TRACE"}, "method TRACE"),
        ({**PREFLIGHT, "Access-Control-Request-Headers": "x-secret"}, "headers x-secret"),
    ],
    ids=["origin", "method", "header"],
)
async def test_a_refused_preflight_gets_a_problem_and_no_cors_headers(build, headers, reason):
    async with client_of(build(**CORS)) as client:
        response = await client.options("/pages/json", headers=headers)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert reason in response.json()["detail"]
    assert not any(name.startswith("access-control-") for name in response.headers)


async def test_an_options_request_that_is_no_preflight_reaches_the_application(build):
    async with client_of(build(**CORS)) as client:
        response = await client.options("/pages/json", headers={"Origin": APP})

    assert response.status_code == 405
    assert response.headers["access-control-allow-origin"] == APP


async def test_cors_headers_stay_on_problem_responses(build):
    async with client_of(build(**CORS)) as client:
        missing = await client.get("/pages/missing", headers={"Origin": APP})
        invalid = await client.get("/pages/number?n=x", headers={"Origin": APP})
        limited = await client.get("/pages/refused", headers={"Origin": APP})

    for response, status in ((missing, 404), (invalid, 422), (limited, 429)):
        assert response.status_code == status
        assert response.headers["access-control-allow-origin"] == APP


@pytest.mark.slow
def test_a_500_over_a_real_socket_keeps_cors_and_security_headers(build):
    app = build(**CORS)
    with serving(app) as base_url:
        response = httpx2.get(f"{base_url}/pages/boom", headers={"Origin": APP})

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["vary"] == "Origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" in response.headers


def test_a_cross_origin_websocket_is_refused_unless_cors_allows_its_origin(build):
    with TestClient(build(**CORS)) as browser:
        with browser.websocket_connect("/pages/ws") as socket:  # not a browser: no Origin
            assert socket.receive_json()["client"] == "testclient"
        own = {"Origin": "http://testserver"}
        with browser.websocket_connect("/pages/ws", headers=own) as socket:
            assert "client" in socket.receive_json()
        with browser.websocket_connect("/pages/ws", headers={"Origin": APP}) as socket:
            assert "client" in socket.receive_json()
        with (
            pytest.raises(WebSocketDenialResponse) as refused,
            browser.websocket_connect("/pages/ws", headers={"Origin": EVIL}),
        ):
            pass

    assert refused.value.status_code == 403
    assert refused.value.json()["type"] == "urn:kwik:problem:cross-origin-websocket"


def test_a_server_without_denial_responses_closes_a_refused_websocket(build):
    app = build()

    async def without_extensions(scope, receive, send):
        await app({**scope, "extensions": {}}, receive, send)

    with (
        TestClient(without_extensions) as browser,
        pytest.raises(WebSocketDisconnect) as refused,
        browser.websocket_connect("/pages/ws", headers={"Origin": EVIL}),
    ):
        pass

    assert refused.value.code == 1008


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"CORS_ALLOWED_ORIGINS": ["*"], "CORS_ALLOW_CREDENTIALS": True}, "every site on the web"),
        ({"CORS_ALLOWED_ORIGINS": ["https://app.example/"]}, "did you mean 'https://app.example'"),
        ({"CORS_ALLOWED_ORIGINS": ["https://app.example/api"]}, "has a path"),
        ({"CORS_ALLOWED_ORIGINS": ["app.example"]}, "is not scheme://host[:port]"),
        ({"CORS_ALLOWED_ORIGINS": ["null"]}, "opaque origin"),
        ({"CORS_ALLOWED_ORIGINS": ["https://*.app.example"]}, "CORS_ALLOWED_ORIGIN_REGEXES"),
        ({"CORS_ALLOWED_ORIGINS": ["https://app.example:99999"]}, "port"),
        ({"CORS_ALLOWED_ORIGIN_REGEXES": ["https://(app"]}, "not a regular expression"),
        ({"CORS_ALLOWED_ORIGINS": [APP], "CORS_ALLOWED_HEADERS": ["X Bad"]}, "not a header"),
        ({"CORS_ALLOWED_ORIGINS": [APP], "CORS_MAX_AGE": -1}, "CORS_MAX_AGE"),
    ],
)
def test_unsafe_or_malformed_cors_settings_stop_start_up(build, settings, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        build(**settings)

    assert message in str(refused.value)


@pytest.mark.slow
def test_kwik_check_refuses_a_wildcard_origin_with_credentials(project):
    project.settings(
        f"SECRET_KEY = {SECRET_KEY!r}\n"
        'INSTALLED_APPS = ["kwik.contrib.security"]\n'
        'CORS_ALLOWED_ORIGINS = ["*"]\nCORS_ALLOW_CREDENTIALS = True\n'
    )
    project.pyproject("proj.settings")

    result = run_kwik("check", cwd=project.root)

    assert result.returncode != 0
    assert "CORS_ALLOW_CREDENTIALS" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("written", "origin"),
    [
        ("https://App.Example", "https://app.example"),
        ("https://app.example:443", "https://app.example"),
        ("http://app.example:8080", "http://app.example:8080"),
        ("http://[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_origins_are_compared_as_browsers_write_them(written, origin):
    assert normalize_origin(written) == origin
