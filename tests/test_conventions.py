"""The conventions people expect of a command-line tool: `-`, -V, completion, help env, JSON Schemas."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, HEADER, ROOT

EXAMPLES = ROOT / "examples"
BRANCH = EXAMPLES / "branch.toml"

# --------------------------------------------------------------------------- `-`


def test_f_dash_reads_the_programme_from_standard_input(cli):
    result = cli("list", "-f", "-", "--from", "2017-01-01", "--to", "2017-01-31", input=EXAMPLE.read_text())
    assert result.exit_code == 0, result.stderr
    assert "Is the working class movement dead?" in result.stdout


def test_f_dash_names_standard_input_in_errors(cli):
    result = cli("check", "-f", "-", input='[group]\nname = "x"\ntimezone = \n')
    assert result.exit_code == 2
    assert result.stderr.startswith("<stdin>:3:")


def test_f_dash_combines_with_other_files(cli):
    result = cli("list", "-f", "-", "-f", EXAMPLES / "network" / "barcelona.toml", "--from", "2017-01-01",
                 "--to", "2017-01-31", input=EXAMPLE.read_text())  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Is the working class movement dead?" in result.stdout and "Barcelona" in result.stdout


def test_ical_o_dash_writes_standard_output_and_no_file(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("ical", "-f", EXAMPLE, "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("BEGIN:VCALENDAR") and not (tmp_path / "-").exists()


def test_import_dash_reads_standard_input_and_o_dash_prints(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    calendar = cli("ical", "-f", EXAMPLE).stdout
    result = cli("import", "-", "-o", "-", input=calendar)
    assert result.exit_code == 0, result.stderr
    assert 'rule = "last Wednesday of every month"' in result.stdout or "last Wednesday" in result.stdout
    assert "from standard input" in result.stdout and not (tmp_path / "-").exists()
    # What it printed is a programme that loads, with the same meetings.
    again = cli("list", "-f", "-", "--from", "2017-01-01", "--to", "2017-03-31", input=result.stdout)
    assert again.stdout.count("2017") == 3


def test_import_dash_with_nothing_piped_is_a_clear_error(cli):
    result = cli("import", "-", input="")
    assert result.exit_code == 2 and "<stdin>" in result.stderr


def test_announce_o_writes_a_file_and_o_dash_prints(cli, tmp_path):
    out = tmp_path / "term.md"
    written = cli("announce", "-f", EXAMPLE, "--from", "2017-01-01", "--format", "markdown", "-o", out)
    assert written.exit_code == 0 and written.stdout.strip() == str(out)
    printed = cli("announce", "-f", EXAMPLE, "--from", "2017-01-01", "--format", "markdown", "-o", "-")
    assert printed.stdout == out.read_text(encoding="utf-8")
    again = cli("announce", "-f", EXAMPLE, "--from", "2017-01-01", "-o", out)  # text a person may have edited
    assert again.exit_code == 2 and "--force" in again.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("flyer", "2017-02-22", "--format", "html"),
        ("agenda", "2017-02-22", "--format", "markdown"),
        ("report", "2017-02-22"),
    ],
    ids=lambda a: a[0],
)
def test_every_o_dash_writes_standard_output(cli, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = cli(*args, "-f", EXAMPLE, "--today", "2017-03-01", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert "100th anniversary" in result.stdout
    assert list(tmp_path.iterdir()) == []  # no file named "-", no reports/ folder


# --------------------------------------------------------------------------- -V, help


def test_dash_capital_v_prints_the_version(cli):
    from meetctl import __version__

    for flag in ("-V", "--version"):
        result = cli(flag)
        assert result.exit_code == 0 and result.stdout == f"meetctl {__version__}\n"


def test_the_top_level_help_has_an_example(cli):
    assert re.search(r"Example:\s+meetctl ", cli("--help", env={"COLUMNS": "200"}).stdout)


def _variables_the_source_reads() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "meetctl").rglob("*.py"):
        names.update(re.findall(r"\bMEETCTL_[A-Z_]+[A-Z]\b", path.read_text(encoding="utf-8")))
    return names


def test_help_env_lists_every_variable_the_source_reads(cli):
    result = cli("help", "env")
    assert result.exit_code == 0
    listed = set(re.findall(r"^(MEETCTL_[A-Z_]+)$", result.stdout, re.M))
    assert listed == _variables_the_source_reads()
    assert all(len(line) <= 72 for line in result.stdout.splitlines())


# --------------------------------------------------------------------------- group.country without its extra


def test_country_without_the_holidays_extra_is_a_warning_with_the_pip_command(cli, monkeypatch):
    from meetctl.model import publicholidays

    publicholidays._holidays.cache_clear()
    monkeypatch.setitem(sys.modules, "holidays", None)  # `import holidays` now fails, as without the extra
    try:
        result = cli("check", "-f", EXAMPLES / "network", "--today", "2017-01-01")
    finally:
        publicholidays._holidays.cache_clear()
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "holidays" in line]
    assert len(warnings) == 3  # one per group, at its group.country
    assert all(": warning: group.country: " in w and "pip install 'meetctl[holidays]'" in w for w in warnings)
    strict = cli("check", "--strict", "-f", EXAMPLES / "network", "--today", "2017-01-01")
    assert strict.exit_code == 1


# --------------------------------------------------------------------------- completion


def _complete(shell: str, line: str, tmp_path: Path, **env: str) -> list[str]:
    """What the shell's completion script gets back at a TAB after ``line`` (the shells' own protocol)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    environment = {
        **os.environ,
        "_MEETCTL_COMPLETE": f"complete_{shell}",
        "COMP_WORDS": line,
        "COMP_CWORD": str(cword),
        "_TYPER_COMPLETE_ARGS": line,
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        "PYTHONPATH": str(ROOT / "src"),
        "MEETCTL_FILE": "",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-m", "meetctl"], env=environment, cwd=tmp_path, capture_output=True, text=True, check=True
    )
    if shell == "zsh":  # _arguments '*: :(("value":"help"\n"value":"help"))', or _files for nothing
        inner = result.stdout.strip().removeprefix("_arguments '*: :((").removesuffix("))'")
        return (
            [] if inner == "_files" else [re.match(r'"((?:[^"]|"")*)"', line).group(1) for line in inner.splitlines()]
        )
    return [line.split("\t")[0] for line in result.stdout.splitlines() if line]


