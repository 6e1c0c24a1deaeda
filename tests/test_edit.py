"""`add`, `cancel`, `move`, `record` and `venue add`: each changes only what it says.

The byte-for-byte tests run every command on tests/fixtures/commented.toml (comments
on every kind of line, odd quoting, a hex number, a multi-line string, a multi-line
array, a sub-table, a table after the meetings) and spell out the exact new text:
the old text with the changed lines, and nothing else, different.
"""

from __future__ import annotations

import calendar
import json
import os
import shutil
import subprocess
import sys
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetctl.editing import edits as edit
from meetctl.editing import records
from meetctl.editing.editor import Editor, edit_file
from meetctl.model.errors import MeetctlError
from meetctl.model.loading import load_programme
from tests.conftest import HEADER, ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "commented.toml"
ORIGINAL = FIXTURE.read_text(encoding="utf-8")

WEEKLY = """
[[series]]
id = "reading"
title = "Reading group"
rule = "every Monday"
start = "19:00"
duration = "90m"
venue = "hall"
from = 2024-01-01
"""


@pytest.fixture
def commented(tmp_path: Path) -> Path:
    """A copy of the heavily commented programme."""
    path = tmp_path / "programme.toml"
    shutil.copyfile(FIXTURE, path)
    return path


def spliced(before: str, anchor: str, new: str, after: bool = False) -> str:
    """``before`` with ``new`` inserted at (or just after) the one place ``anchor`` occurs."""
    assert before.count(anchor) == 1, f"anchor {anchor!r} is not unique"
    i = before.index(anchor) + (len(anchor) if after else 0)
    return before[:i] + new + before[i:]


def replaced(before: str, old: str, new: str) -> str:
    """``before`` with its one ``old`` replaced by ``new``."""
    assert before.count(old) == 1, f"{old!r} is not unique"
    return before.replace(old, new)


def run_ok(cli, *args) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


# --------------------------------------------------------------------------- byte for byte


def test_add_puts_a_meeting_in_date_order_and_touches_nothing_else(cli, commented):
    # 2024-03-27 is the last Wednesday of March 2024: after February's talk, before May's day school.
    assert date(2024, 3, 27).weekday() == 2 and (date(2024, 3, 27) + timedelta(days=7)).month == 4
    out = run_ok(cli, "add", "-f", commented, "--series", "talks", "--date", "2024-03-27", "--title", 'The "third" talk',
                 "--lead", "Ann")  # fmt: skip
    expected = spliced(
        ORIGINAL,
        "# the day school, with a timetable\n",
        '[[meetings]]\nseries = "talks"\ndate = 2024-03-27\ntitle = "The \\"third\\" talk"\nlead = "Ann"\n\n',
    )
    assert commented.read_text(encoding="utf-8") == expected
    assert out == (f"{commented}: changed: added a meeting on Wed 27 Mar 2024: "
                   "'The \"third\" talk' (series talks)\n")  # fmt: skip


def test_add_after_the_last_meeting_keeps_the_following_comment_with_what_follows(cli, commented):
    run_ok(cli, "add", "-f", commented, "--series", "talks", "--date", "2024-06-26", "--title", "Summer talk")
    expected = spliced(
        ORIGINAL, 'end = "12:30"\n', '\n[[meetings]]\nseries = "talks"\ndate = 2024-06-26\ntitle = "Summer talk"\n',
        after=True,
    )  # fmt: skip
    assert commented.read_text(encoding="utf-8") == expected


def test_add_a_one_off_with_every_option(cli, commented):
    run_ok(cli, "add", "-f", commented, "--date", "2024-07-06", "--title", "Summer school",
           "--description", "Two days of talks", "--start", "10am", "--duration", "6h",
           "--end-date", "2024-07-07", "--venue", "pub")  # fmt: skip
    block = ('\n[[meetings]]\ndate = 2024-07-06\nend_date = 2024-07-07\ntitle = "Summer school"\n'
             'description = "Two days of talks"\nstart = "10:00"\nduration = "6h"\nvenue = "pub"\n')  # fmt: skip
    assert commented.read_text(encoding="utf-8") == spliced(ORIGINAL, 'end = "12:30"\n', block, after=True)


def test_cancel_a_written_meeting_adds_two_lines_inside_its_table(cli, commented):
    out = run_ok(cli, "cancel", "-f", commented, "2024-02-28", "--reason", "Snow")
    expected = spliced(
        ORIGINAL, 'speakers = ["Ann",   "Bob"]   # odd spacing kept\n', 'cancelled = true\nreason = "Snow"\n',
        after=True,
    )  # fmt: skip
    assert commented.read_text(encoding="utf-8") == expected
    assert out == f"{commented}: changed: cancelled Wed 28 Feb 2024 19:00-21:00 'Second' (series talks), reason: Snow\n"


