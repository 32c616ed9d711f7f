"""The `settings` fixture of kwik's pytest plugin (registered by entry point): assigning to it
overrides a setting until the test ends. Each test here runs a small project's own test suite in
a fresh pytest process, as a user's project would."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture
def shop(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project found through pyproject.toml, as `kwik startproject` lays it out."""
    pytester.makepyprojecttoml('[tool.kwik]\nsettings = "shop.settings"\n')
    pytester.mkpydir("shop")
    pytester.path.joinpath("shop", "settings.py").write_text(
        "DEBUG = True\nSTATIC_URL = '/assets/'\n", encoding="utf-8"
    )
    return pytester


def test_assignment_lasts_for_one_test_only(shop: pytest.Pytester):
    shop.makepyfile(
        test_shop="""
        from kwik.conf import settings as live


        def test_assigns(settings):
            settings.STATIC_URL = "/files/"
            assert live.STATIC_URL == "/files/"
            assert settings.STATIC_URL == "/files/"


        def test_runs_next_and_sees_the_module_value(settings):
            assert live.STATIC_URL == "/assets/"
        """
    )

    result = shop.runpytest_inprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=2)


def test_assignment_is_undone_when_the_test_fails(shop: pytest.Pytester):
    shop.makepyfile(
        test_shop="""
        from kwik.conf import settings as live


        def test_assigns_then_fails(settings):
            settings.STATIC_URL = "/files/"
            assert False, "on purpose"


        def test_runs_next_and_sees_the_module_value(settings):
            assert live.STATIC_URL == "/assets/"
        """
    )

    result = shop.runpytest_inprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: on purpose*"])


def test_assigned_value_is_validated(shop: pytest.Pytester):
    shop.makepyfile(
        test_shop="""
        def test_assigns_a_wrong_type(settings):
            settings.DEBUG = "maybe"
        """
    )

    result = shop.runpytest_inprocess("-p", "no:cacheprovider")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*ImproperlyConfigured: Invalid setting DEBUG = 'maybe' (from override)*"]
    )
