"""The `kwik` runner itself: help by app, unknown commands, app commands, global options."""

from __future__ import annotations

import platform

import pytest

import kwik
from kwik.conf import ENVIRONMENT_VARIABLE

CORE_COMMANDS = {
    "check",
    "diffsettings",
    "routes",
    "runserver",
    "shell",
    "startapp",
    "startproject",
    "version",
}

TOOLS_COMMANDS = '''
import click


@click.command()
@click.argument("who")
@click.option("--shout", is_flag=True, help="Greet loudly.")
def greet(who: str, shout: bool) -> str:
    """Greet someone by name."""
    text = f"Hello, {who}!"
    click.echo(text.upper() if shout else text)
    return text


@click.command()
@click.argument("code", type=int)
def status(code: int) -> int:
    """Exit with CODE."""
    return code
'''

CHECK_COMMAND = '''
import click


@click.command()
def check() -> None:
    """Shadows kwik's own check."""
'''

GREET_COMMAND = '''
import click


@click.command()
def greet() -> None:
    """Another greet."""
'''


def command_sections(help_text: str) -> dict[str, list[str]]:
    """`{"Commands [kwik]": ["check", ...], ...}` from `kwik --help` output."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in help_text.splitlines():
        if not line.startswith(" "):
            is_commands = line.startswith("Commands [")
            current = sections.setdefault(line.rstrip(":"), []) if is_commands else None
        elif current is not None and not line.startswith("   "):
            current.append(line.split()[0])
    return sections


def flat(text: str) -> str:
    """Help text with its line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def tools(project):
    """A project (found through pyproject.toml) with one app, `tools`, that adds commands."""
    project.package("tools", {"commands.py": TOOLS_COMMANDS})
    project.settings('INSTALLED_APPS = ["tools"]\n')
    project.pyproject("proj.settings")
    return project


@pytest.fixture
def broken(project):
    """A project whose settings module has a typo kwik refuses."""
    project.settings("DEBGU = True\n")
    project.pyproject("proj.settings")
    return project


# Help --------------------------------------------------------------------------------------------


def test_help_lists_core_commands_under_kwik(run):
    result = run("--help")

    assert result.code == 0
    sections = command_sections(result.out)
    assert list(sections) == ["Commands [kwik]"]
    assert set(sections["Commands [kwik]"]) >= CORE_COMMANDS


def test_help_lists_each_app_commands_under_its_label(run, tools):
    result = run("--help")

    assert result.code == 0
    sections = command_sections(result.out)
    assert list(sections) == ["Commands [kwik]", "Commands [tools]"]
    assert sections["Commands [tools]"] == ["greet", "status"]
    assert "greet   Greet someone by name." in result.out


def test_help_with_a_broken_project_lists_core_commands_and_names_the_error(run, broken):
    result = run("--help")

    assert result.code == 0
    assert list(command_sections(result.out)) == ["Commands [kwik]"]
    assert set(command_sections(result.out)["Commands [kwik]"]) >= CORE_COMMANDS
    assert (
        "Note: Only kwik's own commands are listed: the project did not load "
        "(Unknown setting DEBGU (from proj.settings). Did you mean DEBUG?)"
    ) in flat(result.out)


def test_short_help_option_is_help(run):
    assert run("-h").out == run("--help").out


# Unknown commands --------------------------------------------------------------------------------


def test_unknown_command_suggests_the_closest_core_command(run):
    result = run("chek")

    assert result.code == 2
    assert result.usage_error == "No such command 'chek'. Did you mean check?"


def test_unknown_command_suggests_the_closest_app_command(run, tools):
    result = run("gret", "Bob")

    assert result.code == 2
    assert result.usage_error == "No such command 'gret'. Did you mean greet?"


def test_unknown_command_with_nothing_close_has_no_suggestion(run):
    result = run("frobnicate")

    assert result.code == 2
    assert result.usage_error == "No such command 'frobnicate'."


# App commands ------------------------------------------------------------------------------------


def test_app_command_runs_with_its_arguments_and_options(run, tools):
    result = run("greet", "Bob", "--shout")

    assert (result.code, result.out, result.err) == (0, "HELLO, BOB!\n", "")


def test_app_command_returning_an_int_sets_the_exit_status(run, tools):
    assert run("status", "3").code == 3