def _coming(first: date, days: int, weekday: int) -> list[str]:
    """The dates of a weekday (Monday 0) from ``first``, ``days`` ahead, computed here, not by meetctl."""
    return [(first + timedelta(n)).isoformat() for n in range(days) if (first + timedelta(n)).weekday() == weekday]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_series_ids_complete_from_the_programme(shell, tmp_path):
    got = _complete(shell, f"meetctl list -f {BRANCH} --series ", tmp_path)
    assert got == ["branch", "reading", "committee"]
    assert _complete(shell, f"meetctl list -f {BRANCH} --series re", tmp_path) == ["reading"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_venue_ids_complete_from_meetctl_file(shell, tmp_path):
    assert _complete(shell, "meetctl move 2027-01-14 --venue ", tmp_path, MEETCTL_FILE=str(BRANCH)) == [
        "hall",
        "library",
    ]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_cancel_completes_the_coming_meeting_dates(shell, tmp_path, write_programme):
    programme = write_programme(
        HEADER + '\n[[series]]\nid = "reading"\ntitle = "Reading"\nrule = "every Thursday"\n'
        'start = "18:30"\nvenue = "hall"\nfrom = 2027-01-01\n'
    )
    today = date(2027, 1, 10)
    thursdays = _coming(today, 366, 3)
    got = _complete(shell, "meetctl cancel ", tmp_path, MEETCTL_FILE=str(programme), MEETCTL_TODAY=today.isoformat())
    assert got == thursdays[: len(got)] and len(got) == 40  # the first 40 of them, in order
    narrowed = _complete(shell, f"meetctl -f {programme} cancel 2027-02", tmp_path, MEETCTL_TODAY="2027-01-10")
    assert narrowed == [d for d in thursdays if d.startswith("2027-02")]


def test_record_completes_past_meetings_latest_first_and_restore_the_cancelled(tmp_path, write_programme):
    programme = write_programme(
        HEADER + '\n[[series]]\nid = "m"\ntitle = "Monthly"\nrule = "first Monday of the month"\n'
        'start = "19:00"\nvenue = "hall"\nfrom = 2027-01-01\n\n'
        '[[meetings]]\nseries = "m"\ndate = 2027-03-01\ncancelled = true\n'
    )
    env = {"MEETCTL_FILE": str(programme), "MEETCTL_TODAY": "2027-04-10"}
    assert _complete("bash", "meetctl record ", tmp_path, **env) == ["2027-04-05", "2027-02-01", "2027-01-04"]
    assert _complete("bash", "meetctl restore ", tmp_path, **env) == ["2027-03-01"]
    assert _complete("bash", "meetctl cancel --today 2027-01-01 ", tmp_path, MEETCTL_FILE=str(programme))[:2] == [
        "2027-01-04",
        "2027-02-01",
    ]


def test_completion_of_a_programme_that_does_not_load_offers_nothing_and_never_fails(tmp_path):
    broken = tmp_path / "programme.toml"
    broken.write_text("[group\n")
    assert _complete("bash", "meetctl list --series ", tmp_path) == []
    assert _complete("bash", "meetctl cancel ", tmp_path) == []


def test_command_names_still_complete(tmp_path):
    assert _complete("bash", "meetctl canc", tmp_path) == ["cancel"]


def test_completion_imports_nothing_heavy(tmp_path):
    code = (
        "import sys; from meetctl.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'rich', 'jinja2', 'icalendar', 'weasyprint', 'babel', 'holidays', 'segno', 'markdown_it',"
        " 'caldav', 'recurring_ical_events', 'meetctl.documents.flyers', 'meetctl.calendars.export'}\n"
        "print(sorted(heavy & set(sys.modules)), file=sys.stderr)\n"
    )
    env = {
        **os.environ,
        "_MEETCTL_COMPLETE": "complete_bash",
        "COMP_WORDS": f"meetctl cancel -f {BRANCH} ",
        "COMP_CWORD": "4",
        "PYTHONPATH": str(ROOT / "src"),
        "MEETCTL_TODAY": "2027-01-10",
    }
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout.split()[:1] == ["2027-01-14"]  # the reading group's next Thursday
    assert result.stderr.strip() == "[]"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_each_shells_script(shell):
    # Without detection (Typer's switch for this), --show-completion takes the shell's name.
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    result = subprocess.run([sys.executable, "-m", "meetctl", "--show-completion", shell], env=env,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"complete_{shell}" in result.stdout and "_MEETCTL_COMPLETE" in result.stdout


# --------------------------------------------------------------------------- JSON Schemas

SCHEMAS = ROOT / "docs" / "schemas"

#: A programme with a little of everything a meeting's record can hold.
EVERYTHING = (
    HEADER
    + """
[venues.online]
name = "Online"
online = "https://meet.example.org/branch"

[[series]]
id = "branch"
title = "Branch meeting"
rule = "first Tuesday of the month"
start = "19:30"
venue = "hall"
from = 2027-01-01

[[meetings]]
series = "branch"
date = 2027-02-02
cancelled = true
reason = "Snow"

[[meetings]]
series = "branch"
date = 2027-03-09
replaces = 2027-03-02
title = "AGM"
kind = "agm"
notice = "14 days"
attendance = 12

[[meetings]]
date = 2027-04-10
title = "Day school"
start = "10:00"
duration = "6h"
venue = "online"

[[meetings.sessions]]
title = "Morning"
start = "10:00"
end = "12:00"
chair = "Ann"
speakers = ["Bob"]
"""
)


def _validate(name: str, instance: object) -> None:
    import jsonschema

    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_list_json_matches_its_schema(cli, write_programme):
    programme = write_programme(EVERYTHING)
    for files in ([programme], [EXAMPLES / "conference.toml"], [BRANCH]):
        args = [a for f in files for a in ("-f", f)]
        records = json.loads(cli("list", *args, "--from", "2017-01-01", "--to", "2028-12-31", "--json").stdout)
        assert records
        _validate("list", records)
    statuses = {r["status"] for r in json.loads(cli("list", "-f", programme, "--from", "2027-01-01", "--json").stdout)}
    assert statuses == {"scheduled", "cancelled"}


def test_the_schema_refuses_what_list_json_never_writes(cli):
    import jsonschema

    records = json.loads(cli("list", "-f", EXAMPLE, "--from", "2017-01-01", "--json").stdout)
    records[0]["status"] = "postponed"
    with pytest.raises(jsonschema.ValidationError):
        _validate("list", records)


def test_next_json_matches_its_schema_and_so_does_null(cli, write_programme):
    programme = write_programme(EVERYTHING)
    _validate("next", json.loads(cli("next", "-f", programme, "--today", "2027-03-01", "--json").stdout))
    _validate("next", json.loads(cli("next", "-f", EXAMPLE, "--today", "2030-01-01", "--json").stdout))


def test_stats_json_matches_its_schema(cli, write_programme):
    records = json.loads(cli("stats", "-f", BRANCH, "--today", "2027-01-10", "--json").stdout)
    assert len(records) == 4
    _validate("stats", records)
    _validate("stats", json.loads(cli("stats", "-f", write_programme(EVERYTHING), "--json").stdout))


def test_venue_list_json_matches_its_schema(cli):
    _validate("venue-list", json.loads(cli("venue", "list", "-f", BRANCH, "--json").stdout))
    _validate("venue-list", json.loads(cli("venue", "list", "-f", EXAMPLES / "network", "--json").stdout))


def test_the_docs_name_every_key_of_list_json():
    schema = json.loads((SCHEMAS / "list.schema.json").read_text(encoding="utf-8"))
    keys = schema["$defs"]["meeting"]["properties"]
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert [k for k in keys if f"`{k}`" not in text] == []


# --------------------------------------------------------------------------- the man page


def test_the_man_page_is_what_the_commands_say():
    from meetctl.cli.manpage import man_page

    shipped = (ROOT / "docs" / "meetctl.1").read_text(encoding="utf-8")
    assert shipped == man_page(), "docs/meetctl.1 is out of date: python -m meetctl.cli.manpage > docs/meetctl.1"


def test_the_man_page_has_every_command_and_variable():
    from meetctl.cli.reading import ENVIRONMENT
    from tests.test_docs import _command_paths

    text = (ROOT / "docs" / "meetctl.1").read_text(encoding="utf-8")
    sections = re.findall(r"^\.SS meetctl (.+)$", text, re.M)
    assert sorted(s.replace("\\-", "-") for s in sections) == _command_paths()
    assert all(f".B {name}\n" in text for name in ENVIRONMENT)


@pytest.mark.skipif(not shutil.which("man"), reason="man is not installed")
def test_man_reads_the_man_page_without_complaint():
    result = subprocess.run(
        ["man", "--warnings", "-l", str(ROOT / "docs" / "meetctl.1")],
        capture_output=True, text=True, env={**os.environ, "MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat"},
    )  # fmt: skip
    assert result.returncode == 0 and result.stderr == ""
    assert "meetctl cancel [OPTIONS] DATE" in result.stdout and "MEETCTL_TODAY" in result.stdout


# --------------------------------------------------------------------------- compiled catalogues


def test_the_compiled_catalogues_are_what_their_po_files_say():
    from meetctl.documents.catalogues import LOCALES, compiled

    catalogues = sorted(LOCALES.glob("*.po"))
    assert catalogues and sorted(LOCALES.glob("*.mo")) == [po.with_suffix(".mo") for po in catalogues]
    for po in catalogues:
        assert po.with_suffix(".mo").read_bytes() == compiled(po), (
            f"{po.name}: the .mo is out of date: python -m meetctl.documents.catalogues"
        )


@pytest.mark.parametrize("language", ["ca", "cy", "fr"])
def test_the_mo_files_say_what_babel_reads_in_the_po_files(language):
    import gettext

    from babel.messages.pofile import read_po

    from meetctl.documents.catalogues import LOCALES

    with (LOCALES / f"{language}.po").open("rb") as f:
        catalog = read_po(f)
    with (LOCALES / f"{language}.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    translated = [m for m in catalog if m.id and m.string]
    assert len(translated) > 50
    assert [(m.id, compiled.gettext(m.id)) for m in translated] == [(m.id, m.string) for m in translated]


def test_translated_words_need_no_babel():
    code = (
        "import sys; sys.modules['babel'] = None\n"
        "from meetctl.documents.environment import translations\n"
        "print(translations('fr_FR').gettext('CANCELLED')); print(translations('cy_GB').gettext('Cancelled'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    from babel.messages.pofile import read_po

    from meetctl.documents.catalogues import LOCALES

    def said(language: str, word: str) -> str:
        with (LOCALES / f"{language}.po").open("rb") as f:
            return read_po(f)[word].string

    assert result.stdout.splitlines() == [said("fr", "CANCELLED"), said("cy", "Cancelled")]


def test_the_po_reader_refuses_what_it_cannot_compile():
    from meetctl.documents.catalogues import read_po

    assert read_po('msgid ""\nmsgstr "Language: fr\\n"\n\nmsgid "A"\n"B"\nmsgstr "C"\n') == {
        "": "Language: fr\n",
        "AB": "C",
    }
    with pytest.raises(ValueError, match="msgid_plural"):
        read_po('msgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\n')


# --------------------------------------------------------------------------- progress bars

#: What rich draws a bar with (the heavy horizontal line) and the spinner's first frame.
BAR = "\u2501"


def _on_a_terminal(args: list[str], cwd: Path, stdout_too: bool = True) -> tuple[int, str, str]:
    """Run meetctl with stderr (and stdout, unless ``stdout_too`` is False: a pipe) on a pseudo-terminal."""
    import pty

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TERM": "xterm", "COLUMNS": "100", "MEETCTL_FILE": ""}
    env.pop("NO_COLOR", None)
    master, slave = pty.openpty()
    piped = subprocess.PIPE if not stdout_too else slave
    process = subprocess.Popen([sys.executable, "-m", "meetctl", *args], stdin=slave, stdout=piped, stderr=slave,
                               cwd=cwd, env=env, close_fds=True)  # fmt: skip
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end is closed: the program has finished
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    piped_out = process.stdout.read().decode() if process.stdout else ""
    return process.wait(), seen.decode("utf-8", "replace"), piped_out


def _in_a_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TERM": "xterm", "MEETCTL_FILE": ""}
    return subprocess.run([sys.executable, "-m", "meetctl", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)  # fmt: skip


LONG_WORK = {
    "site": ["-f", str(BRANCH), "site", "-o", "out", "--today", "2027-01-10", "--flyers", "0"],
    "import": ["import", str(EXAMPLES / "old-calendar.ics"), "-o", "out.toml"],
    "expand": ["-f", str(BRANCH), "ical", "--expand", "--today", "2027-01-10", "-o", "out.ics"],
}


@pytest.mark.parametrize("work", sorted(LONG_WORK))
def test_long_work_shows_a_bar_on_a_terminal(work, tmp_path):
    status, screen, _ = _on_a_terminal(LONG_WORK[work], tmp_path)
    assert status == 0, screen
    assert BAR in screen
    assert list(tmp_path.iterdir())  # and did its work


@pytest.mark.parametrize("work", sorted(LONG_WORK))
def test_long_work_is_silent_in_a_pipe_and_under_cron(work, tmp_path):
    result = _in_a_pipe(LONG_WORK[work], tmp_path)  # cron: no terminal anywhere
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and BAR not in result.stdout


def test_no_bar_when_stdout_is_a_pipe_even_with_stderr_on_a_terminal(tmp_path):
    status, screen, out = _on_a_terminal(LONG_WORK["site"], tmp_path, stdout_too=False)
    assert status == 0 and BAR not in screen and "pages" in out


def test_the_import_bar_names_its_phases(tmp_path):
    from meetctl.calendars.importer import IMPORT_STEPS

    status, screen, _ = _on_a_terminal(LONG_WORK["import"], tmp_path)
    assert status == 0 and all(step in screen for step in IMPORT_STEPS)


def test_a_short_expansion_to_the_screen_draws_no_bar(tmp_path):
    # The calendar itself goes to the terminal: a bar would be drawn into it.
    status, screen, _ = _on_a_terminal(["-f", str(BRANCH), "ical", "--expand", "--today", "2027-01-10"], tmp_path)
    assert status == 0 and BAR not in screen and "BEGIN:VCALENDAR" in screen


def test_an_edit_of_standard_input_is_refused_with_the_reason(cli):
    result = cli("cancel", "2017-01-25", "-f", "-", input=EXAMPLE.read_text())
    assert result.exit_code == 2
    assert result.stderr == "-: error: an edit changes the programme file in place: give its path, not -\n"
