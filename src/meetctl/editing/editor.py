"""Change the programme file safely: the :class:`Editor` and :func:`edit_file`, which every edit command uses.

Stage: editing. Imports the model (what is written must load) and writes through
:mod:`meetctl.output`; never the CLI.

Every edit follows the same steps, in :func:`edit_file`:

1. take an exclusive lock on the file (``flock``), so concurrent meetctl runs queue up;
2. read the file *after* taking the lock, and check it is valid (the code of ``check``);
3. work out the change as a few splices of the text (:mod:`meetctl.editing.tomltext`):
   everything the command does not change stays byte for byte as written;
4. read the new text back with tomllib and compare it with the data the change
   was meant to produce, then validate it with the code of ``check`` (and look for
   new clashes); refuse, changing nothing, if any of that fails;
5. write a temporary file in the same folder, fsync it, give it the old file's
   mode, and rename it over the original; if the file changed on disk meanwhile
   (an editor that does not take the lock), start again from step 2 on the new text.

A process killed at any point leaves either the old file or the new one, never a
mix; a leftover temporary file (``.programme.toml.*.meetctl-tmp``) is removed by
the next edit.
"""

from __future__ import annotations

import copy
import difflib
import os
import stat
import time as _time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from meetctl.editing.tomltext import (
    Layout,
    Patch,
    ScanError,
    Statement,
    TablePath,
    ensure_line_end,
    render_header,
    render_pairs,
    render_value,
)
from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.loading import named_programmes, parse_programme, programme_paths
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence, occurrences, overlaps
from meetctl.model.wording import format_short_date
from meetctl.output import fsync_folder, remove_leftovers, unlink_quietly, write_temp

#: How long to wait for another meetctl that is editing the same file.
LOCK_TIMEOUT = 30.0
#: How often to redo an edit when something else keeps changing the file under us.
ATTEMPTS = 5


# --------------------------------------------------------------------------- results


