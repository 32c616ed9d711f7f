"""Setting values: kwik's defaults, under the settings module, under `KWIK_<NAME>` variables.

Every wrong value stops start-up with one message naming the setting, where its value came from
and what is expected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kwik
from kwik import ImproperlyConfigured
from kwik.conf import Settings, load_settings, settings
from tests.support import Project

STRONG_KEY = "t7Qk2vXz9Lw4Rp8Ns1Jd6Hf3Bg5Mc0Ya-Ue_Io7Pq2Wr4Ty9Kx"


def load(project: Project, text: str = "", *, debug: bool = True) -> Settings:
    return load_settings(project.settings(text, debug=debug))


def failure(project: Project, text: str = "", *, debug: bool = True) -> str:
    """The message `kwik.setup()` stops with for this settings module."""
    module = project.settings(text, debug=debug)
    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup(module)
    return str(error.value)


# Layers ---------------------------------------------------------------------------------------


def test_default_applies_when_the_module_leaves_a_setting_out(project: Project):
    loaded = load(project)

    assert loaded.DATABASE_URL == "sqlite+aiosqlite:///db.sqlite3"
    assert loaded.source("DATABASE_URL") == "default"


def test_module_value_overrides_the_default(project: Project):
    loaded = load(project, "STATIC_URL = '/assets/'\n")

    assert loaded.STATIC_URL == "/assets/"
    assert loaded.source("STATIC_URL") == "proj.settings"


def test_env_variable_overrides_module_value(project: Project, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KWIK_STATIC_URL", "/files/")

    loaded = load(project, "STATIC_URL = '/assets/'\n")

    assert loaded.STATIC_URL == "/files/"
    assert loaded.source("STATIC_URL") == "environment variable KWIK_STATIC_URL"


def test_env_variable_overrides_the_default(project: Project, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KWIK_DATABASE_URL", "postgresql+asyncpg://db/shop")

    assert load(project).DATABASE_URL == "postgresql+asyncpg://db/shop"


def test_env_variable_for_a_list_setting_is_json(project: Project, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KWIK_INSTALLED_APPS", '["shop", "blog.apps.BlogConfig"]')

    assert load(project).INSTALLED_APPS == ["shop", "blog.apps.BlogConfig"]


def test_env_variable_for_a_dict_setting_is_json(project: Project, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KWIK_EXCEPTION_HANDLERS", '{"KeyError": "shop.errors.missing"}')

    assert load(project).EXCEPTION_HANDLERS == {"KeyError": "shop.errors.missing"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("1", True), ("yes", True), ("false", False), ("0", False), ("off", False)],
)
def test_env_variable_for_a_bool_is_plain_text(
    project: Project, monkeypatch: pytest.MonkeyPatch, text: str, expected: bool
):
    monkeypatch.setenv("KWIK_DEBUG", text)
    monkeypatch.setenv("KWIK_SECRET_KEY", STRONG_KEY)

    assert load(project).DEBUG is expected


def test_env_variable_for_a_path_is_plain_text(project: Project, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KWIK_BASE_DIR", "/srv/shop")

    base_dir = load(project).BASE_DIR

    assert base_dir == Path("/srv/shop")


def test_env_variable_for_a_string_is_taken_as_is(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KWIK_SECRET_KEY", '["not", "json"]')

    assert load(project).SECRET_KEY == '["not", "json"]'


@pytest.mark.parametrize(
    ("name", "shape", "example"),
    [
        ("INSTALLED_APPS", "list[str]", '["a", "b"]'),
        ("EXCEPTION_HANDLERS", "dict[str, str]", '{"key": "value"}'),
    ],
)
def test_bad_json_in_env_variable_names_the_variable_and_the_expected_shape(
    project: Project, monkeypatch: pytest.MonkeyPatch, name: str, shape: str, example: str
):
    monkeypatch.setenv(f"KWIK_{name}", "shop, blog")

    assert failure(project) == (
        f"Setting {name} from environment variable KWIK_{name} must be JSON for a {shape}, "
        f"e.g. KWIK_{name}='{example}' (Expecting value: line 1 column 1 (char 0))"
    )


def test_json_of_the_wrong_shape_in_env_variable_names_the_variable(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KWIK_INSTALLED_APPS", '{"shop": true}')

    assert failure(project) == (
        "Invalid setting INSTALLED_APPS = {'shop': True} "
        "(from environment variable KWIK_INSTALLED_APPS): Input should be a valid list; "
        "expected list[str]"
    )


# Names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"), [("DEBGU", "DEBUG"), ("INSTALED_APPS", "INSTALLED_APPS")]
)
def test_unknown_setting_suggests_the_closest_known_name(project: Project, typo: str, meant: str):
    assert failure(project, f"{typo} = []\n") == (
        f"Unknown setting {typo} (from proj.settings). Did you mean {meant}?"
    )


def test_unknown_setting_with_no_close_match_says_how_to_declare_it(project: Project):
    assert failure(project, "FROBNICATE = 3\n") == (
        "Unknown setting FROBNICATE (from proj.settings). No installed app declares it: declare "
        "your own settings on an app's settings_model, or rename it in lower case if it is only "
        "a helper."
    )


def test_every_unknown_setting_is_reported_at_once(project: Project):
    message = failure(project, "DEBGU = True\nSTATIC_ULR = '/s/'\n")

    assert message.splitlines() == [
        "Unknown setting DEBGU (from proj.settings). Did you mean DEBUG?",
        "Unknown setting STATIC_ULR (from proj.settings). Did you mean STATIC_URL?",
    ]


def test_lower_case_and_private_names_in_the_module_are_ignored(project: Project):
    module = project.settings(
        """
        import os
        from pathlib import Path

        root = Path(os.getcwd())
        _PRIVATE_TOKEN = "x"
        _helper = 1
        STATIC_URL = "/assets/"
        """
    )

    kwik.setup(module)

    assert settings.STATIC_URL == "/assets/"
    assert "root" not in settings.names()
    assert "_PRIVATE_TOKEN" not in settings.names()


# Types ----------------------------------------------------------------------------------------


def test_wrong_type_in_module_names_the_setting_and_the_module(project: Project):
    assert failure(project, "DEBUG = 'maybe'\n") == (
        "Invalid setting DEBUG = 'maybe' (from proj.settings): Input should be a valid boolean, "
        "unable to interpret input; expected bool"
    )


def test_wrong_type_in_env_variable_names_the_setting_and_the_variable(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KWIK_DEBUG", "maybe")

    assert failure(project) == (
        "Invalid setting DEBUG = 'maybe' (from environment variable KWIK_DEBUG): Input should be "
        "a valid boolean, unable to interpret input; expected bool"
    )


def test_wrong_item_type_in_a_list_names_the_item(project: Project):
    assert failure(project, "MIDDLEWARE = ['shop.middleware.Timing', 3]\n") == (
        "Invalid setting MIDDLEWARE[1] = ['shop.middleware.Timing', 3] (from proj.settings): "
        "Input should be a valid string; expected list[str]"
    )


def test_every_wrong_setting_is_reported_at_once(project: Project):
    message = failure(project, "STATIC_URL = 'static'\nDATABASE_URL = 'db.sqlite3'\n")

    assert [line.split(" = ")[0] for line in message.splitlines()] == [
        "Invalid setting DATABASE_URL",
        "Invalid setting STATIC_URL",
    ]


# Rules on particular settings -----------------------------------------------------------------


def test_secret_key_missing_while_debug_is_off_says_how_to_make_one(project: Project):
    assert failure(project, debug=False) == (
        "Invalid settings: SECRET_KEY is missing while DEBUG is off (from proj.settings): set "
        "KWIK_SECRET_KEY in the environment to a random value, e.g. the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`"
    )


def test_secret_key_too_short_while_debug_is_off_is_refused(project: Project):
    message = failure(project, "SECRET_KEY = 'abc123'\n", debug=False)

    assert message.startswith(
        "Invalid settings: SECRET_KEY (from proj.settings) is too weak (6 characters, 6 distinct; "
        "at least 50 characters with 5 distinct are required) while DEBUG is off "
        "(from proj.settings): set KWIK_SECRET_KEY in the environment to a random value"
    )


def test_secret_key_with_too_few_distinct_characters_is_refused(project: Project):
    message = failure(project, "SECRET_KEY = 'abab' * 20\n", debug=False)

    assert "SECRET_KEY (from proj.settings) is too weak (80 characters, 2 distinct;" in message


def test_development_secret_key_while_debug_is_off_is_refused(project: Project):
    key = "kwik-insecure-" + STRONG_KEY

    message = failure(project, f"SECRET_KEY = {key!r}\n", debug=False)

    assert message.startswith(
        "Invalid settings: SECRET_KEY (from proj.settings) starts with 'kwik-insecure-' "
        "(a development key made by startproject) while DEBUG is off (from proj.settings): "
        "set KWIK_SECRET_KEY"
    )


def test_weak_secret_key_from_env_names_the_variable(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KWIK_SECRET_KEY", "short")
    monkeypatch.setenv("KWIK_DEBUG", "false")

    message = failure(project)

    assert (
        "SECRET_KEY (from environment variable KWIK_SECRET_KEY) is too weak (5 characters, "
        "5 distinct;" in message
    )
    assert "while DEBUG is off (from environment variable KWIK_DEBUG)" in message


def test_secret_key_error_does_not_show_the_key(project: Project):
    key = "kwik-insecure-" + STRONG_KEY

    message = failure(project, f"SECRET_KEY = {key!r}\n", debug=False)

    assert STRONG_KEY not in message


@pytest.mark.parametrize(
    "key", ["", "abc123", "abab" * 20, "kwik-insecure-" + STRONG_KEY], ids=repr
)
def test_any_secret_key_is_accepted_while_debug_is_on(project: Project, key: str):
    loaded = load(project, f"SECRET_KEY = {key!r}\n", debug=True)

    assert loaded.DEBUG
    assert key == loaded.SECRET_KEY


def test_strong_secret_key_is_accepted_while_debug_is_off(project: Project):
    loaded = load(project, f"SECRET_KEY = {STRONG_KEY!r}\n", debug=False)

    assert loaded.DEBUG is False
    assert loaded.SECRET_KEY == STRONG_KEY


def test_installed_app_listed_twice_is_refused(project: Project):
    assert failure(project, "INSTALLED_APPS = ['shop', 'blog', 'shop']\n") == (
        "Invalid setting INSTALLED_APPS = ['shop', 'blog', 'shop'] (from proj.settings): "
        "'shop' is listed twice; remove one of them; expected list[str]"
    )


@pytest.mark.parametrize("entry", ["my-shop", "shop/apps", "shop.", "3shop"])
def test_installed_app_that_is_not_a_dotted_path_is_refused(project: Project, entry: str):
    assert failure(project, f"INSTALLED_APPS = [{entry!r}]\n") == (
        f"Invalid setting INSTALLED_APPS = [{entry!r}] (from proj.settings): "
        f"{entry!r} is not a dotted Python path like 'package.module'; expected list[str]"
    )


@pytest.mark.parametrize("url", ["static", "/static", "static/"])
def test_static_url_without_both_slashes_is_refused(project: Project, url: str):
    assert failure(project, f"STATIC_URL = {url!r}\n") == (
        f"Invalid setting STATIC_URL = {url!r} (from proj.settings): "
        f"{url!r} must start and end with '/', like '/static/'; expected str"
    )


def test_database_url_that_is_not_a_url_is_refused(project: Project):
    assert failure(project, "DATABASE_URL = 'db.sqlite3'\n") == (
        "Invalid setting DATABASE_URL = 'db.sqlite3' (from proj.settings): 'db.sqlite3' is not "
        "a URL like 'sqlite+aiosqlite:///db.sqlite3'; expected str"
    )


def test_root_urlconf_is_a_module_path_not_an_object_path(project: Project):
    message = failure(project, "ROOT_URLCONF = 'shop.urls:router'\n")

    assert message == (
        "Invalid setting ROOT_URLCONF = 'shop.urls:router' (from proj.settings): "
        "'shop.urls:router' is not a module path like 'shop.urls' (the module defines `router`); "
        "expected str | None"
    )


def test_asgi_application_needs_a_module_and_an_attribute(project: Project):
    message = failure(project, "ASGI_APPLICATION = 'shop.asgi.app'\n")

    assert message == (
        "Invalid setting ASGI_APPLICATION = 'shop.asgi.app' (from proj.settings): "
        "'shop.asgi.app' is not a 'module:attribute' path like 'shop.asgi:app'; "
        "expected str | None"
    )