def test_cancel_a_date_of_the_series_with_no_table_yet_writes_one(cli, commented):
    run_ok(cli, "cancel", "-f", commented, "2024-04-24")
    expected = spliced(
        ORIGINAL, "# the day school, with a timetable\n",
        '[[meetings]]\nseries = "talks"\ndate = 2024-04-24\ncancelled = true\n\n',
    )  # fmt: skip
    assert commented.read_text(encoding="utf-8") == expected
    listed = run_ok(cli, "list", "-f", commented, "--from", "2024-04-24", "--to", "2024-04-24", "--json")
    assert '"status": "cancelled"' in listed


def test_move_a_series_meeting_changes_the_date_in_place_and_records_what_it_replaces(cli, commented):
    out = run_ok(cli, "move", "-f", commented, "2024-01-31", "--to", "2024-02-07")
    expected = replaced(ORIGINAL, "date = 2024-01-31   # confirmed\n",
                        "date = 2024-02-07   # confirmed\nreplaces = 2024-01-31\n")  # fmt: skip
    assert commented.read_text(encoding="utf-8") == expected
    assert (
        out == f"{commented}: changed: moved Wed 31 Jan 2024 19:00-21:00 'Opening' (series talks) to Wed 7 Feb 2024\n"
    )


def test_move_a_one_off_only_changes_its_date(cli, commented):
    run_ok(cli, "move", "-f", commented, "2024-02-10", "--to", "2024-02-17")
    assert commented.read_text(encoding="utf-8") == replaced(ORIGINAL, "date = 2024-02-10\n", "date = 2024-02-17\n")


def test_move_a_date_with_no_table_to_another_time_and_venue(cli, commented):
    run_ok(cli, "move", "-f", commented, "2024-04-24", "--to", "2024-04-25", "--start", "18:30", "--venue", "pub")
    expected = spliced(
        ORIGINAL, "# the day school, with a timetable\n",
        '[[meetings]]\nseries = "talks"\ndate = 2024-04-25\nreplaces = 2024-04-24\nstart = "18:30"\n'
        'venue = "pub"\n\n',
    )  # fmt: skip
    assert commented.read_text(encoding="utf-8") == expected


def test_moving_back_to_the_usual_date_removes_replaces(cli, commented):
    run_ok(cli, "move", "-f", commented, "2024-01-31", "--to", "2024-02-07")
    run_ok(cli, "move", "-f", commented, "2024-02-07", "--to", "2024-01-31")
    assert commented.read_text(encoding="utf-8") == ORIGINAL


def test_record_replaces_a_value_in_place_keeping_its_comment(cli, commented):
    out = run_ok(cli, "record", "-f", commented, "2024-01-31", "--attendance", "16", "--today", "2024-02-01")
    assert commented.read_text(encoding="utf-8") == replaced(
        ORIGINAL, "attendance = 0x0F   # hex, why not\n", "attendance = 16   # hex, why not\n"
    )
    assert (
        out
        == f"{commented}: changed: recorded attendance 16 (was 15) for Wed 31 Jan 2024 19:00-21:00 'Opening' (series talks)\n"
    )


def test_record_notes_on_a_one_off(cli, commented):
    run_ok(cli, "record", "-f", commented, "2024-02-10", "--attendance", "30", "--notes", "Loud\nand fun",
           "--today", "2024-02-11")  # fmt: skip
    expected = spliced(ORIGINAL, 'venue = "pub"\n', 'attendance = 30\nnotes = "Loud\\nand fun"\n', after=True)
    assert commented.read_text(encoding="utf-8") == expected
    assert load_programme(commented).meetings[1].notes == "Loud\nand fun"


def test_venue_add_goes_after_the_last_venue(cli, commented):
    out = run_ok(cli, "venue", "add", "-f", commented, "crown", "--name", "The Crown & Anchor",
                 "--address", "2 Market St", "--accessibility", "Step-free")  # fmt: skip
    expected = spliced(
        ORIGINAL, "name = 'The Crown'\n",
        '\n[venues.crown]\nname = "The Crown & Anchor"\naddress = "2 Market St"\naccessibility = "Step-free"\n',
        after=True,
    )  # fmt: skip
    assert commented.read_text(encoding="utf-8") == expected
    assert out == f"{commented}: changed: added venue 'crown': The Crown & Anchor, 2 Market St\n"


def test_every_edit_leaves_a_valid_programme_and_every_comment(cli, commented):
    steps = [
        ("add", "-f", commented, "--series", "talks", "--date", "2024-03-27", "--title", "Third"),
        ("cancel", "-f", commented, "2024-03-27", "--reason", "Ill"),
        ("move", "-f", commented, "2024-02-28", "--to", "2024-03-06", "--venue", "pub"),
        ("record", "-f", commented, "2024-01-31", "--attendance", "9", "--today", "2024-06-01"),
        ("venue", "add", "-f", commented, "annex", "--name", "Annex"),
    ]

    def comments(text: str) -> list[str]:
        return [line[line.index("#") :] for line in text.splitlines() if "#" in line]

    for step in steps:
        run_ok(cli, *step)
        text = commented.read_text(encoding="utf-8")
        assert comments(text) == comments(ORIGINAL)
        load_programme(commented)  # valid, or this raises
    assert run_ok(cli, "check", "-f", commented, "--today", "2024-01-01").startswith(f"{commented}: ok:")


