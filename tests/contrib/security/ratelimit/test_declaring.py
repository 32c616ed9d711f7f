"""Declaring limits: the texts a policy accepts, and every mistake refused where it is written
(a decorator at import, settings at start-up) with a message naming the bad text."""

from __future__ import annotations

import pytest

import kwik
from kwik.contrib.security.ratelimit import Limit, parse_limits, rate_limit
from kwik.exceptions import ImproperlyConfigured
from kwik.http import Router
from tests.contrib.security.ratelimit.conftest import write_settings


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("10/second", [Limit(10, 1)]),
        ("10/s", [Limit(10, 1)]),
        ("10 per minute", [Limit(10, 60)]),
        ("10/m; 500/hour", [Limit(10, 60), Limit(500, 3600)]),
        ("100/5minutes", [Limit(100, 300)]),
        ("100 per 5 minutes", [Limit(100, 300)]),
        ("2/day, 1/12h", [Limit(2, 86400), Limit(1, 43200)]),
        (" 3 / Hour ;", [Limit(3, 3600)]),
        ("10/minute; 10/minute", [Limit(10, 60)]),
    ],
)
def test_policy_texts_parse_into_limits(text, limits):
    assert list(parse_limits(text)) == limits


@pytest.mark.parametrize(
    ("limit", "text"),
    [
        (Limit(10, 1), "10/second"),
        (Limit(100, 300), "100/5minutes"),
        (Limit(5, 7200), "5/2hours"),
        (Limit(1, 90), "1/90seconds"),
    ],
)
def test_limits_have_a_canonical_text(limit, text):
    assert limit.text == text
    assert parse_limits(text) == (limit,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        (" ; ", "is empty"),
        ("10", "can't read '10'"),
        ("ten/minute", "can't read 'ten/minute'"),
        ("10/fortnight", "unknown unit 'fortnight'"),
        ("10/minute; 5/week", "unknown unit 'week'"),
        ("0/minute", "allows nothing"),
        ("10/0minutes", "allows nothing"),
        ("-1/minute", "can't read '-1/minute'"),
        ("10/minute 5/hour", "can't read"),
    ],
)
def test_bad_policy_texts_are_refused_naming_the_text(text, message):
    with pytest.raises(ValueError, match="Rate limit") as caught:
        parse_limits(text)
    assert message in str(caught.value)
    assert repr(text) in str(caught.value)


def test_rate_limit_refuses_a_bad_text_at_declaration():
    with pytest.raises(ImproperlyConfigured, match="unknown unit 'fortnight'"):
        rate_limit("10/fortnight")


def test_rate_limit_refuses_a_cost_no_limit_allows():
    with pytest.raises(ImproperlyConfigured, match=r"'5/minute' allows 5 units .* cost 6"):
        rate_limit("100/hour; 5/minute", cost=6)


@pytest.mark.parametrize("cost", [0, -1, 1.5, True])
def test_rate_limit_refuses_a_cost_that_is_not_a_whole_number(cost):
    with pytest.raises(ImproperlyConfigured, match="cost must be a whole number"):
        rate_limit("10/minute", cost=cost)


def test_rate_limit_refuses_an_unknown_key():
    with pytest.raises(ImproperlyConfigured, match="unknown key; use one of ip, user") as caught:
        rate_limit("10/minute", key="apikeys")
    assert "Did you mean apikey?" in str(caught.value)


def test_rate_limit_refuses_an_unknown_algorithm():
    with pytest.raises(ImproperlyConfigured, match="Unknown rate-limit algorithm 'leaky'"):
        rate_limit("10/minute", algorithm="leaky")


def test_rate_limit_refuses_a_name_headers_cannot_carry():
    with pytest.raises(ImproperlyConfigured, match="printable ASCII"):
        rate_limit("10/minute", name="recherche-é")


def test_rate_limit_above_the_route_decorator_is_refused():
    router = Router()

    def declare() -> None:
        @rate_limit("10/minute")
        @router.get("/late")
        async def late() -> None: ...

    with pytest.raises(ImproperlyConfigured, match=r"below @router\.get"):
        declare()


def test_a_user_limit_without_auth_installed_is_refused(project):
    write_settings(project, "sqlite+aiosqlite:///db.sqlite3", ["kwik.contrib.security"])
    kwik.setup("proj.settings")
    with pytest.raises(ImproperlyConfigured, match=r"key='user'.*needs kwik.contrib.auth"):
        rate_limit("10/minute", key="user")


# Settings, checked at start-up --------------------------------------------------------------


def load(project, **settings) -> None:
    write_settings(project, "sqlite+aiosqlite:///db.sqlite3", ["kwik.contrib.security"], **settings)
    kwik.setup("proj.settings")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"RATE_LIMIT_DEFAULT": "100/sec0nd"}, "RATE_LIMIT_DEFAULT: Rate limit '100/sec0nd'"),
        ({"RATE_LIMIT_ROUTES": {"shop:*": "5/fortnight"}}, "RATE_LIMIT_ROUTES['shop:*']"),
        (
            {"RATE_LIMIT_ROUTES": {"shop:buy": {"limit": "5/minute", "cost": 10}}},
            "RATE_LIMIT_ROUTES['shop:buy']: Rate limit '5/minute' allows 5 units",
        ),
        (
            {"RATE_LIMIT_ROUTES": {"shop:buy": {"limit": "5/minute", "kee": "user"}}},
            "RATE_LIMIT_ROUTES['shop:buy']: unknown option 'kee'",
        ),
        ({"RATE_LIMIT_ROUTES": {"shop:buy": {"key": "ip"}}}, 'needs a "limit"'),
        ({"RATE_LIMIT_ROUTES": {"shop:buy": 5}}, "Invalid setting RATE_LIMIT_ROUTES"),
        (
            {"RATE_LIMIT_ROUTES": {"shop:buy": {"limit": "5/minute", "key": "user"}}},
            "needs kwik.contrib.auth",
        ),
        ({"API_KEY_RATE_LIMIT_TIERS": {"free": "10/eon"}}, "API_KEY_RATE_LIMIT_TIERS['free']"),
    ],
)
def test_bad_rate_limit_settings_stop_start_up_naming_the_setting(project, settings, message):
    with pytest.raises(ImproperlyConfigured) as caught:
        load(project, **settings)
    assert message in str(caught.value)


def test_an_unknown_algorithm_setting_stops_start_up(project):
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_ALGORITHM"):
        load(project, RATE_LIMIT_ALGORITHM="leaky-bucket")


async def test_a_limit_in_a_project_without_security_says_to_install_it(project):
    from starlette.requests import Request

    write_settings(project, "sqlite+aiosqlite:///db.sqlite3", [])
    kwik.setup("proj.settings")
    limiter = rate_limit("10/minute").dependency
    request = Request({"type": "http", "client": ("192.0.2.1", 1), "headers": []})
    with pytest.raises(ImproperlyConfigured, match=r"need kwik\.contrib\.security"):
        await limiter(request)
