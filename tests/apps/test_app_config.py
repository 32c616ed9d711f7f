"""`AppConfig`: how an INSTALLED_APPS entry becomes an app, its names, and its conventional parts
(`models`, `routes`, `admin`, `tasks`, `commands`; `templates/`, `static/`, `migrations/`)."""

from __future__ import annotations

import pytest

from kwik import ImproperlyConfigured
from kwik.apps import PARTS, AppConfig, Apps, create_config
from kwik.http import Router
from tests.support import Project

TWO_CONFIGS = """
from kwik.apps import AppConfig


class ShopConfig(AppConfig):
    verbose_name = "Shop"


class ShopAdminConfig(AppConfig):
    verbose_name = "Shop admin"
    {marker}
"""


def apps_py(**attributes: object) -> str:
    """An apps.py defining one AppConfig subclass, ShopConfig, with class `attributes`."""
    body = "".join(f"    {name} = {value!r}\n" for name, value in attributes.items())
    return "from kwik.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n" + (
        body or "    pass\n"
    )


def config_for(project: Project, source: str, entry: str = "shop") -> AppConfig:
    """The config made for `entry` when package `shop` has `source` as its apps.py."""
    project.package("shop", {"apps.py": source})
    return create_config(entry)


def loaded(project: Project, name: str = "shop", files: dict[str, str] | None = None) -> AppConfig:
    """The config of package `name` (with `files`) after a full populate."""
    project.package(name, files)
    registry = Apps()
    registry.populate([name])
    return registry.get_app_configs()[0]


# Which config class ---------------------------------------------------------------------------


def test_plain_package_gets_the_default_app_config(project: Project):
    project.package("shop")

    config = create_config("shop")

    assert type(config) is AppConfig
    assert (config.name, config.label, config.path) == ("shop", "shop", project.root / "shop")


def test_app_config_subclass_in_apps_py_is_used(project: Project):
    config = config_for(project, apps_py())

    assert type(config).__name__ == "ShopConfig"
    assert config.name == "shop"


def test_app_config_imported_into_apps_py_is_not_taken_for_the_apps_own(project: Project):
    project.package(
        "base",
        {"apps.py": apps_py().replace("ShopConfig", "BaseConfig")},
    )
    config = config_for(
        project,
        "from base.apps import BaseConfig\n\nclass ShopConfig(BaseConfig):\n    pass\n",
    )

    assert type(config).__name__ == "ShopConfig"


def test_apps_py_with_only_an_imported_config_gets_the_default(project: Project):
    project.package(
        "base",
        {"apps.py": apps_py().replace("ShopConfig", "BaseConfig")},
    )

    config = config_for(project, "from base.apps import BaseConfig\n")

    assert type(config) is AppConfig
    assert config.name == "shop"


def test_several_configs_in_apps_py_without_a_default_is_an_error(project: Project):
    with pytest.raises(ImproperlyConfigured) as error:
        config_for(project, TWO_CONFIGS.format(marker=""))

    assert str(error.value) == (
        "shop.apps defines several AppConfig classes; mark one with `default = True` or list "
        "the one you want in INSTALLED_APPS"
    )


def test_several_configs_in_apps_py_use_the_one_marked_default(project: Project):
    config = config_for(project, TWO_CONFIGS.format(marker="default = True"))

    assert type(config).__name__ == "ShopAdminConfig"


def test_entry_naming_a_config_class_uses_that_class(project: Project):
    config = config_for(project, TWO_CONFIGS.format(marker=""), entry="shop.apps.ShopAdminConfig")

    assert type(config).__name__ == "ShopAdminConfig"
    assert (config.name, config.label) == ("shop", "shop")


def test_entry_naming_something_else_than_a_config_class_is_an_error(project: Project):
    with pytest.raises(ImproperlyConfigured) as error:
        config_for(project, "LIMIT = 3\n", entry="shop.apps.LIMIT")

    assert str(error.value) == (
        "INSTALLED_APPS entry 'shop.apps.LIMIT' is neither a package nor an AppConfig subclass"
    )