# --------------------------------------------------------------------------- other files


def test_a_file_without_meetings_gets_them_at_the_end(cli, write_programme):
    path = write_programme(WEEKLY, header=True)
    before = path.read_text(encoding="utf-8")
    run_ok(cli, "add", "-f", path, "--series", "reading", "--date", "2024-01-08", "--title", "Chapter 1")
    assert path.read_text(encoding="utf-8") == (
        before + '\n[[meetings]]\nseries = "reading"\ndate = 2024-01-08\ntitle = "Chapter 1"\n'
    )


def test_a_file_without_a_final_newline(cli, write_programme):
    path = write_programme(HEADER + WEEKLY.rstrip("\n"))
    before = path.read_text(encoding="utf-8")
    run_ok(cli, "add", "-f", path, "--series", "reading", "--date", "2024-01-08", "--title", "Chapter 1")
    assert path.read_text(encoding="utf-8") == (
        before + '\n\n[[meetings]]\nseries = "reading"\ndate = 2024-01-08\ntitle = "Chapter 1"\n'
    )


def test_meetings_out_of_date_order_get_the_new_one_last(cli, write_programme):
    path = write_programme(WEEKLY + """
        [[meetings]]
        series = "reading"
        date = 2024-01-15

        [[meetings]]
        series = "reading"
        date = 2024-01-08
        """, header=True)  # fmt: skip
    before = path.read_text(encoding="utf-8")
    run_ok(cli, "add", "-f", path, "--series", "reading", "--date", "2024-01-01", "--title", "Intro")
    assert path.read_text(encoding="utf-8") == (
        before + '\n[[meetings]]\nseries = "reading"\ndate = 2024-01-01\ntitle = "Intro"\n'
    )


def test_windows_line_endings_are_kept(cli, tmp_path):
    path = tmp_path / "programme.toml"
    path.write_bytes(ORIGINAL.replace("\n", "\r\n").encode())
    run_ok(cli, "cancel", "-f", path, "2024-02-28")
    expected = spliced(ORIGINAL, 'speakers = ["Ann",   "Bob"]   # odd spacing kept\n', "cancelled = true\n", after=True)
    assert path.read_bytes() == expected.replace("\n", "\r\n").encode()


def test_a_byte_order_mark_is_kept(cli, tmp_path):
    path = tmp_path / "programme.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ORIGINAL.encode())
    run_ok(cli, "move", "-f", path, "2024-02-10", "--to", "2024-02-17")
    assert (
        path.read_bytes() == b"\xef\xbb\xbf" + replaced(ORIGINAL, "date = 2024-02-10\n", "date = 2024-02-17\n").encode()
    )


def test_indented_tables_get_indented_keys(cli, write_programme):
    path = write_programme(HEADER + WEEKLY + '\n[[meetings]]\n    series = "reading"\n    date = 2024-01-08\n')
    before = path.read_text(encoding="utf-8")
    run_ok(cli, "cancel", "-f", path, "2024-01-08", "--reason", "Flu")
    assert path.read_text(encoding="utf-8") == before + '    cancelled = true\n    reason = "Flu"\n'


def test_meetings_written_as_an_inline_array_are_refused_not_rewritten(cli, write_programme):
    path = write_programme('meetings = [{series = "reading", date = 2024-01-08}]\n' + HEADER + WEEKLY)
    before = path.read_bytes()
    result = cli("add", "-f", path, "--series", "reading", "--date", "2024-01-15", "--title", "Two")
    assert result.exit_code == 2
    assert "cannot make this change without rewriting what you wrote" in result.stderr
    assert path.read_bytes() == before


def test_the_mode_of_the_file_and_a_symlink_to_it_are_kept(cli, commented, tmp_path):
    os.chmod(commented, 0o640)
    link = tmp_path / "link.toml"
    link.symlink_to(commented)
    run_ok(cli, "cancel", "-f", link, "2024-02-28")
    assert link.is_symlink() and os.stat(commented).st_mode & 0o777 == 0o640
    assert "cancelled = true" in commented.read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), min_size=1).filter(
        lambda t: t.strip()
    )
)
def test_any_title_reads_back_exactly(tmp_path, title):
    path = tmp_path / "programme.toml"
    path.write_text(HEADER + WEEKLY, encoding="utf-8")
    edit_file(path, edit.add(edit.NewMeeting(date=date(2024, 1, 8), series="reading", title=title)))
    assert tomllib.loads(path.read_text(encoding="utf-8"))["meetings"][0]["title"] == title


# --------------------------------------------------------------------------- dry run, diff, no-ops


def test_dry_run_says_what_would_change_and_writes_nothing(cli, commented):
    out = run_ok(cli, "cancel", "-f", commented, "2024-02-28", "--dry-run", "--diff")
    assert commented.read_text(encoding="utf-8") == ORIGINAL
    assert out == (
        f"--- {commented} (before)\n+++ {commented} (after)\n@@ -54,2 +54,3 @@\n"
        ' speakers = ["Ann",   "Bob"]   # odd spacing kept\n+cancelled = true\n'
        "   # an indented comment inside the table\n"
        f"{commented}: would change: cancelled Wed 28 Feb 2024 19:00-21:00 'Second' (series talks)\n"
        f"{commented}: nothing written (--dry-run)\n"
    )


