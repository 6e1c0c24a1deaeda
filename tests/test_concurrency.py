"""Edits that overlap, crash or fail half way never lose or break the programme.

Real `meetctl` processes run in parallel against one file; a process is killed with
SIGKILL in the middle of writing; a write fails with an OS error; an editor that
ignores meetctl's lock changes the file while meetctl is working.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from meetctl.editing import edits as edit
from meetctl.editing.editor import edit_file
from meetctl.model.loading import load_programme
from tests.conftest import HEADER, ROOT

MEETCTL = str(Path(sys.executable).parent / "meetctl")
FIXTURE = ROOT / "tests" / "fixtures" / "commented.toml"

WEEKLY = """
# The reading group meets every Monday.
[[series]]
id = "reading"
title = "Reading group"
rule = "every Monday"
start = "19:00"
duration = "90m"
venue = "hall"
from = 2024-01-01
"""


def test_ten_parallel_adds_all_land(tmp_path):
    path = tmp_path / "programme.toml"
    path.write_text(HEADER + WEEKLY, encoding="utf-8")
    first = date(2024, 1, 1)
    assert first.weekday() == 0  # a Monday
    mondays = [first + timedelta(weeks=i) for i in range(10)]
    procs = [
        subprocess.Popen(
            [MEETCTL, "add", "-f", str(path), "--series", "reading", "--date", day.isoformat(),
             "--title", f"Chapter {i + 1}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for i, day in enumerate(mondays)
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for p in procs:
        p.stdout.close()  # type: ignore[union-attr]
        p.stderr.close()  # type: ignore[union-attr]
    assert results == [(0, "")] * 10
    programme = load_programme(path)  # valid, or this raises
    assert sorted((m.date, m.title) for m in programme.meetings) == [
        (day, f"Chapter {i + 1}") for i, day in enumerate(mondays)
    ]
    assert path.read_text(encoding="utf-8").startswith(HEADER + WEEKLY)
    assert [p.name for p in tmp_path.iterdir()] == ["programme.toml"]  # no temporary files left


def _start_paused(path: Path, where: str, marker: Path) -> subprocess.Popen[str]:
    """A real `meetctl cancel` that stops at ``os.<where>`` (fsync: temp file written, not yet
    synced; replace: temp file complete, not yet renamed) until it is killed."""
    code = f"""
import os, sys, time
real = os.{where}
def paused(*args):
    open({str(marker)!r}, "w").close()
    time.sleep(120)
    return real(*args)
os.{where} = paused
sys.argv = ["meetctl", "cancel", "-f", {str(path)!r}, "2024-02-28", "--reason", "Snow"]
from meetctl.cli import main
main()
"""
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_a_process_killed_while_writing_leaves_the_original_intact(tmp_path, where):
    path = tmp_path / "programme.toml"
    path.write_bytes(FIXTURE.read_bytes())
    original = path.read_bytes()
    marker = tmp_path.parent / f"{tmp_path.name}-paused"
    proc = _start_paused(path, where, marker)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the edit never reached the write"
            time.sleep(0.02)
        leftovers = [p for p in tmp_path.iterdir() if p.name != "programme.toml"]
        assert len(leftovers) == 1 and leftovers[0].name.startswith(".programme.toml.")  # mid-write
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == original
    # The next edit is not confused by the leftover: it removes it and does its work.
    result = subprocess.run([MEETCTL, "cancel", "-f", str(path), "2024-02-28"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["programme.toml"]
    assert "cancelled = true" in path.read_text(encoding="utf-8")


def test_an_error_half_way_leaves_the_original_and_no_temporary_file(cli, tmp_path, monkeypatch):
    path = tmp_path / "programme.toml"
    path.write_bytes(FIXTURE.read_bytes())
    original = path.read_bytes()

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    result = cli("cancel", "-f", path, "2024-02-28")
    assert result.exit_code == 2
    assert result.stderr == f"{path}: error: cannot write: No space left on device; the file is unchanged\n"
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["programme.toml"]


def test_an_unexpected_exception_half_way_leaves_the_original(tmp_path, monkeypatch):
    path = tmp_path / "programme.toml"
    path.write_bytes(FIXTURE.read_bytes())
    original = path.read_bytes()

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        edit_file(path, edit.cancel(date(2024, 2, 28), None))
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["programme.toml"]


def test_a_change_on_disk_during_the_edit_is_kept_and_the_edit_redone(tmp_path, monkeypatch):
    """An editor that ignores the lock saves the file while meetctl is writing."""
    path = tmp_path / "programme.toml"
    path.write_bytes(FIXTURE.read_bytes())
    real_fsync = os.fsync
    saved = []

    def editor_saves_meanwhile(fd):
        if not saved:
            with open(path, "a", encoding="utf-8") as f:
                f.write("# added by hand in another window\n")
            saved.append(True)
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", editor_saves_meanwhile)
    edit_file(path, edit.cancel(date(2024, 2, 28), "Snow"))
    text = path.read_text(encoding="utf-8")
    assert text.endswith("# the end of the file\n# added by hand in another window\n")
    assert 'cancelled = true\nreason = "Snow"\n' in text
    assert [p.name for p in tmp_path.iterdir()] == ["programme.toml"]


def test_an_edit_waits_for_the_lock_held_by_another(tmp_path):
    import fcntl
    import threading

    path = tmp_path / "programme.toml"
    path.write_bytes(FIXTURE.read_bytes())
    fd = os.open(path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    done = threading.Event()

    def run():
        edit_file(path, edit.cancel(date(2024, 2, 28), None))
        done.set()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert not done.wait(0.5)  # blocked behind our lock
        assert "cancelled" not in path.read_text(encoding="utf-8")
    finally:
        os.close(fd)  # releases the lock
    worker.join(30)
    assert done.is_set() and "cancelled = true" in path.read_text(encoding="utf-8")
