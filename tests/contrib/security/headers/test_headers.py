"""Security headers: on every response (HTML, JSON, problems, 500s), HSTS over HTTPS only,
the CSP nonce, report-only mode, per-route overrides, and settings refused at start-up."""

from __future__ import annotations

import re

import pytest

from kwik.contrib.security.headers import HeaderPolicy, security_headers
from kwik.exceptions import ImproperlyConfigured
from tests.contrib.security.headers.conftest import client_of

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "content-security-policy": DEFAULT_CSP,
}
HSTS = "strict-transport-security"


def _nonce_of(csp: str) -> str:
    found = set(re.findall(r"'nonce-([A-Za-z0-9_-]+)'", csp))
    assert len(found) == 1, csp
    return found.pop()


@pytest.mark.parametrize(
    ("path", "status", "media_type"),
    [
        ("/pages/json", 200, "application/json"),
        ("/pages/missing", 404, "application/problem+json"),
        ("/pages/number?n=many", 422, "application/problem+json"),
        ("/pages/boom", 500, "application/problem+json"),
    ],
    ids=["json", "404", "422", "500"],
)
async def test_every_header_is_on_json_and_problem_responses(build, path, status, media_type):
    async with client_of(build(), base_url="https://testserver") as client:
        response = await client.get(path)

    assert (response.status_code, response.headers["content-type"]) == (status, media_type)
    for name, value in EXPECTED.items():
        assert response.headers[name] == value, name
    assert response.headers[HSTS] == "max-age=31536000"


async def test_every_header_is_on_an_html_page_whose_policy_carries_its_nonce(build):
    async with client_of(build(), base_url="https://testserver") as client:
        response = await client.get("/pages/html")

    assert response.headers["content-type"].startswith("text/html")
    for name, value in EXPECTED.items():
        if name != "content-security-policy":
            assert response.headers[name] == value, name
    csp = response.headers["content-security-policy"]
    nonce = _nonce_of(csp)
    assert f"script-src 'self' 'nonce-{nonce}'" in csp
    assert f"style-src 'self' 'nonce-{nonce}'" in csp
    assert response.text.count(f'nonce="{nonce}"') == 2
    assert response.headers[HSTS] == "max-age=31536000"


async def test_the_nonce_is_one_per_request_and_new_for_each(build):
    async with client_of(build()) as client:
        first = await client.get("/pages/nonce")
        second = await client.get("/pages/nonce")

    assert first.json()["nonce"] == first.json()["again"]
    assert _nonce_of(first.headers["content-security-policy"]) == first.json()["nonce"]
    assert _nonce_of(second.headers["content-security-policy"]) == second.json()["nonce"]
    assert first.json()["nonce"] != second.json()["nonce"]
    assert len(first.json()["nonce"]) >= 22  # 128 bits in base64


async def test_no_hsts_over_plain_http(build):
    async with client_of(build()) as client:
        response = await client.get("/pages/json")

    assert HSTS not in response.headers
    assert response.headers["x-frame-options"] == "DENY"