def test_cancelling_twice_changes_nothing_the_second_time(cli, commented):
    run_ok(cli, "cancel", "-f", commented, "2024-02-28")
    after_first = commented.read_bytes()
    out = run_ok(cli, "cancel", "-f", commented, "2024-02-28")
    assert commented.read_bytes() == after_first
    assert (
        out
        == f"{commented}: nothing to change: Wed 28 Feb 2024 19:00-21:00 'Second' (series talks) is already cancelled\n"
    )


def test_a_new_reason_replaces_the_old_one(cli, commented):
    run_ok(cli, "cancel", "-f", commented, "2024-02-28", "--reason", "Snow")
    run_ok(cli, "cancel", "-f", commented, "2024-02-28", "--reason", "Flood")
    text = commented.read_text(encoding="utf-8")
    assert 'reason = "Flood"' in text and "Snow" not in text


# --------------------------------------------------------------------------- refusals


def refused(cli, path: Path, *args: str) -> str:
    """Run an edit that must be refused: exit 2, the file as it was; return stderr."""
    before = path.read_bytes()
    command = 2 if args[0] in ("venue", "series") else 1
    result = cli(*args[:command], "-f", path, *args[command:])
    assert result.exit_code == 2, result.stdout
    assert path.read_bytes() == before
    assert "Traceback" not in result.stderr and result.stdout == ""
    return result.stderr


def test_adding_a_meeting_off_its_series_rule_is_refused(cli, commented):
    # 2024-03-20 is a Wednesday but not the last one of March.
    assert date(2024, 3, 20).weekday() == 2 and (date(2024, 3, 20) + timedelta(days=7)).month == 3
    err = refused(cli, commented, "add", "--date", "2024-03-20", "--series", "talks", "--title", "X")
    assert err == (
        f"{commented}: error: refused: 2024-03-20 is not a date of series 'talks' (last Wednesday of the "
        "month) (nearest: Wed 28 Feb 2024, Wed 27 Mar 2024); to hold it on another date, use "
        "`meetctl move DATE --to 2024-03-20`\n"
    )


def test_adding_on_a_skipped_date_is_refused(cli, commented):
    err = refused(cli, commented, "add", "--date", "2024-08-28", "--series", "talks", "--title", "X")
    assert "2024-08-28 is skipped in series 'talks'" in err


def test_adding_a_series_date_without_saying_which_is_refused_naming_both_options(cli, commented):
    err = refused(cli, commented, "add", "--date", "2024-01-31", "--title", "Again")
    assert err == (
        f"{commented}: error: add: 2024-01-31 is a date of series 'talks' (Monthly talk): give --series talks "
        "to describe that meeting, or --one-off for a separate meeting of no series\n"
    )


def test_adding_a_date_that_is_already_written_updates_it_in_place(cli, commented):
    out = run_ok(cli, "add", "-f", commented, "--series", "talks", "--date", "2024-01-31", "--title", "Again",
                 "--lead", "Ann")  # fmt: skip
    assert (
        out
        == f"{commented}: changed: updated the Wed 31 Jan 2024 meeting of series 'talks': title, lead (title was 'Opening')\n"
    )
    expected = replaced(ORIGINAL, 'title = "Opening"\n', 'title = "Again"\n')
    expected = spliced(expected, "attendance = 0x0F   # hex, why not\n", 'lead = "Ann"\n', after=True)
    assert commented.read_text(encoding="utf-8") == expected


def test_a_one_off_on_a_series_date_is_a_second_meeting(cli, commented):
    out = run_ok(cli, "add", "-f", commented, "--one-off", "--date", "2024-01-31", "--title", "Film",
                 "--start", "14:00")  # fmt: skip
    assert out == f"{commented}: changed: added a meeting on Wed 31 Jan 2024: 'Film' (one-off)\n"
    listed = json.loads(run_ok(cli, "list", "-f", commented, "--from", "2024-01-31", "--to", "2024-01-31", "--json"))
    assert [(m["title"], m["series"]) for m in listed] == [("Film", None), ("Opening", "talks")]


def test_one_off_and_series_together_are_refused(cli, commented):
    err = refused(cli, commented, "add", "--one-off", "--series", "talks", "--date", "2024-01-31", "--title", "X")
    assert "give --series ID (a meeting of that series) or --one-off (of no series), not both" in err


def test_a_one_off_needs_a_title_and_a_start(cli, commented):
    err = refused(cli, commented, "add", "--date", "2024-03-21")
    assert err == (
        f"{commented}: error: 2024-03-21 is not a date of any series, so this is a one-off meeting; "
        "a one-off meeting needs --title and --start\n"
    )


