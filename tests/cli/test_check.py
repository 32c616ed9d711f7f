"""`kwik check`: the report, its exit status, and the production checks of `--deploy`."""

from __future__ import annotations

import pytest

STRONG_KEY = "pP4n0t-a-real-key_but-long-and-varied-enough-for-the-check-42"

TWICE_ROUTED = """
from kwik.http import Router

router = Router()


@router.get("/")
async def first() -> dict[str, str]:
    return {}


@router.get("/")
async def second() -> dict[str, str]:
    return {}
"""


def test_a_new_project_has_no_issues(run, shop):
    result = run("check")

    assert (result.code, result.out, result.err) == (0, "System check identified no issues.\n", "")


def test_a_new_project_with_a_new_app_has_no_issues(run, shop):
    run("startapp", "catalog")

    result = run("check")

    assert (result.code, result.out) == (0, "System check identified no issues.\n")


def test_two_routes_on_the_same_method_and_path_fail_with_the_report(run, project):
    project.package("proj", {"urls.py": TWICE_ROUTED})
    project.settings('ROOT_URLCONF = "proj.urls"\n')
    project.pyproject("proj.settings")

    result = run("check")

    assert result.code == 1
    assert result.out == ""
    assert result.err.splitlines() == [
        "System check identified some issues:",
        "",
        "ERRORS:",
        "project: (kwik.E003) GET / is routed twice: to first and second; the second is never "
        "reached",
        "\tHINT: Change one path, or the app's route_prefix",
        "",
        "System check identified 1 issue.",
    ]


def test_an_app_routes_module_without_a_router_fails(run, project):
    project.package("catalog", {"routes.py": "routes = []\n"})
    project.settings('INSTALLED_APPS = ["catalog"]\n')
    project.pyproject("proj.settings")

    result = run("check")

    assert result.code == 1
    assert "catalog: (kwik.E001) catalog.routes must define `router = Router()`" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ('DEBUG = "maybe"', "Invalid setting DEBUG = 'maybe' (from proj.settings)"),
        ("DEBGU = True", "Unknown setting DEBGU (from proj.settings). Did you mean DEBUG?"),
    ],
    ids=["wrong-type", "unknown-name"],
)
def test_a_bad_setting_is_one_line_naming_it(run, project, line, named):
    project.settings(line + "\n")
    project.pyproject("proj.settings")

    result = run("check")

    assert result.code == 1
    assert result.error.startswith(named)


def test_deploy_warns_about_debug_and_the_development_key_but_passes(run, shop):
    result = run("check", "--deploy")

    assert result.code == 0
    assert "settings: (kwik.W101) DEBUG is on" in result.out
    assert "settings: (kwik.W102) SECRET_KEY starts with 'kwik-insecure-'" in result.out
    assert result.out.rstrip().endswith("System check identified 2 issues.")


def test_deploy_warns_about_a_weak_secret_key(run, project):
    project.settings('SECRET_KEY = "short"\n')
    project.pyproject("proj.settings")

    result = run("check", "--deploy")

    assert result.code == 0
    assert "(kwik.W102) SECRET_KEY is too weak (5 characters" in result.out


@pytest.mark.parametrize("level", ["WARNING", "warning"])
def test_deploy_warnings_fail_at_fail_level_warning(run, shop, level):
    result = run("check", "--deploy", "--fail-level", level)

    assert result.code == 1
    assert result.out == ""
    assert "(kwik.W101)" in result.err
    assert "(kwik.W102)" in result.err


def test_deploy_passes_a_production_ready_project(run, project):
    project.settings(f'SECRET_KEY = "{STRONG_KEY}"\n', debug=False)
    project.pyproject("proj.settings")

    result = run("check", "--deploy", "--fail-level", "WARNING")

    assert (result.code, result.out) == (0, "System check identified no issues.\n")


def test_deploy_checks_are_off_without_deploy(run, shop):
    assert run("check", "--fail-level", "WARNING").code == 0


def test_an_unknown_fail_level_is_a_usage_error(run, shop):
    result = run("check", "--fail-level", "LOUD")

    assert result.code == 2
    assert "Invalid value for '--fail-level'" in result.usage_error