@dataclass
class Change:
    """What one edit did (or, with --dry-run, would do)."""

    path: str
    old_text: str
    new_text: str
    #: One line per thing changed, said to the user.
    messages: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text

    def diff(self) -> str:
        """A unified diff of the file, one line of context."""
        lines = difflib.unified_diff(
            self.old_text.splitlines(keepends=True),
            self.new_text.splitlines(keepends=True),
            fromfile=f"{self.path} (before)",
            tofile=f"{self.path} (after)",
            n=1,
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def report(self, dry_run: bool = False) -> str:
        """What to tell the user, one line per change, ending in a newline."""
        if not self.changed:
            return "".join(f"{self.path}: {m}\n" for m in self.messages or ["nothing to change"])
        verb = "would change" if dry_run else "changed"
        lines = [f"{self.path}: {verb}: {m}" for m in self.messages]
        if dry_run:
            lines.append(f"{self.path}: nothing written (--dry-run)")
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the file


def target_file(files: Sequence[str | Path] | None) -> Path:
    """The one programme file an edit applies to (-f, else $MEETCTL_FILE, else ./programme.toml)."""
    files = named_programmes(files)
    if any(str(f) == "-" for f in files):  # `-f -` reads standard input, which an edit cannot write back
        raise MeetctlError.at(Location("-"), "an edit changes the programme file in place: give its path, not -")
    if len(files) == 1 and not Path(files[0]).exists():
        raise MeetctlError.at(Location(str(files[0])), "no such file (`meetctl init` writes a new programme)")
    paths = programme_paths(list(files))
    if len(paths) != 1:
        raise MeetctlError(
            f"editing needs exactly one programme file, and {len(paths)} were named "
            f"({', '.join(str(p) for p in paths)}); choose one with -f"
        )
    return paths[0]


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise MeetctlError.at(Location(name, line, 1), "not UTF-8 text; meetctl will not edit it") from None


def _read(path: Path, name: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise MeetctlError.at(Location(name), "no such file") from None
    except OSError as exc:
        raise MeetctlError.at(Location(name), f"cannot read: {exc.strerror or exc}") from None


def edit_file(path: str | Path, make: Callable[[Editor], None], dry_run: bool = False) -> Change:
    """Apply ``make`` (which calls :class:`Editor` methods) to the file, safely. See the module doc."""
    name = str(path)
    real = Path(os.path.realpath(path))  # edit a symlink's target, keep the link
    if real.exists() and not real.is_file():  # a folder, FIFO or device: reading it could hang
        raise MeetctlError.at(Location(name), "is not a regular file; meetctl edits only programme files")
    if dry_run:
        return _prepare(name, _read(real, name), make)
    if real.exists() and not os.access(real, os.W_OK):
        raise MeetctlError.at(Location(name), "is read-only; nothing was changed")
    with _locked(real, name):
        remove_leftovers(real)
        for _ in range(ATTEMPTS):
            before = _read(real, name)
            change = _prepare(name, before, make)
            if not change.changed:
                return change
            if _replace(real, name, before, change.new_text.encode("utf-8")):
                return change
    raise MeetctlError.at(Location(name), "the file kept changing while meetctl was editing it; nothing was changed")


def _prepare(name: str, data: bytes, make: Callable[[Editor], None]) -> Change:
    text = _decode(name, data)
    editor = Editor(name, text)
    make(editor)
    return editor.finish()


@contextmanager
def _locked(path: Path, name: str) -> Iterator[None]:
    """An exclusive lock on the file itself, re-taken if the file was replaced while we waited."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): atomic writes, but no queueing
        yield
        return
    deadline = _time.monotonic() + LOCK_TIMEOUT
    while True:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise MeetctlError.at(Location(name), "no such file") from None
        except OSError as exc:
            raise MeetctlError.at(Location(name), f"cannot open: {exc.strerror or exc}") from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if _time.monotonic() > deadline:
                        raise MeetctlError.at(
                            Location(name),
                            f"another meetctl has been editing this file for {LOCK_TIMEOUT:.0f}s; nothing was changed",
                        ) from None
                    _time.sleep(0.02)
            # The holder may have renamed a new file into place: lock that one instead.
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            held = os.fstat(fd)
            if current is not None and (current.st_ino, current.st_dev) == (held.st_ino, held.st_dev):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        os.close(fd)  # releases the lock


def _replace(path: Path, name: str, before: bytes, data: bytes) -> bool:
    """Write ``data`` over the file if it still holds ``before``; False if it changed meanwhile."""
    temp = None
    try:
        st = os.stat(path)
        temp = write_temp(path, data, stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid))
        if path.read_bytes() != before:  # changed by something that ignores the lock: redo
            unlink_quietly(temp)
            return False
        os.replace(temp, path)
    except OSError as exc:
        if temp:
            unlink_quietly(temp)
        raise MeetctlError.at(Location(name), f"cannot write: {exc.strerror or exc}; the file is unchanged") from None
    except BaseException:
        if temp:
            unlink_quietly(temp)
        raise
    fsync_folder(path.parent)
    return True


# --------------------------------------------------------------------------- the editor


def _plain(value: Any) -> Any:
    """A value as tomllib reads it back (programme times are "HH:MM" strings)."""
    return f"{value:%H:%M}" if isinstance(value, time) else value


class Editor:
    """One programme's text, the data it holds, and the splices an edit makes to it."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.bom = "\ufeff" if text.startswith("\ufeff") else ""
        self.text = text[len(self.bom) :]
        # Refuse to edit a file that is already invalid: its errors, at their real places.
        self.programme: Programme = parse_programme(self.text, name)
        self.raw: dict[str, Any] = tomllib.loads(self.text)
        self.expected: dict[str, Any] = copy.deepcopy(self.raw)
        try:
            self.layout = Layout.scan(self.text)
        except ScanError as exc:  # tomllib accepted it, so this is our limitation, not the user's
            line = self.text.count("\n", 0, exc.offset) + 1
            raise MeetctlError.at(
                Location(name, line, 1), f"meetctl cannot edit this file safely ({exc}); please edit it by hand"
            ) from None
        self.patch = Patch(self.text)
        self.messages: list[str] = []
        self.allow_clash = False

    # ----------------------------------------------------------------- errors

    def refuse(self, message: str) -> MeetctlError:
        """An error about the requested change (nothing is written)."""
        return MeetctlError.at(Location(self.name), message)

    # ----------------------------------------------------------------- low-level edits

    def set_keys(self, table: TablePath, values: dict[str, Any], after: str | None = None) -> None:
        """Set keys of an existing table: replace values in place, add new keys after ``after``
        (or after the table's last key), with the same indentation as the keys around them."""
        header = self.layout.header(table)
        if header is None:
            raise self._cannot(f"cannot find the [{'.'.join(map(str, table))}] table in the file")
        own = self.layout.keys(table)
        new: dict[str, Any] = {}
        for key, value in values.items():
            statement = self.layout.key(table, key)
            if statement is not None:
                self.patch.replace(statement.value_start, statement.value_end, render_value(value))
            else:
                new[key] = value
        if new:
            anchor: Statement | None = self.layout.key(table, after) if after else None
            anchor = anchor or (own[-1] if own else header)
            indent = anchor.indent if anchor.kind == "kv" else ""
            at = anchor.end
            self.patch.insert(at, ensure_line_end(self.text, at) + render_pairs(new, indent))
        target = self._expected_table(table)
        for key, value in values.items():
            target[key] = _plain(value)

    def remove_key(self, table: TablePath, key: str) -> None:
        """Delete a ``key = value`` statement (its whole line or lines)."""
        statement = self.layout.key(table, key)
        if statement is None:
            return
        self.patch.replace(statement.start, statement.end, "")
        self._expected_table(table).pop(key, None)

    def add_meeting_table(self, values: dict[str, Any]) -> None:
        """A new ``[[meetings]]`` table, in date order if the file's meetings are in date order,
        else after the last one."""
        headers = self.layout.array_headers("meetings")
        existing = self.raw.get("meetings", [])
        if not isinstance(existing, list) or len(headers) != len(existing):
            raise self._cannot("the meetings are not written as [[meetings]] tables")
        day = values["date"]
        dates = [date_of(m["date"]) for m in existing]
        in_order = all(a <= b for a, b in zip(dates, dates[1:], strict=False))
        index = next((i for i, d in enumerate(dates) if d > day), len(dates)) if in_order else len(dates)
        block = render_header(("meetings",), array=True) + "\n" + render_pairs(values)
        if index < len(headers):
            at = self.layout.leading_start(headers[index])
            self.patch.insert(at, block + "\n")
        elif headers:
            at = self.layout.block_end(("meetings", len(headers) - 1))
            self.patch.insert(at, ensure_line_end(self.text, at) + "\n" + block)
        else:
            at = len(self.text)
            gap = "\n" if self.text.strip() else ""
            self.patch.insert(at, ensure_line_end(self.text, at) + gap + block)
        self.expected.setdefault("meetings", []).insert(index, {k: _plain(v) for k, v in values.items()})

    def add_series_table(self, values: dict[str, Any]) -> None:
        """A new ``[[series]]`` table after the last series (or before the first meeting, or at the end)."""
        headers = self.layout.array_headers("series")
        existing = self.raw.get("series", [])
        if not isinstance(existing, list) or len(headers) != len(existing):
            raise self._cannot("the series are not written as [[series]] tables")
        block = render_header(("series",), array=True) + "\n" + render_pairs(values)
        meetings = self.layout.array_headers("meetings")
        if headers:
            at = self.layout.block_end(("series", len(headers) - 1))
            self.patch.insert(at, ensure_line_end(self.text, at) + "\n" + block)
        elif meetings:
            self.patch.insert(self.layout.leading_start(meetings[0]), block + "\n")
        else:
            at = len(self.text)
            gap = "\n" if self.text.strip() else ""
            self.patch.insert(at, ensure_line_end(self.text, at) + gap + block)
        self.expected.setdefault("series", []).append({k: _plain(v) for k, v in values.items()})

    def add_venue_table(self, venue_id: str, values: dict[str, Any]) -> None:
        """A new ``[venues.ID]`` table after the last venue (or after [group])."""
        block = render_header(("venues", venue_id)) + "\n" + render_pairs(values)
        for within in (("venues",), ("group",)):
            try:
                at = self.layout.block_end(within)
                break
            except KeyError:
                continue
        else:
            at = len(self.text)
        self.patch.insert(at, ensure_line_end(self.text, at) + "\n" + block)
        self.expected.setdefault("venues", {})[venue_id] = {k: _plain(v) for k, v in values.items()}

    def _expected_table(self, table: TablePath) -> dict[str, Any]:
        node: Any = self.expected
        for part in table:
            node = node[part]
        return node

    def _cannot(self, why: str) -> MeetctlError:
        return self.refuse(f"meetctl cannot make this change without rewriting what you wrote ({why}); "
                           "nothing was changed: please edit the file by hand")  # fmt: skip

    # ----------------------------------------------------------------- finishing

    def finish(self) -> Change:
        """Check the new text (same data as intended, valid, no new clash) and return the change."""
        new_text = self.patch.apply()
        if new_text != self.text:
            try:
                same = tomllib.loads(new_text) == self.expected
            except tomllib.TOMLDecodeError:
                same = False
            if not same:
                raise self._cannot("the edited text would not read back as intended")
            try:
                new = parse_programme(new_text, self.name)
            except MeetctlError as exc:
                raise MeetctlError(
                    # Without line numbers: they would point into text that was never written.
                    [
                        Problem(f"refused, the programme would not be valid: {p.message}", Location(self.name))
                        for p in exc.problems
                    ]  # fmt: skip
                ) from None
            if not self.allow_clash:
                self._refuse_new_clashes(new)
        return Change(self.name, self.bom + self.text, self.bom + new_text, self.messages)

    def _refuse_new_clashes(self, new: Programme) -> None:
        first, last = _span(self.programme, new)
        if first is None or last is None:
            return
        old_items = occurrences(self.programme, first, last)
        known = {_occurrence_key(o) for o in old_items}
        before = {_pair_key(a, b) for a, b in overlaps(old_items)}
        found = []
        for a, b in overlaps(occurrences(new, first, last)):
            if _pair_key(a, b) in before:
                continue
            if _occurrence_key(b) in known:  # say it from the changed meeting's side
                a, b = b, a
            found.append(f"{when_text(b)} '{b.title}' would overlap '{a.title}' ({when_text(a)})")
        if found:
            raise MeetctlError(
                [
                    Problem(f"refused: {f} (use --allow-clash if both really happen)", Location(self.name))
                    for f in found
                ]  # fmt: skip
            )


def day_text(d: date) -> str:
    return " ".join(format_short_date(d).split())  # 'Wed 7 Feb 2024', not padded for a table


def when_text(o: Occurrence) -> str:
    return f"{day_text(o.date)} {o.start:%H:%M}-{o.end:%H:%M}"


def _occurrence_key(o: Occurrence) -> tuple:
    return (o.uid, o.recurrence_id, o.start, o.end, o.title)


def _pair_key(a: Occurrence, b: Occurrence) -> frozenset:
    return frozenset((_occurrence_key(a), _occurrence_key(b)))


def _span(old: Programme, new: Programme) -> tuple[date | None, date | None]:
    """The dates where the edit changed something: where the meetings entries differ."""
    changed = set(new.meetings) ^ set(old.meetings)
    if not changed:
        return None, None
    first = min(m.date for m in changed) - timedelta(days=2)
    last = max((m.end_date or m.date) for m in changed) + timedelta(days=2)
    return first, last


def date_of(value: Any) -> date:
    """A TOML date (or a "YYYY-MM-DD" string, which the programme also accepts)."""
    return value if isinstance(value, date) else date.fromisoformat(value.strip())