def test_adding_on_top_of_another_meeting_is_refused_unless_allowed(cli, commented):
    args = ("add", "--date", "2024-02-10", "--title", "Committee", "--start", "20:00")
    err = refused(cli, commented, *args)
    assert err == (
        f"{commented}: error: refused: Sat 10 Feb 2024 20:00-22:00 'Committee' would overlap 'Social' "
        "(Sat 10 Feb 2024 19:00-21:00) (use --allow-clash if both really happen)\n"
    )
    run_ok(cli, *args[:1], "-f", commented, *args[1:], "--allow-clash")
    assert "Committee" in commented.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--venue", "hal"), "--venue: unknown venue 'hal' (did you mean 'hall'?) (known: hall, pub)"),
        (("--series", "tlks"), "--series: unknown series 'tlks' (did you mean 'talks'?) (known: talks)"),
        (("--start", "25:00"), "--start: invalid time '25:00' (hours 00-23, minutes 00-59)"),
        (("--duration", "long"), "--duration: invalid duration 'long' (expected e.g. '90m', '1h30m', '2h')"),
        (("--end-date", "2024-03-01"), "--end-date 2024-03-01 is before --date 2024-03-27"),
        (("--title", " "), "--title: must not be empty"),
    ],
)
def test_bad_add_options_are_refused_with_one_line_each(cli, commented, args, message):
    err = refused(cli, commented, "add", "--date", "2024-03-27", "--series", "talks", "--title", "T", *args)
    assert err == f"{commented}: error: {message}\n"


def test_cancelling_a_date_with_no_meeting_is_refused(cli, commented):
    err = refused(cli, commented, "cancel", "2024-03-20")
    assert (
        err == f"{commented}: error: cancel: no meeting on Wed 20 Mar 2024 (nearest: Wed 28 Feb 2024, Wed 27 Mar 2024 "
        "(talks); Sat 10 Feb 2024, Sat 11 May 2024 (one-off))\n"
    )


def test_moving_onto_another_meeting_of_the_programme_is_refused(cli, commented):
    # The 31 January talk moved to 28 February would sit on top of February's talk.
    err = refused(cli, commented, "move", "2024-01-31", "--to", "2024-02-28")
    assert err == (
        f"{commented}: error: refused: Wed 28 Feb 2024 19:00-21:00 'Opening' would overlap 'Second' "
        "(Wed 28 Feb 2024 19:00-21:00) (use --allow-clash if both really happen)\n"
    )


def test_moving_to_a_later_time_the_same_evening_still_clashes(cli, commented):
    err = refused(cli, commented, "move", "2024-01-31", "--to", "2024-02-10", "--start", "20:30")
    assert "'Opening' would overlap 'Social' (Sat 10 Feb 2024 19:00-21:00)" in err


def test_moving_a_cancelled_meeting_is_refused(cli, commented):
    run_ok(cli, "cancel", "-f", commented, "2024-02-28")
    err = refused(cli, commented, "move", "2024-02-28", "--to", "2024-03-06")
    assert "is cancelled; nothing to move" in err


def test_move_needs_somewhere_to_go(cli, commented):
    err = refused(cli, commented, "move", "2024-02-28")
    assert err == "meetctl: error: move: say where to: --to DATE, --start HH:MM and/or --venue ID\n"


def test_recording_a_meeting_that_has_not_happened_is_refused(cli, commented):
    err = refused(cli, commented, "record", "2024-02-28", "--attendance", "3", "--today", "2024-02-27")
    assert err.endswith("has not happened yet (today is 2024-02-27)\n")


def test_recording_a_cancelled_meeting_is_refused(cli, commented):
    run_ok(cli, "cancel", "-f", commented, "2024-02-28")
    err = refused(cli, commented, "record", "2024-02-28", "--attendance", "3", "--today", "2024-03-01")
    assert "was cancelled" in err


def test_a_second_venue_with_the_same_id_is_refused(cli, commented):
    err = refused(cli, commented, "venue", "add", "hall", "--name", "Another hall")
    assert err == f"{commented}: error: refused: venue 'hall' already exists (line 10)\n"


def test_an_invalid_programme_is_not_edited_and_its_errors_are_shown(cli, write_programme):
    path = write_programme(HEADER + WEEKLY.replace('venue = "hall"', 'venue = "hal"'))
    err = refused(cli, path, "add", "--date", "2024-01-08", "--title", "X")
    line = path.read_text(encoding="utf-8").splitlines().index('venue = "hal"') + 1
    assert err == f"{path}:{line}:1: error: series[1].venue: unknown venue 'hal' (did you mean 'hall'?)\n"


def test_two_meetings_on_one_date_need_series(cli, write_programme):
    path = write_programme(HEADER + WEEKLY + WEEKLY.replace('"reading"', '"poetry"').replace("19:00", "10:00"))
    err = refused(cli, path, "cancel", "2024-01-08")
    assert "2 meetings on 2024-01-08" in err and "choose one with --series" in err
    run_ok(cli, "cancel", "-f", path, "2024-01-08", "--series", "poetry")
    assert load_programme(path).meetings[0].series == "poetry"


