"""Output files: what `-o PATH` may replace, symlinks, FIFOs, missing folders, leftovers, kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import HEADER, MONTHLY

PROGRAMME = HEADER + MONTHLY + """
[[meetings]]
series = "discussion"
date = 2017-01-25
title = "Is the working class movement dead?"
"""


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    path = tmp_path / "programme.toml"
    path.write_text(PROGRAMME, encoding="utf-8")
    return path


def test_a_flyer_never_replaces_the_programme_without_force(cli, programme):
    refused = cli("flyer", "-f", programme, "2017-01-25", "-o", programme)
    assert refused.exit_code == 2
    assert refused.stderr == f"{programme}: error: is a programme this command reads; never replaced, not even with --force\n"
    assert programme.read_text(encoding="utf-8") == PROGRAMME
    copy = programme.with_name("copy.toml")
    copy.write_text(PROGRAMME, encoding="utf-8")
    forced = cli("flyer", "-f", programme, "2017-01-25", "--format", "html", "-o", copy, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert copy.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


@pytest.mark.parametrize(
    ("args", "existing", "noun"),
    [
        (("ical",), "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", None),
        (("ical",), "<!DOCTYPE html><p>mine</p>", "a calendar"),
        (("flyer", "2017-01-25", "--format", "html"), "<!doctype html>\n<html></html>", None),
        (("flyer", "2017-01-25", "--format", "html"), "%PDF-1.7 ...", "an HTML page"),
        (("flyer", "2017-01-25", "--format", "pdf"), "%PDF-1.7 ...", None),
        (("flyer", "2017-01-25", "--format", "pdf"), "BEGIN:VCALENDAR\r\n", "a PDF"),
    ],
)
def test_a_file_of_the_kind_is_replaced_another_kind_is_not(cli, programme, tmp_path, args, existing, noun):
    target = tmp_path / "out.file"
    target.write_bytes(existing.encode())
    result = cli(*args, "-f", programme, "-o", target)
    if noun is None:
        assert result.exit_code == 0, result.stderr
        assert target.read_bytes() != existing.encode()
    else:
        assert result.exit_code == 2
        assert result.stderr == f"{target}: error: exists and is not {noun}; not overwritten (use --force to replace it)\n"
        assert target.read_bytes() == existing.encode()


@pytest.mark.parametrize(
    "args",
    [
        ("report", "2017-01-25"),
        ("import", str(Path(__file__).parent / "fixtures" / "ics" / "weekly_in_paris_with_exdate.ics")),
        ("templates", "copy", "report.md.j2"),
    ],
)
def test_text_a_person_edits_is_never_replaced_without_force(cli, programme, tmp_path, args):
    target = tmp_path / "mine.txt"
    target.write_text("my notes\n")
    if args[0] == "templates":
        folder = tmp_path / "templates"
        folder.mkdir()
        target = folder / "report.md.j2"
        target.write_text("my notes\n")
        result = cli(*args, "-f", programme)
    elif args[0] == "import":
        result = cli(*args, "-o", target)
    else:
        result = cli(*args, "-f", programme, "-o", target)
    assert result.exit_code == 2
    assert result.stderr == f"{target}: error: already exists (use --force to replace it)\n"
    assert target.read_text() == "my notes\n"


@pytest.mark.parametrize("force", [False, True])
def test_never_writes_over_a_fifo_or_a_device_even_with_force(cli, programme, tmp_path, force):
    fifo = tmp_path / "pipe.ics"
    os.mkfifo(fifo)
    extra = ["--force"] if force else []
    result = cli("ical", "-f", programme, "-o", fifo, *extra)  # would block forever if it opened the FIFO
    assert result.exit_code == 2
    assert result.stderr == (
        f"{fifo}: error: is not a regular file (a FIFO, device or socket); meetctl never writes over one\n"
    )
    assert Path(fifo).is_fifo()
    device = cli("flyer", "-f", programme, "2017-01-25", "-o", "/dev/null", *extra)
    assert device.exit_code == 2
    assert "is not a regular file" in device.stderr
    assert Path("/dev/null").is_char_device()


def test_a_folder_is_refused(cli, programme, tmp_path):
    result = cli("ical", "-f", programme, "-o", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path}: error: is a folder; give a file name for a calendar\n"


def test_writes_through_a_symlink_and_keeps_the_link(cli, programme, tmp_path):
    real = tmp_path / "published" / "branch.ics"
    real.parent.mkdir()
    real.write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    link = tmp_path / "branch.ics"
    link.symlink_to(real)
    result = cli("ical", "-f", programme, "-o", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real
    assert "Is the working class movement dead?" in real.read_text()
    # a symlink to the programme is as protected as the programme
    to_programme = tmp_path / "flyer.html"
    to_programme.symlink_to(programme)
    refused = cli("flyer", "-f", programme, "2017-01-25", "-o", to_programme)
    assert refused.exit_code == 2
    assert programme.read_text(encoding="utf-8") == PROGRAMME


@pytest.mark.parametrize(
    "args",
    [("ical",), ("flyer", "2017-01-25", "--format", "pdf"), ("report", "2017-01-25"), ("flyer", "2017-01-25")],
)
def test_a_missing_folder_is_an_error_never_created(cli, programme, tmp_path, args):
    target = tmp_path / "missing" / "dir" / "out"
    result = cli(*args, "-f", programme, "-o", target)
    assert result.exit_code == 2
    assert result.stderr == f"{target}: error: no such folder: {target.parent}; create it first\n"
    assert not (tmp_path / "missing").exists()


def test_a_leftover_temporary_file_is_removed_by_the_next_write(cli, programme, tmp_path):
    target = tmp_path / "branch.ics"
    leftover = tmp_path / ".branch.ics.abc123.meetctl-tmp"
    leftover.write_text("BEGIN:VCALENDAR\r\nhalf")
    other = tmp_path / ".other.ics.abc123.meetctl-tmp"  # another file's: not ours to remove
    other.write_text("x")
    result = cli("ical", "-f", programme, "-o", target)
    assert result.exit_code == 0, result.stderr
    assert not leftover.exists()
    assert other.exists()


def test_a_temporary_file_still_being_written_is_left_alone(tmp_path):
    import fcntl

    from meetctl.output import remove_leftovers

    busy = tmp_path / ".branch.ics.busy.meetctl-tmp"
    busy.write_text("being written")
    with busy.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a live writer holds it
        remove_leftovers(tmp_path / "branch.ics")
        assert busy.exists()
    remove_leftovers(tmp_path / "branch.ics")
    assert not busy.exists()


# ------------------------------------------------------------------ kill -9 during every writer

#: Runs meetctl with os.replace held up just before a temporary file is renamed into place,
#: so the test can kill -9 it at the worst moment: the new data fully written beside the target.
PAUSING_MEETCTL = """
import os, sys, time
marker = os.environ["PAUSE_MARKER"]
real_replace = os.replace
def paused(src, dst, *args, **kwargs):
    if str(src).endswith(".meetctl-tmp"):
        open(marker, "w").close()
        time.sleep(120)
    return real_replace(src, dst, *args, **kwargs)
