"""`check`, `list` and `next` as a secretary, a cron job and a script use them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from meetctl.cli import app
from meetctl.cli.options import NO_PROGRAMME
from tests.conftest import EXAMPLE, MONTHLY, ROOT


def test_list_the_example_as_plain_text(cli):
    result = cli("list", "-f", EXAMPLE, "--from", "2017-01-01")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Wed 25 Jan 2017  19:00-21:00  Is the working class movement dead?")
    assert "Regent Sports & Social Club" in lines[0]
    assert lines[2].startswith("Wed 29 Mar 2017  19:00-21:00  How could a libertarian communist")


def test_list_json_has_the_contracted_keys(cli):
    result = cli("list", "-f", EXAMPLE, "--from", "2017-01-01", "--json")
    items = json.loads(result.stdout)
    assert [i["date"] for i in items] == ["2017-01-25", "2017-02-22", "2017-03-29"]
    first = items[0]
    assert {
        "date", "start", "end", "title", "series", "venue", "address", "status",
        "description", "lead", "uid", "recurrence_id", "group",
    } <= set(first)  # fmt: skip
    assert first["start"] == "2017-01-25T19:00:00+00:00"
    assert items[2]["start"] == "2017-03-29T19:00:00+01:00"  # after the clocks went forward
    assert first["series"] == "discussion"
    assert first["venue"] == "Regent Sports & Social Club"
    assert first["address"] == "102 Regent Road, Leicester LE1 7DA"
    assert first["status"] == "scheduled"
    assert first["recurrence_id"] == "2017-01-25T19:00:00+00:00"
    assert items[1]["lead"] == "A left communist friend of the group"
    assert len({i["uid"] for i in items}) == 1


def test_from_and_to_are_inclusive(cli):
    result = cli("list", "-f", EXAMPLE, "--from", "2017-01-25", "--to", "2017-02-22", "--json")
    assert [i["date"] for i in json.loads(result.stdout)] == ["2017-01-25", "2017-02-22"]


def test_limit(cli):
    result = cli("list", "-f", EXAMPLE, "--from", "2017-01-01", "--limit", "1", "--json")
    assert len(json.loads(result.stdout)) == 1


def test_default_window_is_a_year_from_today(cli, write_programme):
    path = write_programme(MONTHLY, header=True)
    result = cli("list", "-f", path, "--today", "2017-03-30", "--json")
    dates = [i["date"] for i in json.loads(result.stdout)]
    assert dates[0] == "2017-04-26" and dates[-1] == "2018-03-28" and len(dates) == 12


def test_cancelled_meetings_are_listed_as_cancelled(cli, write_programme):
    path = write_programme(
        MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-02-22\ncancelled = true\nreason = "Snow"\n',
        header=True,
    )
    result = cli("list", "-f", path, "--from", "2017-02-01", "--to", "2017-02-28")
    assert "CANCELLED: Discussion (Snow)" in result.stdout
    items = json.loads(cli("list", "-f", path, "--from", "2017-02-01", "--to", "2017-02-28", "--json").stdout)
    assert items[0]["status"] == "cancelled"


def test_environment_variables(cli):
    env = {"MEETCTL_FILE": str(EXAMPLE), "MEETCTL_TODAY": "2017-02-01"}
    result = cli("next", "--json", env=env)
    assert json.loads(result.stdout)["date"] == "2017-02-22"


def test_programme_toml_in_the_current_folder_is_the_default(cli, tmp_path, monkeypatch):
    (tmp_path / "programme.toml").write_text(EXAMPLE.read_text())
    monkeypatch.chdir(tmp_path)
    result = cli("next", "--today", "2017-03-01", "--json")
    assert json.loads(result.stdout)["date"] == "2017-03-29"


def test_next_in_words(cli):
    result = cli("next", "-f", EXAMPLE, "--today", "2017-02-01")
    assert result.stdout.splitlines()[:3] == [
        "Wednesday 22 February 2017, 7pm to 9pm (Europe/London)",
        "100th anniversary of the Russian revolution",
        "Regent Sports & Social Club, 102 Regent Road, Leicester LE1 7DA",
    ]


def test_next_when_nothing_is_planned(cli):
    assert cli("next", "-f", EXAMPLE, "--today", "2018-01-01", "--json").stdout == "null\n"
    assert cli("next", "-f", EXAMPLE, "--today", "2018-01-01").stdout == "No meetings to come.\n"


def test_check_summary_and_warnings(cli, write_programme):
    result = cli("check", "-f", EXAMPLE, "--today", "2017-01-01")
    assert result.exit_code == 0
    assert result.stdout == (
        f"{EXAMPLE}: ok: Leicester Anarchist Federation: 1 series, 0 one-off meetings, 1 venue; "
        "next: Wednesday 25 January 2017 at 7pm, Is the working class movement dead?\n"
    )
    assert result.stderr == ""
    late = cli("check", "-f", EXAMPLE, "--today", "2018-01-01", "--strict")
    assert late.exit_code == 1
    assert "warning: series 'discussion' ended on 2017-03-31 (until has passed)" in late.stderr
    assert cli("check", "-f", EXAMPLE, "--today", "2018-01-01").exit_code == 0


def test_check_warns_of_overlapping_meetings(cli, write_programme):
    path = write_programme(
        MONTHLY + '\n[[meetings]]\ndate = 2017-01-25\ntitle = "Film night"\nstart = "20:00"\n', header=True
    )
    result = cli("check", "-f", path, "--today", "2017-01-01", "--strict")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"{path}:21:1: warning: 2017-01-25 20:00-22:00 'Film night' overlaps 'Discussion'")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--from", "2017-13-01"], "meetctl: error: --from: invalid date '2017-13-01' (expected YYYY-MM-DD)\n"),
        (["list", "--from", "2017-02-01", "--to", "2017-01-01"], "meetctl: error: --to 2017-01-01 is before --from 2017-02-01\n"),
        (["next", "--today", "yesterday"], "meetctl: error: --today: invalid date 'yesterday' (expected YYYY-MM-DD)\n"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(cli, args, message):
    result = cli(*args, "-f", EXAMPLE)
    assert result.exit_code == 2
    assert result.stderr == message


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["list", "--limit", "zero"], "meetctl list: error: Invalid value for '--limit': 'zero' is not a valid int range."),
        (["lsit"], "meetctl: error: No such command 'lsit'. Did you mean 'site', 'list'?"),  # click's difflib order
        (["--bogus"], "meetctl: error: No such option: --bogus"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(cli, args, line):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{line} (see {line.split(':')[0]} --help)"]


def test_every_command_has_help_with_an_example(cli):
    from typer.main import get_command

    def commands(group, prefix=()):
        for name in group.list_commands(None):  # type: ignore[arg-type]
            command = group.get_command(None, name)  # type: ignore[arg-type]
            yield (*prefix, name)
            if hasattr(command, "list_commands"):
                yield from commands(command, (*prefix, name))

    for path in commands(get_command(app)):
        result = cli(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example" in result.stdout, f"`meetctl {' '.join(path)} --help` shows no example"


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meetctl", *args],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1", **env}, cwd=ROOT,
    )  # fmt: skip


def test_a_real_process_lists_json_and_reports_errors():
    result = _run("list", "-f", "examples/programme.toml", "--from", "2017-01-01", "--json")
    assert result.returncode == 0
    assert [i["title"][:10] for i in json.loads(result.stdout)] == ["Is the wor", "100th anni", "How could "]
    bad = _run("check", "-f", "no/such/programme.toml")
    assert (bad.returncode, bad.stderr) == (2, f"no/such/programme.toml: error: {NO_PROGRAMME}\n")


def test_the_installed_console_script_runs(tmp_path):
    script = os.path.join(os.path.dirname(sys.executable), "meetctl")
    result = subprocess.run([script, "next", "-f", str(EXAMPLE), "--today", "2017-03-01"], capture_output=True, text=True)
    assert result.returncode == 0 and "How could a libertarian communist society" in result.stdout


def test_piped_output_is_plain_text_without_colour_codes():
    result = _run("list", "-f", "examples/programme.toml", "--from", "2017-01-01")
    assert "\x1b[" not in result.stdout and result.stdout.count("\n") == 3


def test_importing_the_cli_loads_no_heavy_modules():
    code = (
        "import sys, meetctl.cli; "
        "heavy = ['icalendar', 'jinja2', 'weasyprint', 'caldav', 'rich', 'tomlkit', 'recurring_ical_events']; "
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_next_loads_no_heavy_modules():
    code = (
        "import sys\nfrom meetctl.cli import app\n"
        f"try:\n    app(['next', '-f', {str(EXAMPLE)!r}, '--today', '2017-01-01'])\nexcept SystemExit:\n    pass\n"
        "heavy = ['icalendar', 'jinja2', 'weasyprint', 'caldav', 'rich', 'tomlkit']\n"
        "print('loaded:', ','.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.strip() == "loaded:"


def test_the_console_script_keeps_the_collector_on_while_the_command_runs():
    # Start-up runs with the garbage collector off (see meetctl/__main__.py); a long
    # `publish` or a big `list` must still run with it on, and the exit status must pass through.
    code = (
        "import gc, sys\nimport meetctl.cli, meetctl.__main__ as entry\n"
        "def command():\n"
        "    print('enabled' if gc.isenabled() else 'disabled', gc.get_freeze_count() > 0)\n"
        "    sys.exit(3)\n"
        "meetctl.cli.main = command\n"
        "try:\n    entry.main()\nexcept SystemExit as exc:\n    print('status', exc.code)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["enabled", "True", "status", "3"]


def test_no_traceback_for_a_broken_pipe():
    proc = subprocess.Popen(
        f"{sys.executable} -m meetctl list -f examples/programme.toml --from 2000-01-01 --to 2030-01-01 | head -1",
        shell=True, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, err = proc.communicate()
    assert "Traceback" not in err


def test_check_lists_twenty_overlaps_then_counts_the_rest(cli, write_programme):
    # Eight one-offs at the same hour on the same evening: 8 * 7 / 2 = 28 overlapping pairs.
    meetings = "".join(f'\n[[meetings]]\ndate = 2017-05-01\ntitle = "Stall {i}"\nstart = "18:00"\n' for i in range(8))
    path = write_programme(meetings, header=True)
    result = cli("check", "-f", path, "--today", "2017-01-01")
    lines = result.stderr.splitlines()
    assert len(lines) == 21
    assert lines[-1] == "meetctl: warning: ... and 8 more overlapping meetings (2017-05-01 to 2017-05-01)"


def test_a_bug_is_one_line_not_a_traceback(cli, monkeypatch):
    import meetctl.model.schedule

    def broken(*args, **kwargs):
        raise RuntimeError("something impossible happened")

    monkeypatch.setattr(meetctl.model.schedule, "stream_occurrences", broken)
    result = cli("list", "-f", EXAMPLE)
    assert result.exit_code == 70
    assert result.stderr == (
        "meetctl: internal error: RuntimeError: something impossible happened "
        "(please report it; MEETCTL_DEBUG=1 shows the traceback)\n"
    )


def test_file_and_today_may_come_before_the_command(cli):
    result = cli("-f", EXAMPLE, "--today", "2017-02-01", "next", "--json")
    assert json.loads(result.stdout)["date"] == "2017-02-22"
    # The command's own option wins.
    result = cli("-f", EXAMPLE, "--today", "2017-02-01", "next", "--today", "2017-03-01", "--json")
    assert json.loads(result.stdout)["date"] == "2017-03-29"


def test_the_readme_command_runs_in_a_real_process():
    result = _run("-f", "examples/programme.toml", "list", "--from", "2017-01-01")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 3


def test_only_the_command_being_run_is_built():
    from meetctl.cli import app_for

    lean = app_for(["-f", "x.toml", "--today", "2017-01-01", "next", "--json"])
    assert [c.callback.__name__ for c in lean.registered_commands] == ["next_"]
    assert app_for(["--help"]) is app and app_for(["lsit"]) is app


def test_each_command_is_in_the_family_the_start_up_table_names():
    # meetctl.cli.main imports only the family COMMANDS names: a command in another would not be found.
    from meetctl.cli.base import COMMANDS, command_name

    def families(name):
        return {f"meetctl.cli.{family}" for family in COMMANDS[name]}

    names = [command_name(info) for info in app.registered_commands] + [g.name for g in app.registered_groups]
    assert names == list(COMMANDS)  # and `meetctl --help` lists them in its order
    for info in app.registered_commands:
        assert info.callback.__module__ in families(command_name(info))
    for group in app.registered_groups:
        assert {c.callback.__module__ for c in group.typer_instance.registered_commands} == families(group.name)


def test_cron_imports_the_remind_command_alone():
    code = (
        "import sys\n"
        f"sys.argv = ['meetctl', 'remind', '-f', {str(EXAMPLE)!r}, '--today', '2017-02-16']\n"
        "from meetctl.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('meetctl.cli'))))\n"
        "from meetctl.cli import app\n"  # the full app is still there to be had, by its name
        "print(type(app).__name__, len(app.registered_commands))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lean, full = result.stdout.splitlines()
    assert lean == "meetctl.cli meetctl.cli.base meetctl.cli.mail meetctl.cli.options"
    assert full == "App 21"


def test_a_moved_meeting_says_so_in_the_listing(cli, write_programme):
    path = write_programme(MONTHLY + '\n[[meetings]]\nseries = "discussion"\ndate = 2017-03-01\nreplaces = 2017-02-22\n', header=True)
    result = cli("list", "-f", path, "--from", "2017-02-01", "--to", "2017-03-05")
    assert result.stdout.splitlines()[0].startswith("Wed  1 Mar 2017  19:00-21:00  Discussion (moved from Wed 22 Feb)")
