"""`call_command`: any command from Python, with keyword options, raising instead of exiting."""

from __future__ import annotations

import re

import click
import pytest

from kwik.cli import CommandError, call_command
from kwik.exceptions import ImproperlyConfigured

GREET_COMMANDS = '''
import click


@click.command()
@click.argument("who")
@click.option("--shout", is_flag=True)
@click.option("--times", type=int, default=1)
@click.option("--polite/--rude", default=True)
def greet(who: str, shout: bool, times: int, polite: bool) -> str:
    """Greet someone by name."""
    text = f"Hello, {who}!" if polite else f"Oi, {who}!"
    text = " ".join([text.upper() if shout else text] * times)
    click.echo(text)
    return text
'''


@pytest.fixture
def greeter(project):
    project.package("tools", {"commands.py": GREET_COMMANDS})
    project.settings('INSTALLED_APPS = ["tools"]\n')
    project.pyproject("proj.settings")
    return project


def test_runs_an_app_command_with_positional_arguments(greeter, capsys):
    call_command("greet", "Bob")

    assert capsys.readouterr().out == "Hello, Bob!\n"


def test_returns_what_the_command_returns(greeter):
    assert call_command("greet", "Bob") == "Hello, Bob!"


def test_a_true_flag_turns_the_option_on(greeter):
    assert call_command("greet", "Bob", shout=True) == "HELLO, BOB!"


def test_a_false_flag_leaves_the_option_off(greeter):
    assert call_command("greet", "Bob", shout=False) == "Hello, Bob!"


def test_a_false_flag_with_an_off_switch_uses_it(greeter):
    assert call_command("greet", "Bob", polite=False) == "Oi, Bob!"


def test_a_value_option_is_passed_converted_by_the_command(greeter):
    assert call_command("greet", "Bob", times=2) == "Hello, Bob! Hello, Bob!"


def test_runs_a_core_command_and_returns_its_status(project):
    project.settings()
    project.pyproject("proj.settings")

    assert call_command("check") == 0
    assert call_command("check", deploy=True) == 0
    assert call_command("check", deploy=True, fail_level="WARNING") == 1


def test_an_unknown_option_is_a_type_error_naming_the_valid_ones():
    with pytest.raises(TypeError) as error:
        call_command("check", deply=True)

    assert str(error.value) == (
        "Command 'check' has no option 'deply'; its options are ['deploy', 'fail_level']"
    )


def test_a_command_error_is_raised_not_printed(capsys):
    with pytest.raises(CommandError, match=re.escape("'my-shop' is not a valid project name")):
        call_command("startproject", "my-shop")

    assert capsys.readouterr() == ("", "")


def test_a_project_error_is_raised(project):
    project.settings("DEBGU = True\n")
    project.pyproject("proj.settings")

    with pytest.raises(ImproperlyConfigured, match="Unknown setting DEBGU"):
        call_command("check")


def test_an_unknown_command_is_a_usage_error_with_a_suggestion():
    with pytest.raises(click.UsageError, match=re.escape("Did you mean check?")):
        call_command("chek")
