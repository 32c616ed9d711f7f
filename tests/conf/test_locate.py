"""Which settings module a project uses: an explicit name (`kwik.setup("mod")`, the CLI's
`--settings`), then KWIK_SETTINGS_MODULE, then `[tool.kwik]` in the nearest pyproject.toml."""

from __future__ import annotations

import sys

import pytest

import kwik
from kwik import ImproperlyConfigured
from kwik.conf import load_settings, settings
from kwik.conf.locate import module_origin
from tests.support import Project


@pytest.fixture
def three_projects(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """One settings module per source, each naming a different module."""
    project.settings(module="explicit.settings")
    project.settings(module="from_env.settings")
    project.settings(module="from_toml.settings")
    monkeypatch.setenv("KWIK_SETTINGS_MODULE", "from_env.settings")
    project.pyproject("from_toml.settings")


def test_setup_with_a_module_name_wins_over_environment_and_pyproject(three_projects: None):
    kwik.setup("explicit.settings")

    assert settings.module == "explicit.settings"


def test_load_settings_with_a_module_name_wins_over_environment_and_pyproject(
    three_projects: None,
):
    assert load_settings("explicit.settings").module == "explicit.settings"


def test_environment_variable_wins_over_pyproject(three_projects: None):
    kwik.setup()

    assert settings.module == "from_env.settings"


def test_pyproject_names_the_module_when_nothing_else_does(project: Project):
    project.settings(module="shop.settings")
    project.pyproject("shop.settings")

    kwik.setup()

    assert settings.module == "shop.settings"


def test_pyproject_is_found_from_a_subfolder(project: Project, monkeypatch: pytest.MonkeyPatch):
    project.settings(module="shop.settings")
    project.pyproject("shop.settings")
    deep = project.root / "shop" / "api" / "v1"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)

    kwik.setup()

    assert settings.module == "shop.settings"


