"""System checks: what each built-in check finds, and how findings are reported."""

from __future__ import annotations

import kwik
from kwik.checks import ERROR, WARNING, CheckMessage, Error, Warning, format_report, run_checks

ROUTES = """
from kwik.http import Router

router = Router()


@router.get("/items/{item_id}")
async def item(item_id: str) -> dict[str, str]:
    return {}
"""


def ids(found: list[CheckMessage]) -> list[str]:
    return [message.id for message in found]


def test_a_clean_project_has_no_findings(project):
    project.package("catalog", {"routes.py": ROUTES})
    project.settings('INSTALLED_APPS = ["catalog"]\n')
    kwik.setup("proj.settings")

    assert run_checks() == []


def test_an_app_part_that_fails_to_import_is_an_error_naming_the_cause(project):
    project.package("catalog", {"admin.py": "import no_such_dependency\n"})
    project.settings('INSTALLED_APPS = ["catalog"]\n')
    kwik.setup("proj.settings")

    [found] = run_checks()

    assert (found.id, found.level, found.obj) == ("kwik.E001", ERROR, "catalog")
    assert "catalog.admin failed to import" in found.msg
    assert "No module named 'no_such_dependency'" in found.msg


def test_a_routes_module_without_a_router_is_an_error(project):
    project.package("catalog", {"routes.py": "routes = []\n"})
    project.settings('INSTALLED_APPS = ["catalog"]\n')
    kwik.setup("proj.settings")

    [found] = run_checks()

    assert found.id == "kwik.E001"
    assert "catalog.routes must define `router = Router()`" in found.msg


def test_a_root_urlconf_that_does_not_import_is_an_error(project):
    project.settings('ROOT_URLCONF = "proj.nowhere"\n')
    kwik.setup("proj.settings")

    [found] = run_checks()

    assert found.id == "kwik.E002"
    assert "ROOT_URLCONF: cannot import 'proj.nowhere'" in found.msg


def test_two_routes_for_the_same_method_and_path_shape_are_an_error(project):
    project.package("catalog", {"routes.py": ROUTES})
    project.package(
        "proj",
        {
            "urls.py": """
            from kwik.http import Router

            router = Router()


            @router.get("/catalog/items/{pk}")
            async def shadow(pk: str) -> dict[str, str]:
                return {}
            """
        },
    )
    project.settings('INSTALLED_APPS = ["catalog"]\nROOT_URLCONF = "proj.urls"\n')
    kwik.setup("proj.settings")

    [found] = run_checks()

    assert found.id == "kwik.E003"
    assert found.msg.startswith("GET /catalog/items/{item_id} is routed twice")
    assert "shadow and catalog:item" in found.msg


def test_a_missing_static_folder_is_a_warning(project):
    project.settings('STATICFILES_DIRS = ["/no/such/folder"]\n')
    kwik.setup("proj.settings")

    assert ids(run_checks()) == ["kwik.W001"]


def test_deploy_checks_flag_debug_and_a_development_secret_key(project):
    project.settings('SECRET_KEY = "kwik-insecure-abc"\n', debug=True)
    kwik.setup("proj.settings")

    assert run_checks() == []
    assert ids(run_checks(deploy=True)) == ["kwik.W101", "kwik.W102"]


def test_apps_add_their_own_checks(project):
    project.package(
        "payments",
        {
            "apps.py": """
            from kwik.apps import AppConfig
            from kwik.checks import Error, Warning


            class PaymentsConfig(AppConfig):
                def check(self, *, deploy=False):
                    found = [Warning("sandbox keys", id="payments.W001")]
                    if deploy:
                        found.append(Error("no live key", id="payments.E001"))
                    return found
            """
        },
    )
    project.settings('INSTALLED_APPS = ["payments"]\n')
    kwik.setup("proj.settings")

    assert ids(run_checks()) == ["payments.W001"]
    assert "payments.E001" in ids(run_checks(deploy=True))


def test_the_report_groups_findings_by_severity_and_counts_them():
    report = format_report(
        [
            Warning("slow", id="x.W001", obj="app"),
            Error("broken", id="x.E001", hint="fix it"),
        ]
    )

    assert report.splitlines() == [
        "System check identified some issues:",
        "",
        "ERRORS:",
        "(x.E001) broken",
        "\tHINT: fix it",
        "",
        "WARNINGS:",
        "app: (x.W001) slow",
        "",
        "System check identified 2 issues.",
    ]
    assert format_report([]) == "System check identified no issues."
    assert Warning("w", id="x").level == WARNING


def test_an_app_command_named_like_a_core_command_is_an_error(project):
    project.package(
        "tools",
        {
            "commands.py": """
            import click


            @click.command()
            def check() -> None:
                pass
            """
        },
    )
    project.settings('INSTALLED_APPS = ["tools"]\n')
    kwik.setup("proj.settings")

    [found] = run_checks()

    assert found.id == "kwik.E004"
    assert "App 'tools' defines command 'check', which is a kwik core command" in found.msg


def test_middleware_and_exception_handlers_that_do_not_import_are_errors(project):
    project.settings(
        """
        MIDDLEWARE = ["proj.middleware.Nope"]
        EXCEPTION_HANDLERS = {"404": "proj.handlers.missing"}
        """
    )
    kwik.setup("proj.settings")

    found = run_checks()

    assert ids(found) == ["kwik.E005", "kwik.E005"]
    assert found[0].msg.startswith("MIDDLEWARE: cannot import 'proj.middleware'")
    assert found[1].msg.startswith("EXCEPTION_HANDLERS: cannot import 'proj.handlers'")