def test_editing_a_missing_file_suggests_init(cli, tmp_path):
    result = cli("add", "-f", tmp_path / "nope.toml", "--date", "2024-01-08")
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.toml'}: error: no such file (`meetctl init` writes a new programme)\n"


def test_the_default_file_is_programme_toml_or_meetctl_file(cli, commented):
    result = cli("cancel", "2024-02-28", env={"MEETCTL_FILE": str(commented)})
    assert result.exit_code == 0 and "cancelled = true" in commented.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- a real process


def test_a_real_meetctl_process_adds_and_refuses(tmp_path):
    path = tmp_path / "programme.toml"
    shutil.copyfile(FIXTURE, path)
    script = str(Path(sys.executable).parent / "meetctl")
    ok = subprocess.run([script, "add", "-f", str(path), "--series", "talks", "--date", "2024-03-27", "--title", "Third"],
                        capture_output=True, text=True)  # fmt: skip
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout == f"{path}: changed: added a meeting on Wed 27 Mar 2024: 'Third' (series talks)\n"
    bad = subprocess.run([script, "cancel", "-f", str(path), "2024-03-20"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith(f"{path}: error: cancel: no meeting on Wed 20 Mar 2024")


def test_the_old_date_of_a_moved_meeting_points_to_the_new_one(cli, commented):
    run_ok(cli, "move", "-f", commented, "2024-01-31", "--to", "2024-02-07")
    err = refused(cli, commented, "cancel", "2024-01-31")
    assert (
        err
        == f"{commented}: error: cancel: no meeting on Wed 31 Jan 2024: it was moved to Wed 7 Feb 2024; use that date\n"
    )


def test_a_read_only_programme_is_not_edited(cli, commented, monkeypatch):
    os.chmod(commented, 0o444)
    if os.geteuid() == 0:  # root may write to any file: let os.access answer as for anyone else
        real_access = os.access
        monkeypatch.setattr(
            os, "access", lambda path, mode, **kw: False if mode == os.W_OK else real_access(path, mode, **kw)
        )
    err = refused(cli, commented, "cancel", "2024-02-28")
    assert err == f"{commented}: error: is read-only; nothing was changed\n"


def test_moving_a_day_school_moves_its_end_date_and_its_timetable(cli, write_programme):
    path = write_programme(
        HEADER
        + """
[[meetings]]
date = 2024-05-11
end_date = 2024-05-12    # a weekend
title = "Weekend school"
start = "10:00"
duration = "7h"

[[meetings.sessions]]
title = "Saturday"
start = "10:00"
end = "12:00"

[[meetings.sessions]]
title = "Sunday"
date = 2024-05-12   # the second day
start = "10:00"
end = "12:00"
"""
    )
    before = path.read_text(encoding="utf-8")
    run_ok(cli, "move", "-f", path, "2024-05-11", "--to", "2024-06-08")
    expected = replaced(before, "date = 2024-05-11\nend_date = 2024-05-12    # a weekend\n",
                        "date = 2024-06-08\nend_date = 2024-06-09    # a weekend\n")  # fmt: skip
    expected = replaced(expected, "date = 2024-05-12   # the second day\n", "date = 2024-06-09   # the second day\n")
    assert path.read_text(encoding="utf-8") == expected


def test_dates_written_as_strings_are_understood(cli, write_programme):
    path = write_programme(HEADER + WEEKLY + '\n[[meetings]]\nseries = "reading"\ndate = "2024-01-15"\n')
    before = path.read_text(encoding="utf-8")
    run_ok(cli, "add", "-f", path, "--series", "reading", "--date", "2024-01-08", "--title", "First")
    assert path.read_text(encoding="utf-8") == spliced(
        before,
        '[[meetings]]\nseries = "reading"\ndate = "2024-01-15"',
        '[[meetings]]\nseries = "reading"\ndate = 2024-01-08\ntitle = "First"\n\n',
    )


def test_a_change_that_would_make_the_programme_invalid_is_refused(commented):
    # The commands check their options first; underneath, every edit is validated by the code of
    # `check` before it is written. Here an edit made with the Editor directly shows that last line.
    def bad(editor: Editor) -> None:
        editor.set_keys(("meetings", 0), {"venue": "nowhere"})

    with pytest.raises(MeetctlError) as caught:
        edit_file(commented, bad)
    assert [str(p) for p in caught.value.problems] == [
        f"{commented}: error: refused, the programme would not be valid: meetings[1].venue: unknown venue 'nowhere'"
    ]
    assert commented.read_text(encoding="utf-8") == ORIGINAL


LAST_WEDNESDAYS_2024 = [
    max(d for d in calendar.Calendar().itermonthdates(2024, m) if d.month == m and d.weekday() == 2)
    for m in range(1, 13)
]  # the fixture's series, worked out with the calendar module
days_2024 = st.one_of(
    st.sampled_from([*LAST_WEDNESDAYS_2024, date(2024, 2, 10), date(2024, 5, 11)]),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31)),
)
words = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20).filter(lambda t: t.strip())
edits = st.one_of(
    st.builds(lambda d, t, s, series, one_off: edit.add(
                  edit.NewMeeting(date=d, title=t, start=s, series=series, one_off=one_off), allow_clash=True),
              days_2024, words, st.sampled_from([None, "09:30", "19:00"]), st.sampled_from([None, "talks"]),
              st.booleans()),
    st.builds(edit.cancel, days_2024, st.none() | words),
    st.builds(lambda d, to, v: edit.move(d, to, venue=v, allow_clash=True),
              days_2024, days_2024, st.sampled_from([None, "pub", "hall"])),
    st.builds(lambda d, n, notes: records.record(d, n, notes, today=date(2025, 1, 1)),
              days_2024, st.integers(0, 500), st.none() | words),
    st.builds(edit.add_venue, st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True), words, st.none() | words),
    st.builds(edit.restore, days_2024),
    st.builds(lambda i, rule, start: edit.add_series(edit.NewSeries(i, rule, start, date(2024, 1, 1))),
              st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True),
              st.sampled_from(["every Thursday", "every second Tuesday", "Mondays", "15th of every month"]),
              st.sampled_from(["09:30", "19:00"])),
)  # fmt: skip


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(edits, min_size=1, max_size=6))
def test_any_sequence_of_edits_keeps_the_file_valid_and_its_comments(tmp_path, steps):
    path = tmp_path / "random.toml"
    path.write_text(ORIGINAL, encoding="utf-8")

    def comments(text: str) -> list[str]:
        return [line[line.index("#") :] for line in text.splitlines() if line.lstrip().startswith("#")]

    for step in steps:
        try:
            edit_file(path, step)
        except MeetctlError as exc:  # refused: fine, but never because meetctl could not edit the text
            assert not any("without rewriting" in p.message for p in exc.problems), exc
        text = path.read_text(encoding="utf-8")
        load_programme(path)  # still valid
        assert comments(text) == comments(ORIGINAL)


