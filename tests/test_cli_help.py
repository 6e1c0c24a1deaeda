"""What the command line says about itself: usage lines, option help, and its messages for bad values."""

from __future__ import annotations

import re

import pytest

from meetctl.cli import app
from tests.conftest import EXAMPLE

EDIT_COMMANDS = [("add",), ("cancel",), ("restore",), ("move",), ("record",), ("venue", "add"), ("series", "add")]


def _commands(group=None, prefix=()):
    """Every command path of the app: ("list",), ("venue", "add"), ..."""
    import typer.main

    group = group or typer.main.get_command(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name)


ALL = sorted(_commands())


@pytest.mark.parametrize("command", ALL, ids=" ".join)
def test_help_has_an_example_and_no_braces(cli, command):
    result = cli(*command, "--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    usage = next(line for line in result.stdout.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage
    assert "[]" not in result.stdout  # rich markup swallowed a [table] name


def test_today_names_its_environment_variable_once(cli):
    text = cli("list", "--help", env={"COLUMNS": "200"}).stdout
    assert len(re.findall(r"MEETCTL_TODAY", text)) == 1


@pytest.mark.parametrize("command", EDIT_COMMANDS, ids=" ".join)
def test_edit_commands_do_not_call_file_repeatable(cli, command):
    text = cli(*command, "--help", env={"COLUMNS": "200"}).stdout
    line = next(line for line in text.splitlines() if "--file" in line)
    assert "repeatable" not in line and "programme file to change" in line


def test_attendance_that_is_not_a_number(cli, tmp_path):
    path = tmp_path / "programme.toml"
    path.write_bytes(EXAMPLE.read_bytes())
    result = cli("record", "-f", path, "2017-01-25", "--attendance", "lots", "--today", "2017-02-01")
    assert result.exit_code == 2
    assert result.stderr == "meetctl: error: --attendance: 'lots' is not a number of people (e.g. --attendance 14)\n"
    assert path.read_bytes() == EXAMPLE.read_bytes()


def test_a_bad_meetctl_today_is_named_as_the_environment_variable(cli):
    bad = cli("list", "-f", EXAMPLE, env={"MEETCTL_TODAY": "2017-02-30"})
    assert (bad.exit_code, bad.stderr) == (2, "meetctl: error: $MEETCTL_TODAY: invalid date '2017-02-30' (expected YYYY-MM-DD)\n")
    typed = cli("list", "-f", EXAMPLE, "--today", "2017-02-30")
    assert typed.stderr == "meetctl: error: --today: invalid date '2017-02-30' (expected YYYY-MM-DD)\n"


def test_today_typed_before_the_command_beats_the_environment(cli):
    import json

    result = cli("--today", "2017-02-01", "next", "-f", EXAMPLE, "--json", env={"MEETCTL_TODAY": "2017-01-01"})
    assert json.loads(result.stdout)["date"] == "2017-02-22"