async def test_hsts_options_and_zero_turning_it_off(build):
    app = build(SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
    async with client_of(app, base_url="https://testserver") as client:
        response = await client.get("/pages/json")
    assert response.headers[HSTS] == "max-age=31536000; includeSubDomains; preload"

    async with client_of(build(SECURE_HSTS_SECONDS=0), base_url="https://testserver") as client:
        response = await client.get("/pages/json")
    assert HSTS not in response.headers


async def test_report_only_mode_sends_the_policy_under_the_report_only_name(build):
    app = build(SECURE_CSP_REPORT_ONLY=True, SECURE_CSP_REPORT_URI="/csp-reports")
    async with client_of(app) as client:
        response = await client.get("/pages/json")

    assert "content-security-policy" not in response.headers
    report_only = response.headers["content-security-policy-report-only"]
    assert report_only == f"{DEFAULT_CSP}; report-uri /csp-reports"


async def test_headers_can_be_turned_off_or_changed_by_settings(build):
    async with client_of(build(SECURE_HEADERS_ENABLED=False)) as client:
        response = await client.get("/pages/json")
    assert not set(EXPECTED).intersection(response.headers)

    app = build(
        SECURE_FRAME_OPTIONS=None,
        SECURE_CONTENT_SECURITY_POLICY=None,
        SECURE_PERMISSIONS_POLICY={"geolocation": ["self", "https://maps.example"], "usb": ["*"]},
        SECURE_CROSS_ORIGIN_RESOURCE_POLICY="cross-origin",
    )
    async with client_of(app) as client:
        response = await client.get("/pages/json")
    assert "x-frame-options" not in response.headers
    assert "content-security-policy" not in response.headers
    assert (
        response.headers["permissions-policy"] == 'geolocation=(self "https://maps.example"), usb=*'
    )
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"


async def test_a_header_the_response_sets_itself_is_kept(build):
    async with client_of(build()) as client:
        response = await client.get("/pages/own-headers")

    assert response.headers.get_list("content-security-policy") == ["default-src 'none'"]
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_a_route_overrides_its_own_headers_and_only_its_own(build):
    async with client_of(build()) as client:
        embed = await client.get("/pages/embed")
        other = await client.get("/pages/json")

    assert "x-frame-options" not in embed.headers
    assert embed.headers["referrer-policy"] == "no-referrer"
    csp = embed.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp
    assert "img-src" not in csp
    assert "default-src 'self'" in csp
    assert other.headers["x-frame-options"] == "DENY"
    assert other.headers["content-security-policy"] == DEFAULT_CSP


async def test_headers_dependencies_leave_in_the_scope_are_sent(build):
    async with client_of(build()) as client:
        response = await client.get("/pages/limited")

    assert response.headers["ratelimit-policy"] == '"default";q=10;w=60'
    assert response.headers["ratelimit"] == '"default";r=9;t=60'
    assert response.headers["set-cookie"] == "kwik_csrf=token; Path=/; SameSite=Lax"


async def test_a_refusal_carrying_its_own_ratelimit_header_is_not_sent_a_second(build):
    async with client_of(build()) as client:
        response = await client.get("/pages/refused")

    assert response.status_code == 429
    assert response.headers.get_list("ratelimit") == ['"default";r=0;t=6']
    assert response.headers["ratelimit-policy"] == '"default";q=10;w=60'
    assert response.headers["retry-after"] == "6"
    assert response.headers["x-frame-options"] == "DENY"


async def test_debugs_traceback_page_goes_without_a_csp_but_with_the_other_headers(build):
    async with client_of(build(DEBUG=True)) as client:
        response = await client.get("/pages/boom", headers={"Accept": "text/html"})

    assert response.status_code == 500
    assert "Traceback" in response.text
    assert "content-security-policy" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SECURE_CONTENT_SECURITY_POLICY", {"script-src": ["self"]}, "the keyword is quoted"),
        ("SECURE_CONTENT_SECURITY_POLICY", {"script-src": ["'nonce-abc'"]}, "fixed nonce"),
        ("SECURE_CONTENT_SECURITY_POLICY", {"script-src; x": ["'self'"]}, "not a directive"),
        ("SECURE_CONTENT_SECURITY_POLICY", {"img-src": ["a.example; script-src *"]}, "source"),
        ("SECURE_CONTENT_SECURITY_POLICY", {"img-src": "'self'"}, "valid list"),
        ("SECURE_CSP_REPORT_URI", "/reports; script-src *", "not a URL"),
        ("SECURE_REFERRER_POLICY", "never", "is not one of"),
        ("SECURE_CROSS_ORIGIN_OPENER_POLICY", "same-site", "is not one of"),
        ("SECURE_CROSS_ORIGIN_RESOURCE_POLICY", "everyone", "is not one of"),
        ("SECURE_PERMISSIONS_POLICY", {"camera": ["maps.example"]}, "neither self"),
        ("SECURE_PERMISSIONS_POLICY", {"camera": "self"}, "valid list"),
        ("SECURE_HSTS_SECONDS", -1, "SECURE_HSTS_SECONDS"),
    ],
)
def test_a_malformed_header_setting_stops_start_up_naming_it(build, setting, value, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)) as refused:
        build(**{setting: value})

    assert setting in str(refused.value)


def test_a_malformed_route_override_is_refused_where_it_is_written():
    with pytest.raises(ImproperlyConfigured, match=r"@security_headers\(frame_options=\.\.\.\)"):
        security_headers(frame_options="ALLOW")
    with pytest.raises(ImproperlyConfigured, match="the keyword is quoted"):
        security_headers(content_security_policy={"script-src": ["none"]})

    @security_headers(referrer_policy="no-referrer")
    async def handler() -> None: ...

    with pytest.raises(ImproperlyConfigured, match="twice"):
        security_headers(frame_options=None)(handler)


def test_a_directive_left_without_sources_says_none():
    policy = HeaderPolicy(content_security_policy={"script-src": ["'nonce'"]}).compile()

    assert policy.http == (
        (b"x-content-type-options", b"nosniff"),
        (b"content-security-policy", b"script-src 'none'"),
    )
    assert policy.pairs(False, "abc")[-1] == (b"content-security-policy", b"script-src 'nonce-abc'")


async def test_an_error_raised_outside_the_error_handlers_still_gets_a_dressed_problem(build):
    from kwik.contrib.security.middleware import SecurityMiddleware
    from kwik.http import HTTPError

    build(CORS_ALLOWED_ORIGINS=["https://app.example"])  # loads the settings it reads

    async def refusing(scope, receive, send):  # a middleware between it and the handlers
        raise HTTPError(429, "Slow down", headers={"Retry-After": "3"})

    async def crashing(scope, receive, send):
        raise RuntimeError("a bug in a middleware")

    origin = {"Origin": "https://app.example"}
    async with client_of(SecurityMiddleware(refusing)) as client:
        refused = await client.get("/", headers=origin)
    async with client_of(SecurityMiddleware(crashing)) as client:
        crashed = await client.get("/", headers=origin)

    assert (refused.status_code, refused.json()["detail"]) == (429, "Slow down")
    assert refused.headers["retry-after"] == "3"
    assert crashed.status_code == 500
    assert crashed.headers["content-type"] == "application/problem+json"
    for response in (refused, crashed):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["access-control-allow-origin"] == "https://app.example"