def test_pyproject_without_tool_kwik_is_passed_over(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.settings(module="shop.settings")
    project.pyproject("shop.settings")
    project.write("libs/vendored/pyproject.toml", '[project]\nname = "vendored"\n')
    monkeypatch.chdir(project.root / "libs" / "vendored")

    kwik.setup()

    assert settings.module == "shop.settings"


def test_nearest_pyproject_with_tool_kwik_wins_over_one_further_up(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.settings(module="outer.settings")
    project.settings(module="inner.settings")
    project.pyproject("outer.settings")
    project.pyproject("inner.settings", folder="sub")
    monkeypatch.chdir(project.root / "sub")

    kwik.setup()

    assert settings.module == "inner.settings"


def test_settings_folder_goes_on_sys_path_so_kwik_works_from_a_subfolder(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    # `shop/` is not importable from the test's folder: only the pyproject lookup can find it.
    project.write("shop/proj/__init__.py")
    project.write("shop/proj/settings.py", "DEBUG = True\n")
    project.pyproject("proj.settings", folder="shop")
    (project.root / "shop" / "docs").mkdir()
    monkeypatch.chdir(project.root / "shop" / "docs")

    kwik.setup()

    assert settings.module == "proj.settings"
    assert str(project.root / "shop") in sys.path


def test_tool_kwik_table_without_settings_is_an_error(project: Project):
    path = project.write("pyproject.toml", '[tool.kwik]\nsomething = "else"\n')

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup()

    assert str(error.value) == (
        f'{path} has a [tool.kwik] table without settings = "package.settings"; add it'
    )


def test_tool_kwik_settings_that_is_not_a_string_is_an_error(project: Project):
    path = project.write("pyproject.toml", "[tool.kwik]\nsettings = 3\n")

    with pytest.raises(ImproperlyConfigured, match="without settings =") as error:
        kwik.setup()

    assert str(path) in str(error.value)


def test_invalid_toml_is_an_error_naming_the_file_and_the_problem(project: Project):
    path = project.write("pyproject.toml", "[tool.kwik\nsettings = 'shop.settings'\n")

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup()

    assert str(error.value) == (
        f"Cannot read {path}: Expected ']' at the end of a table declaration (at line 1, column 11)"
    )


def test_unreadable_pyproject_is_an_error_naming_the_file(project: Project):
    path = project.root / "pyproject.toml"
    path.write_bytes(b'[tool.kwik]\nsettings = "caf\xe9.settings"\n')

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup()

    assert str(error.value).startswith(f"Cannot read {path}: 'utf-8' codec can't decode")


def test_nothing_naming_a_settings_module_says_every_way_to_name_one():
    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup()

    assert str(error.value) == (
        "No settings module: pass --settings, set KWIK_SETTINGS_MODULE, or add "
        '[tool.kwik] settings = "package.settings" to pyproject.toml '
        "(`kwik startproject NAME` makes a project with all of this)"
    )


def test_missing_module_named_explicitly_says_so(project: Project):
    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup("shop.settings")

    assert str(error.value) == (
        "Settings module 'shop.settings' (from --settings) cannot be found. "
        "Check the name, and run kwik from the project folder."
    )


def test_missing_module_named_by_environment_names_the_variable(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.package("shop")
    monkeypatch.setenv("KWIK_SETTINGS_MODULE", "shop.setings")

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup()

    assert str(error.value) == (
        "Settings module 'shop.setings' (from --settings or KWIK_SETTINGS_MODULE) cannot be "
        "found. Check the name, and run kwik from the project folder."
    )


def test_missing_module_named_by_pyproject_names_the_file(project: Project):
    path = project.pyproject("shop.settings")

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup()

    assert f"(from [tool.kwik] in {path}) cannot be found" in str(error.value)
    assert "Check the name" in str(error.value)


def test_settings_module_raising_import_error_shows_the_underlying_error(project: Project):
    project.package("shop", {"helpers.py": "TIMEOUT = 3\n"})
    project.settings("from shop.helpers import RETRIES\n", module="shop.settings")

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup("shop.settings")

    message = str(error.value)
    assert message.startswith("Settings module 'shop.settings' failed to import: ImportError: ")
    assert "cannot import name 'RETRIES' from 'shop.helpers'" in message


def test_settings_module_importing_a_missing_package_names_that_package(project: Project):
    # `config.settings` starts with "conf": the missing `conf` is still not the settings module.
    project.settings("import conf\n", module="config.settings")

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup("config.settings")

    assert str(error.value) == (
        "Settings module 'config.settings' failed to import: ModuleNotFoundError: "
        "No module named 'conf'"
    )


def test_settings_module_raising_any_error_shows_its_type_and_text(project: Project):
    project.settings("TIMEOUT = 1 / 0\n", module="shop.settings")

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup("shop.settings")

    assert str(error.value) == (
        "Settings module 'shop.settings' failed to import: ZeroDivisionError: division by zero"
    )


def test_setup_twice_with_the_same_module_does_nothing_the_second_time(project: Project):
    project.settings(module="shop.settings")
    kwik.setup("shop.settings")
    loaded = settings.unwrap()

    kwik.setup("shop.settings")

    assert settings.unwrap() is loaded


def test_setup_cannot_switch_to_another_settings_module(project: Project):
    project.settings(module="shop.settings")
    project.settings(module="blog.settings")
    kwik.setup("shop.settings")

    with pytest.raises(ImproperlyConfigured) as error:
        kwik.setup("blog.settings")

    assert str(error.value) == (
        "Settings are already loaded from 'shop.settings'; cannot switch to 'blog.settings' "
        "in the same process"
    )


def test_settings_load_on_first_read_without_setup(
    project: Project, monkeypatch: pytest.MonkeyPatch
):
    project.settings("STATIC_URL = '/assets/'\n", module="shop.settings")
    monkeypatch.setenv("KWIK_SETTINGS_MODULE", "shop.settings")
    assert not settings.configured

    assert settings.STATIC_URL == "/assets/"
    assert settings.configured


def test_module_origin_of_a_settings_package_is_the_folder_above_its_top_package(
    project: Project,
):
    project.package("shop.settings", {"__init__.py": "DEBUG = True\n"})

    origin = module_origin("shop.settings")

    assert origin == (project.root / "shop/settings/__init__.py", project.root)