os.replace = paused
from meetctl.cli import main
sys.argv = ["meetctl", *sys.argv[1:]]
main()
"""

FIXTURE_ICS = Path(__file__).parent / "fixtures" / "ics" / "weekly_in_paris_with_exdate.ics"

#: (writer, its arguments given the folder and programme, the file it writes, what is there before)
WRITERS = {
    "ical": (lambda d, p: ["ical", "-f", p, "-o", d / "out.ics"], "out.ics", "BEGIN:VCALENDAR\r\nold\r\n"),
    "flyer": (lambda d, p: ["flyer", "-f", p, "2017-01-25", "-o", d / "out.html"], "out.html", "<!DOCTYPE html>old"),
    "flyer pdf": (
        lambda d, p: ["flyer", "-f", p, "2017-01-25", "-o", d / "out.pdf"], "out.pdf", "%PDF-1.4 old",
    ),
    "report": (lambda d, p: ["report", "-f", p, "2017-01-25", "-o", d / "r.md", "--force"], "r.md", "old\n"),
    "import": (lambda d, p: ["import", FIXTURE_ICS, "-o", d / "imp.toml", "--force"], "imp.toml", "old = 1\n"),
    "init": (
        lambda d, p: ["init", d / "new.toml", "--force", "--no-interactive", "--name", "G", "--timezone",
                      "Europe/London", "--rule", "every Monday", "--start", "19:00", "--from", "2017-01-02"],
        "new.toml", "old = 1\n",
    ),
    "templates copy": (
        lambda d, p: ["templates", "copy", "report.md.j2", "--templates", d, "--force"], "report.md.j2", "old\n",
    ),
    "add (edit)": (
        lambda d, p: ["add", "-f", p, "--date", "2017-02-22", "--series", "discussion", "--title", "Russia 1917"],
        "programme.toml", None,
    ),
}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_kill_9_leaves_the_old_file_and_the_next_run_cleans_up(tmp_path, writer):
    make_args, name, before = WRITERS[writer]
    programme = tmp_path / "programme.toml"
    programme.write_text(PROGRAMME, encoding="utf-8")
    target = tmp_path / name
    if before is not None:
        target.write_text(before)
    old = target.read_bytes()
    args = [str(a) for a in make_args(tmp_path, programme)]
    marker = tmp_path / "paused"
    env = {**os.environ, "PAUSE_MARKER": str(marker), "MEETCTL_FILE": "", "MEETCTL_TODAY": "2017-01-01"}
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSING_MEETCTL, *args], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the writer never reached its rename"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert target.read_bytes() == old  # old, never partial
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".meetctl-tmp")]
    assert leftovers  # the killed run's complete temporary copy
    again = subprocess.run(
        [sys.executable, "-m", "meetctl", *args], env=env, cwd=tmp_path, capture_output=True, text=True,
        stdin=subprocess.DEVNULL, timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert target.read_bytes() != old  # new
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".meetctl-tmp")] == []
