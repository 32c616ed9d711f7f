"""`kwik.testing.override_settings`: change settings for a block or a function, validated as at
start-up, and always put them back."""

from __future__ import annotations

import asyncio
import inspect

import pytest

import kwik
from kwik import ImproperlyConfigured
from kwik.apps import apps
from kwik.conf import settings
from kwik.testing import override_settings
from tests.support import Project


@pytest.fixture(autouse=True)
def loaded(project: Project) -> None:
    """A project with one app declaring SHOP_PAGE_SIZE (default 20), STATIC_URL '/assets/'."""
    project.package(
        "shop",
        {
            "apps.py": """
                from kwik.apps import AppConfig
                from kwik.conf import AppSettings


                class ShopSettings(AppSettings):
                    SHOP_PAGE_SIZE: int = 20


                class ShopConfig(AppConfig):
                    settings_model = ShopSettings
                """
        },
    )
    kwik.setup(project.settings("INSTALLED_APPS = ['shop']\nSTATIC_URL = '/assets/'\n"))


def test_context_manager_changes_a_setting_inside_the_block_only():
    with override_settings(STATIC_URL="/files/"):
        assert settings.STATIC_URL == "/files/"

    assert settings.STATIC_URL == "/assets/"


def test_overridden_setting_reports_override_as_its_source():
    with override_settings(STATIC_URL="/files/"):
        assert settings.source("STATIC_URL") == "override"

    assert settings.source("STATIC_URL") == "proj.settings"


def test_sync_decorator_overrides_while_the_function_runs():
    @override_settings(STATIC_URL="/files/")
    def static_url() -> str:
        return settings.STATIC_URL

    assert static_url() == "/files/"
    assert settings.STATIC_URL == "/assets/"


def test_async_decorator_overrides_while_the_coroutine_runs():
    @override_settings(STATIC_URL="/files/")
    async def static_url() -> str:
        await asyncio.sleep(0)
        return settings.STATIC_URL

    assert inspect.iscoroutinefunction(static_url)
    assert asyncio.run(static_url()) == "/files/"
    assert settings.STATIC_URL == "/assets/"


def test_decorator_keeps_the_function_name():
    @override_settings(DEBUG=True)
    def test_something() -> None: ...

    assert test_something.__name__ == "test_something"


def test_settings_are_restored_after_an_exception():
    with pytest.raises(KeyError), override_settings(STATIC_URL="/files/"):
        raise KeyError("boom")

    assert settings.STATIC_URL == "/assets/"
    assert settings.source("STATIC_URL") == "proj.settings"


def test_decorated_function_restores_settings_after_an_exception():
    @override_settings(STATIC_URL="/files/")
    def fails() -> None:
        raise KeyError("boom")

    with pytest.raises(KeyError):
        fails()

    assert settings.STATIC_URL == "/assets/"


def test_nested_overrides_restore_in_order():
    with override_settings(STATIC_URL="/outer/", DEBUG=True):
        with override_settings(STATIC_URL="/inner/"):
            assert (settings.STATIC_URL, settings.DEBUG) == ("/inner/", True)
        assert settings.STATIC_URL == "/outer/"

    assert settings.STATIC_URL == "/assets/"


def test_overridden_value_is_validated_like_a_module_value():
    with pytest.raises(ImproperlyConfigured) as error, override_settings(DEBUG="maybe"):
        pass

    assert str(error.value) == (
        "Invalid setting DEBUG = 'maybe' (from override): Input should be a valid boolean, "
        "unable to interpret input; expected bool"
    )
    assert settings.DEBUG is True


def test_override_is_checked_against_the_other_settings():
    strict = override_settings(DEBUG=False)

    with (
        pytest.raises(ImproperlyConfigured, match="SECRET_KEY is missing while DEBUG is off"),
        strict,
    ):
        pass

    assert settings.DEBUG is True


def test_override_of_an_unknown_setting_suggests_the_known_one():
    with pytest.raises(AttributeError) as error, override_settings(STATIC_ULR="/files/"):
        pass

    assert str(error.value) == "Setting STATIC_ULR does not exist. Did you mean STATIC_URL?"


def test_installed_apps_cannot_be_overridden():
    with pytest.raises(ImproperlyConfigured) as error, override_settings(INSTALLED_APPS=[]):
        pass

    assert str(error.value) == (
        "INSTALLED_APPS can't be overridden: the app registry is built from it once at start-up. "
        "Give the test its own settings module instead."
    )
    assert settings.INSTALLED_APPS == ["shop"]


def test_app_setting_override_is_seen_through_settings_and_app_config():
    config = apps.get_app_config("shop")

    with override_settings(SHOP_PAGE_SIZE=5):
        assert settings.SHOP_PAGE_SIZE == 5
        assert config.settings.SHOP_PAGE_SIZE == 5

    assert config.settings.SHOP_PAGE_SIZE == 20


def test_app_setting_override_is_validated():
    wrong = override_settings(SHOP_PAGE_SIZE="many")

    with (
        pytest.raises(ImproperlyConfigured, match="Invalid setting SHOP_PAGE_SIZE = 'many'"),
        wrong,
    ):
        pass
