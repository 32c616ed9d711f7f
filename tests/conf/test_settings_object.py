"""The settings object: read-only values by attribute, and where each came from."""

from __future__ import annotations

import pytest

import kwik
from kwik.conf import settings
from tests.support import Project


@pytest.fixture
def loaded(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KWIK_DATABASE_URL", "postgresql+asyncpg://db/shop")
    kwik.setup(project.settings("STATIC_URL = '/assets/'\n"))


def test_assigning_a_setting_is_refused_pointing_to_override_settings(loaded: None):
    with pytest.raises(AttributeError) as error:
        settings.DEBUG = False

    assert str(error.value) == (
        "Settings are read-only at run time; to change DEBUG in a test use "
        "kwik.testing.override_settings or the `settings` pytest fixture"
    )
    assert settings.DEBUG is True


def test_unknown_attribute_raises_attribute_error_with_a_suggestion(loaded: None):
    with pytest.raises(AttributeError) as error:
        _ = settings.STATIC_ULR

    assert str(error.value) == "Setting STATIC_ULR does not exist. Did you mean STATIC_URL?"


def test_unknown_attribute_without_a_close_name_just_says_it_does_not_exist(loaded: None):
    assert not hasattr(settings, "FROBNICATE")

    with pytest.raises(AttributeError, match=r"^Setting FROBNICATE does not exist\.$"):
        _ = settings.FROBNICATE


def test_source_names_the_default_the_module_or_the_variable(loaded: None):
    assert settings.source("DEBUG") == "proj.settings"
    assert settings.source("DATABASE_URL") == "environment variable KWIK_DATABASE_URL"
    assert settings.source("MIDDLEWARE") == "default"


def test_source_of_an_unknown_name_suggests_the_known_one(loaded: None):
    with pytest.raises(AttributeError, match=r"Did you mean DATABASE_URL\?$"):
        settings.source("DATABASE_ULR")


def test_default_is_the_value_when_nothing_sets_it(loaded: None):
    assert settings.STATIC_URL == "/assets/"
    assert settings.default("STATIC_URL") == "/static/"
    assert settings.default("INSTALLED_APPS") == []


def test_names_lists_every_core_setting_sorted(loaded: None):
    names = settings.names()

    assert names == sorted(names)
    assert {"BASE_DIR", "DATABASE_URL", "DEBUG", "INSTALLED_APPS", "SECRET_KEY"} <= set(names)


def test_as_dict_has_every_setting_with_its_value(loaded: None):
    values = settings.as_dict()

    assert list(values) == settings.names()
    assert values["STATIC_URL"] == "/assets/"
    assert values["DATABASE_URL"] == "postgresql+asyncpg://db/shop"


def test_module_names_the_settings_module(loaded: None):
    assert settings.module == "proj.settings"


def test_reading_an_app_setting_before_setup_says_setup_has_not_run(project):
    project.settings()
    project.pyproject("proj.settings")

    with pytest.raises(AttributeError) as error:
        settings.SHOP_PAGE_SIZE  # noqa: B018

    assert str(error.value) == (
        "Setting SHOP_PAGE_SIZE does not exist. "
        "(Installed apps' settings exist once kwik.setup() has run.)"
    )