# --------------------------------------------------------------------------- restore, series add, venue list


def test_restore_undoes_a_cancellation_and_keeps_every_comment(cli, commented):
    run_ok(cli, "cancel", "-f", commented, "2024-01-31", "--reason", "Snow")
    assert load_programme(commented).meetings[0].cancelled
    out = run_ok(cli, "restore", "-f", commented, "2024-01-31")
    assert (
        out
        == f"{commented}: changed: restored Wed 31 Jan 2024 19:00-21:00 'Opening' (series talks): no longer cancelled\n"
    )
    assert commented.read_text(encoding="utf-8") == ORIGINAL
    listed = json.loads(run_ok(cli, "list", "-f", commented, "--from", "2024-01-31", "--to", "2024-01-31", "--json"))
    assert [m["status"] for m in listed] == ["scheduled"]


def test_restore_of_a_meeting_that_is_not_cancelled_changes_nothing(cli, commented):
    out = run_ok(cli, "restore", "-f", commented, "2024-01-31")
    assert (
        out
        == f"{commented}: nothing to change: Wed 31 Jan 2024 19:00-21:00 'Opening' (series talks) is not cancelled\n"
    )
    assert commented.read_text(encoding="utf-8") == ORIGINAL


def test_restore_takes_a_date_out_of_a_series_skip_list(cli, write_programme):
    path = write_programme(HEADER + WEEKLY + "skip = [2024-01-08, 2024-01-15]\n")
    out = run_ok(cli, "restore", "-f", path, "2024-01-15")
    assert "restored Mon 15 Jan 2024 of series 'reading'" in out
    assert load_programme(path).series[0].skip == (date(2024, 1, 8),)


def test_restore_will_not_rewrite_a_skip_list_with_comments(cli, commented):
    err = refused(cli, commented, "restore", "2024-08-28")
    assert "remove it there by hand" in err


def test_restore_of_a_date_with_no_meeting_is_refused(cli, commented):
    err = refused(cli, commented, "restore", "2024-03-20")
    assert err.startswith(f"{commented}: error: restore: no meeting on Wed 20 Mar 2024")


def test_series_add_writes_a_series_after_the_last_one(cli, commented):
    out = run_ok(cli, "series", "add", "-f", commented, "reading", "--rule", "every Thursday", "--start", "18:30",
                 "--duration", "90m", "--venue", "hall", "--from", "2024-01-01", "--title", "Reading group")  # fmt: skip
    assert out == f"{commented}: changed: added series 'reading': 'Reading group', every Thursday, 18:30\n"
    block = ('\n[[series]]\nid = "reading"\ntitle = "Reading group"\nrule = "every Thursday"\nstart = "18:30"\n'
             'duration = "90m"\nvenue = "hall"\nfrom = 2024-01-01\n')  # fmt: skip
    assert commented.read_text(encoding="utf-8") == spliced(
        ORIGINAL, "  2024-08-28,  # summer break\n]\n", block, after=True
    )
    listed = json.loads(run_ok(cli, "list", "-f", commented, "--series", "reading", "--from", "2024-01-01",
                               "--to", "2024-01-31", "--json"))  # fmt: skip
    assert [m["date"] for m in listed] == ["2024-01-04", "2024-01-11", "2024-01-18", "2024-01-25"]