def test_apps_py_that_fails_to_import_shows_the_underlying_error(project: Project):
    with pytest.raises(ImproperlyConfigured) as error:
        config_for(project, "LIMIT = 1 / 0\n")

    assert str(error.value) == (
        "App 'shop': shop.apps failed to import: ZeroDivisionError: division by zero"
    )


# Names ----------------------------------------------------------------------------------------


def test_label_defaults_to_the_last_part_of_the_package_name(project: Project):
    project.package("acme.order_items")

    config = create_config("acme.order_items")

    assert (config.name, config.label) == ("acme.order_items", "order_items")


def test_custom_label_is_used(project: Project):
    config = config_for(project, apps_py(label="store"))

    assert config.label == "store"


def test_label_that_is_not_an_identifier_is_an_error(project: Project):
    with pytest.raises(ImproperlyConfigured) as error:
        config_for(
            project,
            apps_py(label="my-shop"),
        )

    assert str(error.value) == (
        "App 'shop' has label 'my-shop', which is not a Python identifier; "
        "set `label` on its AppConfig"
    )


def test_route_prefix_defaults_to_slash_label(project: Project):
    project.package("acme.shop")

    assert create_config("acme.shop").route_prefix == "/shop"


def test_route_prefix_follows_a_custom_label(project: Project):
    config = config_for(project, apps_py(label="store"))

    assert config.route_prefix == "/store"


def test_empty_route_prefix_mounts_at_the_root(project: Project):
    config = config_for(project, apps_py(route_prefix=""))

    assert config.route_prefix == ""


def test_verbose_name_defaults_to_the_label_in_words(project: Project):
    project.package("order_items")

    assert create_config("order_items").verbose_name == "Order items"


def test_custom_verbose_name_is_used(project: Project):
    config = config_for(
        project,
        apps_py(verbose_name="Web shop"),
    )

    assert config.verbose_name == "Web shop"


# Conventional parts ---------------------------------------------------------------------------


@pytest.mark.parametrize("part", PARTS)
def test_import_part_returns_the_apps_module(project: Project, part: str):
    project.package("shop", {f"{part}.py": "MARK = 'here'\n"})

    module = create_config("shop").import_part(part)

    assert module is not None
    assert (module.__name__, module.MARK) == (f"shop.{part}", "here")


@pytest.mark.parametrize("part", PARTS)
def test_import_part_returns_none_when_the_app_has_no_such_module(project: Project, part: str):
    project.package("shop")

    assert create_config("shop").import_part(part) is None


def test_import_part_imports_a_module_once(project: Project):
    project.package("shop", {"tasks.py": "import events\n\nevents.log.append('tasks')\n"})
    project.write("events.py", "log = []\n")
    config = create_config("shop")

    first, second = config.import_part("tasks"), config.import_part("tasks")

    assert first is second
    assert first.events.log == ["tasks"]


def test_error_inside_a_part_surfaces_with_the_underlying_error(project: Project):
    project.package("shop", {"admin.py": "LIMIT = 1 / 0\n"})

    with pytest.raises(ImproperlyConfigured) as error:
        create_config("shop").import_part("admin")

    assert str(error.value) == (
        "App 'shop': shop.admin failed to import: ZeroDivisionError: division by zero"
    )


def test_missing_dependency_of_a_part_is_named(project: Project):
    project.package("shop", {"tasks.py": "import celery_not_installed\n"})

    with pytest.raises(ImproperlyConfigured) as error:
        create_config("shop").import_part("tasks")

    assert str(error.value) == (
        "App 'shop': shop.tasks failed to import: ModuleNotFoundError: "
        "No module named 'celery_not_installed'"
    )


