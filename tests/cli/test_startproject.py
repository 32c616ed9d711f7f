"""`kwik startproject NAME [DIR]`: what a new project contains, and which names are refused."""

from __future__ import annotations

import ast
import os
import runpy
import tomllib
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from kwik.conf import INSECURE_KEY_PREFIX

PROJECT_FILES = {
    ".gitignore",
    "README.md",
    "manage.py",
    "pyproject.toml",
    "shop/__init__.py",
    "shop/asgi.py",
    "shop/settings.py",
    "shop/urls.py",
    "tests/__init__.py",
    "tests/test_home.py",
}


def files_under(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def assignments(path: Path) -> dict[str, object]:
    """The module's top-level `NAME = <literal>` assignments (others are left out)."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    try:
                        found[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        continue
    return found


def test_renders_the_project_files(run, tmp_path):
    result = run("startproject", "shop")

    assert result.code == 0
    assert files_under(tmp_path / "shop") == PROJECT_FILES
    assert not any(name.endswith("-tpl") for name in files_under(tmp_path / "shop"))


def test_says_what_it_made_and_what_to_do_next(run):
    result = run("startproject", "shop")

    assert result.out.splitlines()[:2] == [
        "Created project 'shop' in shop (10 files). Next:",
        "  cd shop",
    ]
    assert "kwik runserver" in result.out
    assert result.err == ""


def test_pyproject_names_the_settings_module_for_kwik(run, tmp_path):
    run("startproject", "shop")

    config = tomllib.loads((tmp_path / "shop/pyproject.toml").read_text(encoding="utf-8"))
    assert config["project"]["name"] == "shop"
    assert config["tool"]["kwik"] == {"settings": "shop.settings"}


def test_settings_are_for_development_on_sqlite(run, tmp_path):
    run("startproject", "shop")

    values = assignments(tmp_path / "shop/shop/settings.py")
    evaluated = runpy.run_path(str(tmp_path / "shop/shop/settings.py"))
    assert values["DEBUG"] is True
    assert evaluated["DATABASE_URL"] == f"sqlite+aiosqlite:///{tmp_path / 'shop/db.sqlite3'}"
    assert values["INSTALLED_APPS"] == []
    assert values["ROOT_URLCONF"] == "shop.urls"
    assert values["ASGI_APPLICATION"] == "shop.asgi:app"


def test_settings_have_a_generated_development_secret_key(run, tmp_path):
    run("startproject", "shop")
    run("startproject", "blog")

    shop_key = assignments(tmp_path / "shop/shop/settings.py")["SECRET_KEY"]
    blog_key = assignments(tmp_path / "blog/blog/settings.py")["SECRET_KEY"]
    assert isinstance(shop_key, str)
    assert shop_key.startswith(INSECURE_KEY_PREFIX)
    assert len(shop_key) >= len(INSECURE_KEY_PREFIX) + 50
    assert shop_key != blog_key


def test_asgi_module_builds_the_application_from_any_folder(run, tmp_path, monkeypatch):
    run("startproject", "shop")

    monkeypatch.syspath_prepend(str(tmp_path / "shop"))
    monkeypatch.chdir("/")  # asgi.py names its settings module: no pyproject.toml needed

    from shop.asgi import app

    assert isinstance(app, Starlette)
    assert TestClient(app).get("/").json() == {"project": "shop", "message": "Kwik is running."}


def test_manage_py_is_an_executable_script_for_this_project(run, tmp_path):
    run("startproject", "shop")

    manage = tmp_path / "shop/manage.py"
    assert os.access(manage, os.X_OK)
    assert manage.read_text(encoding="utf-8").startswith("#!/usr/bin/env python\n")
    assert '"KWIK_SETTINGS_MODULE", "shop.settings"' in manage.read_text(encoding="utf-8")


def test_rendered_python_files_compile(run, tmp_path):
    run("startproject", "shop")

    for path in (tmp_path / "shop").rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_renders_into_a_given_folder(run, tmp_path):
    result = run("startproject", "shop", "site")

    assert result.code == 0
    assert files_under(tmp_path / "site") == PROJECT_FILES
    assert not (tmp_path / "shop").exists()


def test_renders_into_an_existing_empty_folder(run, tmp_path):
    (tmp_path / "site").mkdir()

    result = run("startproject", "shop", "site")

    assert result.code == 0
    assert files_under(tmp_path / "site") == PROJECT_FILES


def test_renders_into_the_current_folder_when_it_is_empty(run, tmp_path):
    result = run("startproject", "shop", ".")

    assert result.code == 0
    assert files_under(tmp_path) == PROJECT_FILES


def test_an_existing_empty_folder_named_like_the_project_is_not_a_module_clash(run, project):
    # With the working directory importable (`python -m kwik`, manage.py), an empty ./shop
    # imports as a namespace package named shop: that is the target, not a clash.
    (project.root / "shop").mkdir()

    result = run("startproject", "shop")

    assert result.code == 0, result.err
    assert files_under(project.root / "shop") == PROJECT_FILES


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "my-shop",
            "'my-shop' is not a valid project name: use a Python identifier, such as 'my_shop'",
        ),
        (
            "my shop",
            "'my shop' is not a valid project name: use a Python identifier, such as 'my_shop'",
        ),
        ("2shop", "'2shop' is not a valid project name: use a Python identifier"),
        ("class", "'class' is not a valid project name: it is a Python keyword; choose another"),
        (
            "email",
            "'email' is not a valid project name: it is the name of a Python standard library "
            "module; choose another",
        ),
        (
            "click",
            "'click' is not a valid project name: it clashes with the installed module 'click'; "
            "choose another",
        ),
    ],
    ids=["dash", "space", "digit-first", "keyword", "stdlib", "installed"],
)
def test_refuses_a_name_that_cannot_be_a_package_and_writes_nothing(run, tmp_path, name, message):
    result = run("startproject", name)

    assert result.code == 1
    assert result.error == message
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_target_folder_that_is_not_empty(run, tmp_path):
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop/notes.txt").write_text("mine\n", encoding="utf-8")

    result = run("startproject", "shop")

    assert result.code == 1
    target = (tmp_path / "shop").resolve()
    assert (
        result.error == f"{target} already exists and is not empty; choose another name or folder"
    )
    assert files_under(tmp_path) == {"shop/notes.txt"}


def test_refuses_a_target_that_is_a_file(run, tmp_path):
    (tmp_path / "shop").write_text("mine\n", encoding="utf-8")

    result = run("startproject", "shop")

    assert result.code == 1
    target = (tmp_path / "shop").resolve()
    assert result.error == f"{target} is a file; choose another name or folder"
    assert files_under(tmp_path) == {"shop"}
