"""The app registry: INSTALLED_APPS turned into loaded apps, in order, in phases, once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import kwik
from kwik import AppRegistryNotReady, ImproperlyConfigured
from kwik.apps import AppConfig, Apps, apps
from kwik.conf import settings
from tests.support import Project

TRACED_APP = """
import events
from pydantic import model_validator

from kwik.apps import AppConfig
from kwik.conf import AppSettings


class Settings(AppSettings):
    {upper}_LIMIT: int = 1

    @model_validator(mode="after")
    def _trace(self):
        events.log.append("settings:{label}")
        return self


class Config(AppConfig):
    settings_model = Settings

    def __init__(self, module):
        super().__init__(module)
        events.log.append("config:{label}")

    def ready(self):
        events.log.append("ready:{label}")
"""


@pytest.fixture
def traced(project: Project) -> Project:
    """Apps alpha and beta that log each phase they go through into `events.log`."""
    project.write("events.py", "log = []\n")
    for label in ("alpha", "beta"):
        project.package(
            label,
            {
                "apps.py": TRACED_APP.format(label=label, upper=label.upper()),
                "models.py": f"import events\n\nevents.log.append('models:{label}')\n",
            },
        )
    return project


def events_log() -> list[str]:
    import events  # written by the `traced` fixture

    return list(events.log)


def populated(installed: list[str]) -> Apps:
    registry = Apps()
    registry.populate(installed)
    return registry


def labels(registry: Apps) -> list[str]:
    return [config.label for config in registry.get_app_configs()]


# Order and phases -----------------------------------------------------------------------------


def test_installed_apps_order_is_kept(project: Project):
    for name in ("zeta", "alpha", "mid"):
        project.package(name)

    assert labels(populated(["zeta", "alpha", "mid"])) == ["zeta", "alpha", "mid"]


def test_every_phase_finishes_for_all_apps_before_the_next_starts(traced: Project):
    populated(["beta", "alpha"])

    assert events_log() == [
        "config:beta",
        "config:alpha",
        "settings:beta",
        "settings:alpha",
        "models:beta",
        "models:alpha",
        "ready:beta",
        "ready:alpha",
    ]


def test_phases_run_the_same_way_under_setup(traced: Project):
    kwik.setup(traced.settings("INSTALLED_APPS = ['alpha', 'beta']\nBETA_LIMIT = 5\n"))

    assert events_log() == [
        "config:alpha",
        "config:beta",
        "settings:alpha",
        "settings:beta",
        "models:alpha",
        "models:beta",
        "ready:alpha",
        "ready:beta",
    ]
    assert settings.BETA_LIMIT == 5


def test_populate_twice_loads_the_apps_once(traced: Project):
    registry = populated(["alpha", "beta"])
    configs = registry.get_app_configs()

    registry.populate(["alpha", "beta"])

    assert events_log().count("ready:alpha") == 1
    assert registry.get_app_configs() == configs


def test_registry_is_ready_only_after_every_ready_hook(project: Project):
    project.package(
        "shop",
        {
            "apps.py": """
                from kwik.apps import AppConfig, apps


                class ShopConfig(AppConfig):
                    def ready(self):
                        self.seen = (apps.configs_ready, apps.models_ready, apps.ready)
                """
        },
    )
    kwik.setup(project.settings("INSTALLED_APPS = ['shop']\n"))

    assert apps.get_app_config("shop").seen == (True, True, False)
    assert apps.ready


def test_ready_hook_calling_populate_again_is_an_error(project: Project):
    project.package(
        "shop",
        {
            "apps.py": """
                from kwik.apps import AppConfig, apps


                class ShopConfig(AppConfig):
                    def ready(self):
                        apps.populate(["shop"])
                """
        },
    )

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup(project.settings("INSTALLED_APPS = ['shop']\n"))

    assert str(error.value) == (
        "Apps.populate() isn't reentrant: an app's ready() called kwik.setup(); "
        "ready() runs during setup, so it can use the registry directly"
    )


def test_app_settings_take_their_defaults_when_populated_without_settings(traced: Project):
    registry = populated(["alpha"])

    assert registry.get_app_config("alpha").settings.ALPHA_LIMIT == 1


# Lookups --------------------------------------------------------------------------------------


def test_get_app_config_finds_an_app_by_label(project: Project):
    project.package("shop")

    config = populated(["shop"]).get_app_config("shop")

    assert (type(config), config.name) == (AppConfig, "shop")


def test_get_app_config_with_a_typo_suggests_the_label(project: Project):
    project.package("catalog")
    registry = populated(["catalog"])

    with pytest.raises(LookupError) as error:
        registry.get_app_config("catalgo")

    assert str(error.value) == "No installed app with label 'catalgo'. Did you mean catalog?"


def test_get_containing_app_config_finds_the_innermost_app(project: Project):
    project.package("acme.shop")
    registry = populated(["acme", "acme.shop"])

    def label_of(module: str) -> str | None:
        config = registry.get_containing_app_config(module)
        return config.label if config else None

    assert label_of("acme.shop.models") == "shop"
    assert label_of("acme.shop") == "shop"
    assert label_of("acme.billing") == "acme"
    assert label_of("acmeish.models") is None


def test_is_installed_answers_by_package_name(project: Project):
    project.package("acme.shop")
    registry = populated(["acme.shop"])

    assert registry.is_installed("acme.shop")
    assert not registry.is_installed("shop")


def test_iterating_the_registry_gives_apps_in_order(project: Project):
    project.package("shop")
    project.package("blog")

    assert [config.label for config in populated(["shop", "blog"])] == ["shop", "blog"]


# Errors ---------------------------------------------------------------------------------------


def test_access_before_populate_says_how_to_load_the_apps():
    with pytest.raises(AppRegistryNotReady) as error:
        apps.get_app_configs()

    assert str(error.value) == (
        "Apps aren't loaded yet: call kwik.setup() first (the kwik command, manage.py, "
        "kwik.asgi.get_application() and the pytest plugin do it for you)"
    )


@pytest.mark.parametrize(
    "ask",
    [
        lambda registry: registry.get_app_config("shop"),
        lambda registry: registry.is_installed("shop"),
        lambda registry: registry.get_containing_app_config("shop.models"),
        list,
    ],
    ids=["get_app_config", "is_installed", "get_containing_app_config", "iterate"],
)
def test_every_question_before_populate_raises_not_ready(ask: Callable[[Apps], object]):
    with pytest.raises(AppRegistryNotReady, match=r"call kwik\.setup\(\) first"):
        ask(Apps())


def test_duplicate_labels_name_both_packages_and_say_to_set_label(project: Project):
    project.package("acme.shop")
    project.package("other.shop")

    with pytest.raises(ImproperlyConfigured) as error:
        populated(["acme.shop", "other.shop"])

    assert str(error.value) == (
        "App labels aren't unique: 'other.shop' and 'acme.shop' are both labelled 'shop'. "
        "Set a different `label` on one's AppConfig."
    )


def test_custom_label_resolves_a_label_clash(project: Project):
    project.package("acme.shop")
    project.package(
        "other.shop",
        {
            "apps.py": """
                from kwik.apps import AppConfig


                class OtherShopConfig(AppConfig):
                    label = "other_shop"
                """
        },
    )

    assert labels(populated(["acme.shop", "other.shop"])) == ["shop", "other_shop"]


def test_same_app_listed_twice_is_an_error(project: Project):
    project.package("shop")

    with pytest.raises(ImproperlyConfigured) as error:
        populated(["shop", "shop"])

    assert str(error.value) == (
        "App 'shop' is installed twice (as 'shop' and 'shop'); keep one entry in INSTALLED_APPS"
    )


def test_same_app_as_package_and_as_config_class_is_an_error(project: Project):
    project.package(
        "shop",
        {"apps.py": "from kwik.apps import AppConfig\n\n\nclass ShopConfig(AppConfig): ...\n"},
    )

    with pytest.raises(ImproperlyConfigured) as error:
        populated(["shop", "shop.apps.ShopConfig"])

    assert str(error.value) == (
        "App 'shop' is installed twice (as 'shop' and 'shop.apps.ShopConfig'); "
        "keep one entry in INSTALLED_APPS"
    )


def test_app_that_cannot_be_found_says_no_module_named(project: Project):
    with pytest.raises(ImproperlyConfigured) as error:
        populated(["shpo"])

    assert str(error.value) == (
        "Cannot import app 'shpo' listed in INSTALLED_APPS: No module named 'shpo'. "
        "Check the spelling, and that its folder is on the Python path."
    )


def test_app_missing_inside_an_existing_package_says_no_module_named(project: Project):
    project.package("acme")

    with pytest.raises(ImproperlyConfigured, match=r"No module named 'acme\.shop'\. Check"):
        populated(["acme.shop"])


def test_app_package_raising_import_error_shows_the_underlying_error(project: Project):
    project.package("shop", {"helpers.py": "TIMEOUT = 3\n"})
    project.write("shop/__init__.py", "from shop.helpers import RETRIES\n")

    with pytest.raises(ImproperlyConfigured) as error:
        populated(["shop"])

    message = str(error.value)
    assert message.startswith(
        "App 'shop' in INSTALLED_APPS failed to import: ImportError: "
        "cannot import name 'RETRIES' from 'shop.helpers'"
    )


def test_app_package_importing_a_missing_dependency_names_the_dependency(project: Project):
    project.package("shop")
    project.write("shop/__init__.py", "import stripe_sdk_not_installed\n")

    with pytest.raises(ImproperlyConfigured) as error:
        populated(["shop"])

    assert str(error.value) == (
        "App 'shop' in INSTALLED_APPS failed to import: ModuleNotFoundError: "
        "No module named 'stripe_sdk_not_installed'"
    )


def test_failed_populate_leaves_the_registry_empty(project: Project):
    project.package("shop")
    registry = Apps()

    with pytest.raises(ImproperlyConfigured):
        registry.populate(["shop", "missing"])

    assert not registry.configs_ready
    with pytest.raises(AppRegistryNotReady):
        registry.get_app_configs()


def test_populate_works_after_a_failed_attempt(project: Project):
    project.package("shop")
    registry = Apps()
    with pytest.raises(ImproperlyConfigured):
        registry.populate(["shop", "missing"])

    registry.populate(["shop"])

    assert labels(registry) == ["shop"]


def test_failing_ready_hook_leaves_the_registry_empty(project: Project):
    project.package(
        "shop",
        {
            "apps.py": """
                from kwik.apps import AppConfig


                class ShopConfig(AppConfig):
                    def ready(self):
                        raise ValueError("no payment provider configured")
                """
        },
    )
    registry = Apps()

    with pytest.raises(ValueError, match="no payment provider configured"):
        registry.populate(["shop"])

    assert not registry.ready
    with pytest.raises(AppRegistryNotReady):
        registry.get_app_config("shop")


def test_failed_setup_leaves_neither_settings_nor_apps_loaded(project: Project):
    with pytest.raises(ImproperlyConfigured, match="No module named 'missing'"):
        kwik.setup(project.settings("INSTALLED_APPS = ['missing']\n"))

    assert not settings.configured
    assert not apps.ready
