"""An installed app declares its own settings on `AppConfig.settings_model`; they are validated,
overridden from the environment and read exactly like kwik's own."""

from __future__ import annotations

import pytest

import kwik
from kwik import ImproperlyConfigured
from kwik.apps import apps
from kwik.conf import settings
from tests.support import Project


def app_with_settings(project: Project, label: str, fields: str) -> None:
    """A package `label` whose AppConfig declares `fields` (one `NAME: type = default` a line)."""
    body = "".join(f"    {line.strip()}\n" for line in fields.strip().splitlines())
    project.package(
        label,
        {
            "apps.py": (
                "from kwik.apps import AppConfig\n"
                "from kwik.conf import AppSettings\n\n\n"
                f"class Settings(AppSettings):\n{body}\n\n"
                "class Config(AppConfig):\n"
                "    settings_model = Settings\n"
            )
        },
    )


@pytest.fixture
def shop(project: Project) -> Project:
    app_with_settings(project, "shop", "SHOP_PAGE_SIZE: int = 20\nSHOP_TAGS: list[str] = []")
    return project


def setup_with(project: Project, text: str = "") -> None:
    kwik.setup(project.settings("INSTALLED_APPS = ['shop']\n" + text))


def failure(project: Project, text: str = "") -> str:
    with pytest.raises(ImproperlyConfigured) as error:
        setup_with(project, text)
    return str(error.value)


def test_app_setting_default_is_read_from_settings(shop: Project):
    setup_with(shop)

    assert settings.SHOP_PAGE_SIZE == 20
    assert settings.source("SHOP_PAGE_SIZE") == "default"


def test_app_setting_is_read_from_its_app_config(shop: Project):
    setup_with(shop, "SHOP_PAGE_SIZE = 50\n")

    assert apps.get_app_config("shop").settings.SHOP_PAGE_SIZE == 50


def test_module_value_for_an_installed_apps_setting_is_not_unknown(shop: Project):
    setup_with(shop, "SHOP_PAGE_SIZE = 50\n")

    assert settings.SHOP_PAGE_SIZE == 50
    assert settings.source("SHOP_PAGE_SIZE") == "proj.settings"


def test_module_value_for_a_setting_of_an_app_not_installed_is_unknown(shop: Project):
    module = shop.settings("SHOP_PAGE_SIZE = 50\n")

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup(module)

    assert str(error.value).startswith(
        "Unknown setting SHOP_PAGE_SIZE (from proj.settings). No installed app declares it"
    )


def test_env_variable_overrides_app_setting_parsed_from_text(
    shop: Project, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KWIK_SHOP_PAGE_SIZE", "75")

    setup_with(shop, "SHOP_PAGE_SIZE = 50\n")

    assert settings.SHOP_PAGE_SIZE == 75
    assert settings.source("SHOP_PAGE_SIZE") == "environment variable KWIK_SHOP_PAGE_SIZE"


def test_env_variable_for_an_app_list_setting_is_json(
    shop: Project, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KWIK_SHOP_TAGS", '["new", "sale"]')

    setup_with(shop)

    assert settings.SHOP_TAGS == ["new", "sale"]


def test_wrong_type_for_app_setting_in_module_names_the_setting_and_module(shop: Project):
    assert failure(shop, "SHOP_PAGE_SIZE = 'lots'\n") == (
        "Invalid setting SHOP_PAGE_SIZE = 'lots' (from proj.settings): Input should be a valid "
        "integer, unable to parse string as an integer; expected int"
    )


def test_wrong_type_for_app_setting_in_env_names_the_setting_and_variable(
    shop: Project, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KWIK_SHOP_PAGE_SIZE", "lots")

    assert failure(shop) == (
        "Invalid setting SHOP_PAGE_SIZE = 'lots' (from environment variable KWIK_SHOP_PAGE_SIZE):"
        " Input should be a valid integer, unable to parse string as an integer; expected int"
    )


def test_two_apps_declaring_the_same_setting_is_an_error_naming_both(shop: Project):
    app_with_settings(shop, "blog", "SHOP_PAGE_SIZE: int = 10")

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup(shop.settings("INSTALLED_APPS = ['shop', 'blog']\n"))

    assert str(error.value) == (
        "Setting SHOP_PAGE_SIZE is declared by both 'shop' and 'blog'; rename one "
        "(prefix app settings with the app's name)"
    )


def test_app_setting_with_the_name_of_a_core_setting_is_an_error(project: Project):
    app_with_settings(project, "shop", "DEBUG: bool = True")

    assert failure(project) == (
        "Setting DEBUG is declared by both 'kwik' and 'shop'; rename one "
        "(prefix app settings with the app's name)"
    )


def test_app_labelled_kwik_cannot_declare_settings(project: Project):
    project.package(
        "shop",
        {
            "apps.py": """
                from kwik.apps import AppConfig
                from kwik.conf import AppSettings


                class ShopSettings(AppSettings):
                    SHOP_PAGE_SIZE: int = 20


                class ShopConfig(AppConfig):
                    label = "kwik"
                    settings_model = ShopSettings
                """
        },
    )

    assert failure(project) == (
        "App label 'kwik' is reserved for kwik itself (its settings and core commands); "
        "set a different `label` on the AppConfig of 'shop'"
    )


def test_app_settings_are_listed_with_core_settings(shop: Project):
    setup_with(shop)

    assert {"DEBUG", "SHOP_PAGE_SIZE", "SHOP_TAGS"} <= set(settings.names())


def test_failed_app_settings_leave_no_settings_loaded(shop: Project):
    failure(shop, "SHOP_PAGE_SIZE = 'lots'\n")

    assert not settings.configured
    assert not apps.ready