def test_series_add_to_a_file_with_no_series_goes_before_the_meetings(cli, write_programme):
    path = write_programme(HEADER + '\n[[meetings]]\ndate = 2024-01-08\ntitle = "AGM"\nstart = "19:00"\n')
    run_ok(cli, "series", "add", "-f", path, "socials", "--rule", "every second Tuesday", "--start", "19:00",
           "--today", "2024-01-01")  # fmt: skip
    programme = load_programme(path)
    assert [s.id for s in programme.series] == ["socials"] and programme.series[0].title == "Socials"
    assert programme.series[0].from_date == date(2024, 1, 1)
    assert path.read_text(encoding="utf-8").index("[[series]]") < path.read_text(encoding="utf-8").index("[[meetings]]")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("talks", "--rule", "every Monday", "--start", "19:00"), "refused: series 'talks' already exists (line 21)"),
        (
            ("new", "--rule", "every Monday", "--start", "25:00"),
            "--start: invalid time '25:00' (hours 00-23, minutes 00-59)",
        ),
        (
            ("new", "--rule", "every Monday", "--start", "19:00", "--venue", "hal"),
            "--venue: unknown venue 'hal' (did you mean 'hall'?) (known: hall, pub)",
        ),
        (
            ("bad id", "--rule", "every Monday", "--start", "19:00"),
            "series id 'bad id': use letters, digits, '-' and '_' only (e.g. 'reading')",
        ),
    ],
)
def test_bad_series_add_is_refused_with_one_line(cli, commented, args, message):
    err = refused(cli, commented, "series", "add", *args)
    assert err == f"{commented}: error: {message}\n"


def test_series_add_with_an_unknown_rule_shows_the_forms(cli, commented):
    result = cli("series", "add", "-f", commented, "new", "--rule", "every blue moon", "--start", "19:00")
    assert result.exit_code == 2 and commented.read_text(encoding="utf-8") == ORIGINAL
    first, *forms = result.stderr.splitlines()
    assert first == (f"{commented}: error: --rule: unknown recurrence phrase 'every blue moon'; "
                     "the accepted forms are (also `meetctl help rules`):")  # fmt: skip
    assert "    every other Friday / fortnightly on Friday / every 3 weeks on Friday" in forms


def test_help_rules_shows_each_phrase_with_its_rrule(cli):
    text = cli("help", "rules").stdout
    assert "  every second Tuesday " in text and text.count("FREQ=MONTHLY;BYDAY=2TU") == 1
    assert "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR" in text


def test_venue_list_plain_and_json(cli, commented):
    assert run_ok(cli, "venue", "list", "-f", commented) == (
        "hall  Community Hall  1 High Street, Leicester LE1 1AA\npub   The Crown\n"
    )
    records = json.loads(run_ok(cli, "venue", "list", "-f", commented, "--json"))
    assert [(r["id"], r["name"]) for r in records] == [("hall", "Community Hall"), ("pub", "The Crown")]


def test_a_one_off_on_a_series_date_is_chosen_with_one_off(cli, commented):
    run_ok(cli, "add", "-f", commented, "--one-off", "--date", "2024-01-31", "--title", "Film", "--start", "14:00")
    err = refused(cli, commented, "cancel", "2024-01-31")
    assert "2 meetings on 2024-01-31" in err and "choose one with --series ID or --one-off" in err
    out = run_ok(cli, "cancel", "-f", commented, "2024-01-31", "--one-off", "--reason", "No projector")
    assert "cancelled Wed 31 Jan 2024 14:00-16:00 'Film'" in out
    listed = json.loads(run_ok(cli, "list", "-f", commented, "--from", "2024-01-31", "--to", "2024-01-31", "--json"))
    assert [(m["title"], m["status"]) for m in listed] == [("Film", "cancelled"), ("Opening", "scheduled")]
    run_ok(cli, "restore", "-f", commented, "2024-01-31", "--one-off")
    listed = json.loads(run_ok(cli, "list", "-f", commented, "--from", "2024-01-31", "--to", "2024-01-31", "--json"))
    assert [m["status"] for m in listed] == ["scheduled", "scheduled"]


def test_adding_the_same_one_off_again_updates_it_instead_of_a_second_copy(cli, commented):
    # 2024-02-10 already has the one-off 'Social' (no series).
    out = run_ok(cli, "add", "-f", commented, "--date", "2024-02-10", "--title", "Social", "--start", "19:00",
                 "--lead", "Kim")  # fmt: skip
    assert out == f"{commented}: changed: updated the one-off 'Social' on Sat 10 Feb 2024: lead\n"
    socials = [m for m in load_programme(commented).meetings if m.title == "Social"]
    assert len(socials) == 1 and socials[0].lead == "Kim"
    again = run_ok(cli, "add", "-f", commented, "--date", "2024-02-10", "--title", "Social", "--lead", "Kim")
    assert again == f"{commented}: nothing to change: the one-off 'Social' on Sat 10 Feb 2024 is already written down\n"