def test_models_error_stops_populate(project: Project):
    project.package("shop", {"models.py": "LIMIT = 1 / 0\n"})

    with pytest.raises(ImproperlyConfigured, match=r"shop\.models failed to import: ZeroDiv"):
        Apps().populate(["shop"])


def test_router_is_the_routes_modules_router(project: Project):
    config = loaded(
        project, files={"routes.py": "from kwik.http import Router\n\nrouter = Router()\n"}
    )

    assert isinstance(config.router, Router)
    assert config.router is config.import_part("routes").router


def test_router_is_none_without_a_routes_module(project: Project):
    assert loaded(project).router is None


@pytest.mark.parametrize(
    ("text", "found"), [("ROUTES = []\n", "NoneType"), ("router = object()\n", "object")]
)
def test_routes_module_without_a_kwik_router_is_an_error(project: Project, text: str, found: str):
    config = loaded(project, files={"routes.py": text})

    with pytest.raises(ImproperlyConfigured) as error:
        _ = config.router

    assert str(error.value) == (
        f"shop.routes must define `router = Router()` (a kwik.http.Router); found {found}"
    )


def test_commands_are_the_click_commands_defined_in_the_module(project: Project):
    project.package(
        "tools",
        {"commands.py": "import click\n\n@click.command()\ndef shared():\n    pass\n"},
    )
    config = loaded(
        project,
        files={
            "commands.py": """
                import click

                from tools.commands import shared


                @click.command()
                def restock():
                    pass


                @click.group()
                def orders():
                    pass


                def helper():
                    pass
                """
        },
    )

    assert sorted(command.name for command in config.commands) == ["orders", "restock"]


def test_commands_list_in_the_module_is_used_as_is(project: Project):
    config = loaded(
        project,
        files={
            "commands.py": """
                import click


                @click.command()
                def restock():
                    pass


                @click.command()
                def internal():
                    pass


                commands = [restock]
                """
        },
    )

    assert [command.name for command in config.commands] == ["restock"]


def test_commands_are_empty_without_a_commands_module(project: Project):
    assert loaded(project).commands == []


@pytest.mark.parametrize("folder", ["templates", "static", "migrations"])
def test_conventional_folder_is_found_when_it_exists(project: Project, folder: str):
    project.package("shop")
    (project.root / "shop" / folder).mkdir()

    config = create_config("shop")

    assert getattr(config, f"{folder}_dir") == project.root / "shop" / folder


@pytest.mark.parametrize("folder", ["templates", "static", "migrations"])
def test_conventional_folder_is_none_when_absent(project: Project, folder: str):
    project.package("shop")

    assert getattr(create_config("shop"), f"{folder}_dir") is None


def test_conventional_folder_must_be_a_folder(project: Project):
    project.package("shop", {"templates": "not a folder"})

    assert create_config("shop").templates_dir is None


def test_route_prefix_without_a_leading_slash_is_an_error(project: Project):
    with pytest.raises(ImproperlyConfigured) as error:
        config_for(project, apps_py(route_prefix="catalog"))

    assert str(error.value) == (
        "App 'shop' has route_prefix 'catalog'; it must start with '/' "
        "(or be '' to mount the app's routes at the root)"
    )


def test_an_app_that_is_a_module_not_a_package_is_an_error(project: Project):
    project.write("single.py", "")

    with pytest.raises(ImproperlyConfigured) as error:
        create_config("single")

    assert str(error.value) == (
        "App 'single' in INSTALLED_APPS is a module, not a package: make it a folder with an "
        "__init__.py"
    )


def test_subcommands_of_a_group_run_under_the_group_not_at_the_top(project: Project):
    config = loaded(
        project,
        files={
            "commands.py": """
            import click


            @click.group()
            def catalog_admin() -> None:
                pass


            @catalog_admin.command()
            def load() -> None:
                pass
            """
        },
    )

    assert [command.name for command in config.commands] == ["catalog-admin"]
