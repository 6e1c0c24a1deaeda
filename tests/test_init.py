"""`meetctl init`: a new, commented programme that passes `check`, from flags or questions."""

from __future__ import annotations

import calendar
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meetctl.editing import init
from meetctl.model.loading import load_programme, parse_programme

MEETCTL = str(Path(sys.executable).parent / "meetctl")


def last_wednesday(year: int, month: int) -> date:
    """Worked out with the calendar module, not by meetctl."""
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == 2]
    return days[-1]


FLAGS = (
    "--name", "Leicester Anarchist Federation", "--timezone", "Europe/London",
    "--venue-name", "Regent Sports & Social Club", "--address", "102 Regent Road, Leicester LE1 7DA",
    "--rule", "last Wednesday of the month", "--start", "7pm", "--title", "Discussion meeting",
    "--email", "secretary@example.org",
)  # fmt: skip


def test_init_from_flags_writes_a_commented_programme_that_passes_check(cli, tmp_path):
    path = tmp_path / "programme.toml"
    result = cli("init", path, *FLAGS, "--today", "2017-01-10")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"wrote {path}\n"
        f"{path}: ok: Leicester Anarchist Federation: 1 series, 0 one-off meetings, 1 venue; "
        f"next: Wednesday 25 January 2017 at 7pm, Discussion meeting\n"
        "next: edit it by hand, or give a meeting its topic with "
        "`meetctl add --series regular --date YYYY-MM-DD --title ...`\n"
    )
    assert last_wednesday(2017, 1) == date(2017, 1, 25)
    text = path.read_text(encoding="utf-8")
    for line in (
        'name = "Leicester Anarchist Federation"', 'timezone = "Europe/London"',
        "[venues.regent]", 'name = "Regent Sports & Social Club"',
        'address = "102 Regent Road, Leicester LE1 7DA"', 'rule = "last Wednesday of the month"',
        'start = "19:00"', 'duration = "2h"', 'venue = "regent"', "from = 2017-01-10",
    ):  # fmt: skip
        assert line in text.splitlines() or any(x.startswith(line + " ") for x in text.splitlines()), line
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert len(comments) >= 20  # a file that explains itself to the next secretary
    check = cli("check", "-f", path, "--strict", "--today", "2017-01-10")
    assert check.exit_code == 0 and check.stderr == ""
    # The commented example meeting is on a real date of the series: uncommented, it is valid.
    example = "\n".join(
        line[2:] for line in text.splitlines()[text.splitlines().index("# [[meetings]]"):] if line.startswith("# ")
    )
    load_programme_text = text + "\n" + example + "\n"
    path.write_text(load_programme_text, encoding="utf-8")
    assert load_programme(path).meetings[0].date == last_wednesday(2017, 1)


def test_the_smallest_init_has_everything_else_as_comments(cli, tmp_path):
    path = tmp_path / "programme.toml"
    result = cli("init", path, "--name", "Reading group", "--timezone", "Europe/Paris")
    assert result.exit_code == 0, result.stderr
    programme = load_programme(path)
    assert (programme.group.name, programme.group.timezone) == ("Reading group", "Europe/Paris")
    assert programme.series == () and programme.venues == {}
    text = path.read_text(encoding="utf-8")
    assert "# [[series]]" in text and "# [venues.hall]" in text


def test_init_refuses_to_overwrite_without_force(cli, tmp_path):
    path = tmp_path / "programme.toml"
    path.write_text("# my precious programme\n", encoding="utf-8")
    result = cli("init", path, "--name", "X")
    assert result.exit_code == 2
    assert result.stderr == f"{path}: error: already exists; meetctl init replaces it only with --force\n"
    assert path.read_text(encoding="utf-8") == "# my precious programme\n"
    forced = cli("init", path, "--name", "X", "--force")
    assert forced.exit_code == 0 and load_programme(path).group.name == "X"


def test_bad_flags_are_all_reported_and_nothing_is_written(cli, tmp_path):
    path = tmp_path / "programme.toml"
    result = cli("init", path, "--name", "X", "--timezone", "Europe/Lodnon", "--rule", "last Wendesday",
                 "--start", "25:00")  # fmt: skip
    assert result.exit_code == 2
    # One located line per problem; an unknown rule's accepted forms follow on indented lines.
    lines = [line for line in result.stderr.splitlines() if not line.startswith("    ")]
    assert lines[0] == "meetctl: error: init: --timezone: unknown time zone 'Europe/Lodnon' (did you mean 'Europe/London'?)"
    assert lines[1].startswith("meetctl: error: init: --rule: unknown recurrence phrase 'last Wendesday'")
    assert lines[2] == "meetctl: error: init: --start: invalid time '25:00' (hours 00-23, minutes 00-59)"
    assert len(lines) == 3 and not path.exists()