def test_app_command_is_not_found_when_the_project_is_broken_but_the_project_error_is_shown(
    run, broken
):
    result = run("greet", "Bob")

    assert result.code == 1
    assert result.error == "Unknown setting DEBGU (from proj.settings). Did you mean DEBUG?"


def test_core_commands_run_when_the_project_is_broken(run, broken):
    assert run("version").code == 0


def test_app_command_named_like_a_core_command_is_an_error(run, tools):
    tools.package("clash", {"commands.py": CHECK_COMMAND})
    tools.settings('INSTALLED_APPS = ["tools", "clash"]\n')

    result = run("greet", "Bob")

    assert result.code == 1
    assert result.error == (
        "App 'clash' defines command 'check', which is a kwik core command; rename it"
    )


def test_help_names_a_command_clash_in_its_note(run, tools):
    tools.package("clash", {"commands.py": CHECK_COMMAND})
    tools.settings('INSTALLED_APPS = ["tools", "clash"]\n')

    result = run("--help")

    assert result.code == 0
    assert "App 'clash' defines command 'check', which is a kwik core command" in flat(result.out)


def test_two_apps_defining_the_same_command_is_an_error(run, tools):
    tools.package("more", {"commands.py": GREET_COMMAND})
    tools.settings('INSTALLED_APPS = ["tools", "more"]\n')

    result = run("greet", "Bob")

    assert result.code == 1
    assert (
        result.error == "Command 'greet' is defined by both app 'tools' and app 'more'; rename one"
    )


# Global options ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--settings", "proj.settings", "check"],
        ["check", "--settings", "proj.settings"],
        ["--settings=proj.settings", "check"],
        ["check", "--settings=proj.settings"],
        ["check", "--deploy", "--settings", "proj.settings", "--fail-level", "ERROR"],
    ],
    ids=["before", "after", "before=", "after=", "between-options"],
)
def test_settings_option_is_honoured_anywhere_on_the_command_line(run, project, args):
    project.settings()  # reachable through --settings only: no pyproject.toml, no variable

    result = run(*args)

    assert result.code == 0, result.err
    assert result.out.startswith("System check identified")


def test_without_any_settings_a_project_command_says_how_to_name_them(run):
    result = run("check")

    assert result.code == 1
    assert result.error.startswith(
        "No settings module: pass --settings, set KWIK_SETTINGS_MODULE, or add [tool.kwik]"
    )


def test_a_settings_module_that_cannot_be_found_is_a_one_line_error(run):
    result = run("check", "--settings", "nowhere.settings")

    assert result.code == 1
    assert result.error.startswith("Settings module 'nowhere.settings' (from --settings")
    assert "(from --settings or KWIK_SETTINGS_MODULE) cannot be found." in result.error


def test_settings_option_wins_over_the_environment_variable(run, project, monkeypatch):
    project.settings()
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "nowhere.settings")

    assert run("check", "--settings", "proj.settings").code == 0


def test_settings_option_without_a_module_is_a_usage_error(run):
    result = run("check", "--settings")

    assert result.code == 2
    assert result.error == "--settings needs a module name, e.g. --settings shop.settings"


def test_errors_are_one_line_without_traceback(run, broken):
    result = run("check")

    assert result.code == 1
    assert result.error == "Unknown setting DEBGU (from proj.settings). Did you mean DEBUG?"


@pytest.mark.parametrize(
    "args", [["check", "--traceback"], ["--traceback", "check"]], ids=["after", "before"]
)
def test_traceback_option_shows_the_traceback_then_the_error(run, broken, args):
    result = run(*args)

    assert result.code == 1
    assert result.err.startswith("Traceback (most recent call last):")
    assert "kwik.exceptions.ImproperlyConfigured" in result.err
    assert result.err.splitlines()[-1] == (
        "Error: Unknown setting DEBGU (from proj.settings). Did you mean DEBUG?"
    )


# Version -----------------------------------------------------------------------------------------


def test_version_command_prints_kwik_and_python_versions(run):
    result = run("version")

    assert result.code == 0
    assert result.out == f"kwik {kwik.__version__} (Python {platform.python_version()})\n"


def test_version_option_prints_the_version(run):
    result = run("--version")

    assert result.code == 0
    assert result.out == f"kwik {kwik.__version__}\n"
