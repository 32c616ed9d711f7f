"""`kwik startapp NAME [DIR]`: the app's files, and adding it to the project's INSTALLED_APPS."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

APP_FILES = {
    "__init__.py",
    "admin.py",
    "apps.py",
    "commands.py",
    "models.py",
    "routes.py",
    "schemas.py",
    "tasks.py",
    "migrations/__init__.py",
    "tests/__init__.py",
    "tests/test_routes.py",
}

NOT_ADDED = "Add 'catalog' to INSTALLED_APPS in your settings to turn it on."


def files_under(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def settings_project(project, text: str) -> Path:
    """A project found through pyproject.toml whose settings module is exactly `text`."""
    project.package("proj")
    project.pyproject("proj.settings")
    path = project.root / "proj/settings.py"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# The app's files ---------------------------------------------------------------------------------


def test_renders_the_app_files(run, tmp_path):
    result = run("startapp", "catalog")

    assert result.code == 0
    assert files_under(tmp_path / "catalog") == APP_FILES


def test_apps_module_defines_a_config_named_after_the_app(run, tmp_path):
    run("startapp", "catalog")

    source = (tmp_path / "catalog/apps.py").read_text(encoding="utf-8")
    assert "class CatalogConfig(AppConfig):" in source
    assert 'verbose_name = "Catalog"' in source


def test_config_class_of_a_snake_case_name_is_camel_cased(run, tmp_path):
    run("startapp", "my_app")

    source = (tmp_path / "my_app/apps.py").read_text(encoding="utf-8")
    assert "class MyAppConfig(AppConfig):" in source
    assert 'verbose_name = "My app"' in source


def test_rendered_python_files_compile(run, tmp_path):
    run("startapp", "catalog")

    for path in (tmp_path / "catalog").rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_renders_into_a_given_folder(run, tmp_path):
    result = run("startapp", "catalog", "apps/catalog")

    assert result.code == 0
    assert files_under(tmp_path / "apps/catalog") == APP_FILES


def test_in_a_new_project_the_app_is_loaded_with_its_config(run, shop):
    run("startapp", "catalog")

    result = run("shell", "-c", "print(repr(apps.get_app_config('catalog')))")

    assert (result.code, result.out) == (0, "<CatalogConfig: catalog>\n")


# INSTALLED_APPS ----------------------------------------------------------------------------------


def test_adds_the_app_to_a_new_project_and_says_so(run, shop):
    result = run("startapp", "catalog")

    assert result.out.splitlines() == [
        f"Created app 'catalog' in {(shop / 'catalog').resolve()} (11 files).",
        f"Added 'catalog' to INSTALLED_APPS in {(shop / 'shop/settings.py').resolve()}.",
    ]
    settings = (shop / "shop/settings.py").read_text(encoding="utf-8")
    assert 'INSTALLED_APPS: list[str] = ["catalog"]\n' in settings


LAYOUTS = {
    "empty": ("INSTALLED_APPS = []\n", 'INSTALLED_APPS = ["catalog"]\n'),
    "one-line": ('INSTALLED_APPS = ["blog"]\n', 'INSTALLED_APPS = ["blog", "catalog"]\n'),
    "one-line-trailing-comma": (
        'INSTALLED_APPS = ["blog",]\n',
        'INSTALLED_APPS = ["blog", "catalog"]\n',
    ),
    "multi-line-trailing-comma": (
        'INSTALLED_APPS = [\n    "blog",\n    "news",\n]\n',
        'INSTALLED_APPS = [\n    "blog",\n    "news",\n    "catalog",\n]\n',
    ),
    "multi-line-no-trailing-comma": (
        'INSTALLED_APPS = [\n    "blog",\n    "news"\n]\n',
        'INSTALLED_APPS = [\n    "blog",\n    "news",\n    "catalog",\n]\n',
    ),
    "multi-line-empty": ("INSTALLED_APPS = [\n]\n", 'INSTALLED_APPS = [\n    "catalog",\n]\n'),
    "annotated": (
        'INSTALLED_APPS: list[str] = ["blog"]\n',
        'INSTALLED_APPS: list[str] = ["blog", "catalog"]\n',
    ),
    "comments": (
        '# Apps, in order.\nINSTALLED_APPS = [  # ours\n    "blog",  # the blog\n'
        '    # "old",\n    "news"  # last\n]  # end\nDEBUG = True  # keep\n',
        '# Apps, in order.\nINSTALLED_APPS = [  # ours\n    "blog",  # the blog\n'
        '    # "old",\n    "news",  # last\n    "catalog",\n]  # end\nDEBUG = True  # keep\n',
    ),
    "tab-indented": (
        'INSTALLED_APPS = [\n\t"blog",\n]\n',
        'INSTALLED_APPS = [\n\t"blog",\n\t"catalog",\n]\n',
    ),
    "non-ascii-before": (
        '# Café\nINSTALLED_APPS = ["blog"]\n',
        '# Café\nINSTALLED_APPS = ["blog", "catalog"]\n',
    ),
    "last-assignment-wins": (
        'INSTALLED_APPS = []\nINSTALLED_APPS = ["blog"]\n',
        'INSTALLED_APPS = []\nINSTALLED_APPS = ["blog", "catalog"]\n',
    ),
    "already-listed": ('INSTALLED_APPS = ["catalog"]\n', 'INSTALLED_APPS = ["catalog"]\n'),
}


@pytest.mark.parametrize(("before", "after"), LAYOUTS.values(), ids=LAYOUTS.keys())
def test_adds_the_app_to_a_literal_installed_apps_list(run, project, before, after):
    settings = settings_project(project, before)

    result = run("startapp", "catalog")

    assert result.code == 0
    assert settings.read_text(encoding="utf-8") == after
    assert result.out.splitlines()[-1] == (
        f"Added 'catalog' to INSTALLED_APPS in {settings.resolve()}."
    )


NOT_LITERAL = {
    "tuple": 'INSTALLED_APPS = ("blog",)\n',
    "computed": 'BASE_APPS = ["blog"]\nINSTALLED_APPS = BASE_APPS + ["news"]\n',
    "missing": "DEBUG = True\n",
    "last-is-computed": 'INSTALLED_APPS = ["blog"]\nINSTALLED_APPS = sorted(INSTALLED_APPS)\n',
}


@pytest.mark.parametrize("text", NOT_LITERAL.values(), ids=NOT_LITERAL.keys())
def test_prints_the_line_to_add_when_installed_apps_is_not_a_literal_list(run, project, text):
    settings = settings_project(project, text)

    result = run("startapp", "catalog")

    assert result.code == 0
    assert settings.read_text(encoding="utf-8") == text
    assert result.out.splitlines()[-1] == NOT_ADDED


def test_prints_the_line_to_add_outside_a_project(run, tmp_path):
    result = run("startapp", "catalog")

    assert result.code == 0
    assert result.out.splitlines()[-1] == NOT_ADDED
    assert files_under(tmp_path / "catalog") == APP_FILES


def test_prints_the_line_to_add_when_the_settings_module_is_missing(run, project):
    project.pyproject("nowhere.settings")

    result = run("startapp", "catalog")

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[-1] == NOT_ADDED


def test_an_app_in_a_subfolder_is_added_by_its_dotted_path(run, shop):
    result = run("startapp", "catalog", "apps/catalog")

    assert result.code == 0
    assert '["apps.catalog"]' in (shop / "shop/settings.py").read_text(encoding="utf-8")
    assert run("check").out == "System check identified no issues.\n"


def test_an_app_made_inside_the_project_package_is_added_by_its_dotted_path(run, shop, monkeypatch):
    monkeypatch.chdir(shop / "shop")

    result = run("startapp", "blog")

    assert result.code == 0
    assert '["shop.blog"]' in (shop / "shop/settings.py").read_text(encoding="utf-8")


def test_an_app_outside_the_project_is_not_added(run, shop, tmp_path):
    before = (shop / "shop/settings.py").read_text(encoding="utf-8")

    result = run("startapp", "catalog", str(tmp_path / "elsewhere/catalog"))

    assert result.code == 0
    assert (shop / "shop/settings.py").read_text(encoding="utf-8") == before
    assert "is outside the project folder" in result.out.splitlines()[-1]


# Names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("my-app", "'my-app' is not a valid app name: use a Python identifier, such as 'my_app'"),
        ("2app", "'2app' is not a valid app name: use a Python identifier"),
        ("import", "'import' is not a valid app name: it is a Python keyword; choose another"),
        (
            "email",
            "'email' is not a valid app name: it is the name of a Python standard library "
            "module; choose another",
        ),
        (
            "click",
            "'click' is not a valid app name: it clashes with the installed module 'click'; "
            "choose another",
        ),
    ],
    ids=["dash", "digit-first", "keyword", "stdlib", "installed"],
)
def test_refuses_a_name_that_cannot_be_a_package_and_writes_nothing(run, shop, name, message):
    before = files_under(shop)

    result = run("startapp", name)

    assert result.code == 1
    assert result.error == message
    assert files_under(shop) == before


def test_refuses_a_target_folder_that_is_not_empty(run, tmp_path):
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog/notes.txt").write_text("mine\n", encoding="utf-8")

    result = run("startapp", "catalog")

    assert result.code == 1
    target = (tmp_path / "catalog").resolve()
    assert (
        result.error == f"{target} already exists and is not empty; choose another name or folder"
    )
    assert files_under(tmp_path) == {"catalog/notes.txt"}


def test_refuses_a_target_that_is_a_file(run, tmp_path):
    (tmp_path / "catalog").write_text("mine\n", encoding="utf-8")

    result = run("startapp", "catalog")

    assert result.code == 1
    target = (tmp_path / "catalog").resolve()
    assert result.error == f"{target} is a file; choose another name or folder"


def test_renders_into_an_existing_empty_folder_named_like_the_app(run, project):
    (project.root / "catalog").mkdir()

    result = run("startapp", "catalog")

    assert result.code == 0, result.err
    assert files_under(project.root / "catalog") == APP_FILES


def test_an_app_folder_named_unlike_the_app_is_refused(run, shop):
    result = run("startapp", "store", "apps/store_v2")

    assert result.code == 1
    assert result.error == (
        f"The app's folder {shop / 'apps/store_v2'} must be named 'store': the folder name "
        "is the package name. Use a DIRECTORY ending in /store"
    )
    assert not (shop / "apps").exists()