def test_without_a_terminal_the_name_is_required(cli, tmp_path):
    result = cli("init", tmp_path / "p.toml")
    assert result.exit_code == 2
    assert result.stderr == (
        "meetctl: error: init: --name is required (the group's name), or run on a terminal to be asked\n"
    )


def test_on_a_terminal_it_asks_and_asks_again_after_a_bad_answer(cli, tmp_path):
    path = tmp_path / "programme.toml"
    answers = "\n".join([
        "Leicester AF",                  # group name
        "Mars/Olympus",                  # a bad time zone: asked again
        "Europe/London",
        "secretary at example",          # not an address: asked again
        "sec@example.org",               # the secretary's email
        "members@lists.example.org",     # the mailing list
        "Regent Club",                   # venue
        "102 Regent Road",               # address
        "last Wendesday of the month",   # a typo: asked again
        "last Wednesday of the month",
        "",                              # start: the default, 19:00
        "Discussion",                    # title
    ]) + "\n"  # fmt: skip
    result = cli("init", path, "--interactive", "--today", "2017-01-10", input=answers)
    assert result.exit_code == 0, result.stderr
    assert "unknown time zone 'Mars/Olympus'" in result.stdout
    assert "unknown recurrence phrase" in result.stdout
    programme = load_programme(path)
    assert programme.group.timezone == "Europe/London"
    assert "'secretary at example' is not an email address" in result.stdout
    assert (programme.group.email, programme.group.mailing_list) == ("sec@example.org", "members@lists.example.org")
    assert programme.venues["regent"].address == "102 Regent Road"
    (series,) = programme.series
    assert (series.title, f"{series.start:%H:%M}", series.venue) == ("Discussion", "19:00", "regent")


def test_on_a_terminal_empty_answers_leave_venue_and_series_out(cli, tmp_path):
    path = tmp_path / "programme.toml"
    result = cli("init", path, "--interactive", "--timezone", "UTC", input="Book club\n\n\n\n\n")
    assert result.exit_code == 0, result.stderr
    programme = load_programme(path)
    assert (programme.group.name, programme.venues, programme.series) == ("Book club", {}, ())


def test_the_default_time_zone_comes_from_tz(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    assert init.system_timezone() == "America/New_York"
    monkeypatch.setenv("TZ", "Not/A_Zone")
    assert init.system_timezone() != "Not/A_Zone"


@pytest.mark.parametrize(("name", "expected"), [
    ("Regent Sports & Social Club", "regent"), ("The Crown", "crown"), ("Café Noir", "cafe"), ("!!!", "venue"),
])  # fmt: skip
def test_venue_ids_come_from_the_name(name, expected):
    assert init.venue_id_for(name) == expected


def test_a_real_process_writes_the_file_in_a_folder(tmp_path):
    result = subprocess.run(
        [MEETCTL, "init", str(tmp_path), "--name", "Test", "--rule", "every other Friday", "--timezone", "UTC",
         "--today", "2024-01-01"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    programme = load_programme(tmp_path / "programme.toml")
    assert programme.series[0].rule.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"
    again = subprocess.run([MEETCTL, "init", str(tmp_path), "--name", "Test"], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL)  # fmt: skip
    assert again.returncode == 2 and "already exists" in again.stderr


texts = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), min_size=1).filter(lambda t: t.strip())


@settings(max_examples=80, deadline=None)
@given(name=texts, venue=texts, address=texts, title=texts)
def test_any_names_are_written_so_that_they_read_back(name, venue, address, title):
    answers = init.Answers(first=date(2024, 1, 1), name=name, timezone="UTC", venue_name=venue, address=address,
                           rule="every Monday", title=title)  # fmt: skip
    programme = parse_programme(init.render(answers))
    assert programme.group.name == name.strip()
    (hall,) = programme.venues.values()
    assert (hall.name, hall.address) == (venue.strip(), address.strip())
    assert programme.series[0].title == title.strip()


def test_end_of_input_or_ctrl_c_at_a_question_exits_130_and_writes_nothing(cli, tmp_path):
    path = tmp_path / "programme.toml"
    result = cli("init", path, "--interactive", input="Book club\n")  # then the input ends, as Ctrl-D/Ctrl-C
    assert result.exit_code == 130
    assert result.stderr.endswith("init: interrupted; nothing was written\n")
    assert not path.exists()


def test_a_real_init_interrupted_by_sigint_exits_130(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    script = str(Path(sys.executable).parent / "meetctl")
    proc = subprocess.Popen([script, "init", str(tmp_path / "p.toml"), "--interactive"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while "Group name" not in proc.stdout.read(10) and time.monotonic() < deadline:
        pass
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and not (tmp_path / "p.toml").exists()
