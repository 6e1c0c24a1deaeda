"""Change the programme file safely: ``add``, ``cancel``, ``move``, ``record``, ``venue add``.

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
import tempfile
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
from meetctl.model.errors import Location, MeetctlError, Problem, did_you_mean
from meetctl.model.programme import Programme, named_programmes, parse_programme, parse_time, programme_paths
from meetctl.model.rules import parse_duration
from meetctl.model.schedule import Occurrence, occurrences, overlaps
from meetctl.model.wording import format_short_date

TEMP_SUFFIX = ".meetctl-tmp"
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
    if len(files) == 1 and not Path(files[0]).exists():
        raise MeetctlError.at(
            Location(str(files[0])), "no such file (`meetctl init` writes a new programme)"
        )
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
    if dry_run:
        return _prepare(name, _read(real, name), make)
    if real.exists() and not os.access(real, os.W_OK):
        raise MeetctlError.at(Location(name), "is read-only; nothing was changed")
    with _locked(real, name):
        _remove_leftovers(real)
        for _ in range(ATTEMPTS):
            before = _read(real, name)
            change = _prepare(name, before, make)
            if not change.changed:
                return change
            if _replace(real, name, before, change.new_text.encode("utf-8")):
                return change
    raise MeetctlError.at(
        Location(name), "the file kept changing while meetctl was editing it; nothing was changed"
    )


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
                            f"another meetctl has been editing this file for {LOCK_TIMEOUT:.0f}s; "
                            "nothing was changed",
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


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _remove_leftovers(path: Path) -> None:
    """Temporary files of edits that were killed (we hold the lock, so none is in progress)."""
    prefix = _temp_prefix(path)
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for entry in names:
        if entry.startswith(prefix) and entry.endswith(TEMP_SUFFIX):
            try:
                os.unlink(path.parent / entry)
            except OSError:
                pass


def _write_temp(path: Path, data: bytes, mode: int, owner: tuple[int, int] | None) -> str:
    """A complete, synced temporary copy of ``data`` beside ``path``; its name."""
    fd, temp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            if hasattr(os, "fchmod"):  # not on Windows
                os.fchmod(out.fileno(), mode)
            if owner is not None and hasattr(os, "fchown"):
                try:
                    os.fchown(out.fileno(), *owner)
                except OSError:
                    pass  # only root may give a file away; keeping our own is fine
            os.fsync(out.fileno())
    except BaseException:
        _unlink_quietly(temp)
        raise
    return temp


def write_atomic(path: str | Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` all at once: temp file in the same folder, fsync, rename.

    ``mode`` defaults to the existing file's permissions, or 0666 less the umask for a
    new file. Raises OSError; the old file (if any) is untouched on failure.
    """
    path = Path(path)
    owner = None
    if mode is None:
        try:
            st = os.stat(path)
            mode, owner = stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
    temp = _write_temp(path, data, mode, owner)
    try:
        os.replace(temp, path)
    except BaseException:
        _unlink_quietly(temp)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    # The rename itself is durable only once the folder is synced.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _replace(path: Path, name: str, before: bytes, data: bytes) -> bool:
    """Write ``data`` over the file if it still holds ``before``; False if it changed meanwhile."""
    temp = None
    try:
        st = os.stat(path)
        temp = _write_temp(path, data, stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid))
        if path.read_bytes() != before:  # changed by something that ignores the lock: redo
            _unlink_quietly(temp)
            return False
        os.replace(temp, path)
    except OSError as exc:
        if temp:
            _unlink_quietly(temp)
        raise MeetctlError.at(
            Location(name), f"cannot write: {exc.strerror or exc}; the file is unchanged"
        ) from None
    except BaseException:
        if temp:
            _unlink_quietly(temp)
        raise
    _fsync_folder(path.parent)
    return True


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


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
        dates = [_date_of(m["date"]) for m in existing]
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
                    [Problem(f"refused, the programme would not be valid: {p.message}", Location(self.name))
                     for p in exc.problems]  # fmt: skip
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
            found.append(f"{_when(b)} '{b.title}' would overlap '{a.title}' ({_when(a)})")
        if found:
            raise MeetctlError(
                [Problem(f"refused: {f} (use --allow-clash if both really happen)", Location(self.name))
                 for f in found]  # fmt: skip
            )


def _day(d: date) -> str:
    return " ".join(format_short_date(d).split())  # 'Wed 7 Feb 2024', not padded for a table


def _when(o: Occurrence) -> str:
    return f"{_day(o.date)} {o.start:%H:%M}-{o.end:%H:%M}"


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


# --------------------------------------------------------------------------- finding a meeting


def _describe(o: Occurrence) -> str:
    what = f"'{o.title}'" + (f" (series {o.series.id})" if o.series else "")
    return f"{_when(o)} {what}"


def find_occurrence(editor: Editor, day: date, series_id: str | None, command: str) -> Occurrence:
    """The meeting on ``day`` (of ``series_id`` if given); a clear refusal if none or several."""
    programme = editor.programme
    if series_id is not None and series_id not in {s.id for s in programme.series}:
        ids = [s.id for s in programme.series]
        raise editor.refuse(f"--series: unknown series '{series_id}'{did_you_mean(series_id, ids)}")
    found = [
        o for o in occurrences(programme, day, day)
        if series_id is None or (o.series is not None and o.series.id == series_id)
    ]  # fmt: skip
    if not found:
        moved = [m for m in programme.meetings if m.replaces == day
                 and (series_id is None or m.series == series_id)]  # fmt: skip
        if moved:
            raise editor.refuse(
                f"{command}: no meeting on {_day(day)}: it was moved to {_day(moved[0].date)}; "
                f"use that date"
            )
        raise editor.refuse(f"{command}: no meeting on {_day(day)}{_nearest(programme, day)}")
    if len(found) > 1:
        listed = "; ".join(_describe(o) for o in found)
        raise editor.refuse(f"{command}: {len(found)} meetings on {day}: {listed}; choose one with --series")
    return found[0]


def _nearest(programme: Programme, day: date) -> str:
    around = occurrences(programme, day - timedelta(days=92), day + timedelta(days=92))
    before = [o for o in around if o.date < day]
    after = [o for o in around if o.date > day]
    near = ([before[-1]] if before else []) + ([after[0]] if after else [])
    if not near:
        return ""
    return " (nearest: " + ", ".join(_day(o.date) for o in near) + ")"


def _date_of(value: Any) -> date:
    """A TOML date (or a "YYYY-MM-DD" string, which the programme also accepts)."""
    return value if isinstance(value, date) else date.fromisoformat(value.strip())


def _meeting_index(programme: Programme, o: Occurrence) -> int | None:
    """The index of the [[meetings]] table that describes ``o``, if one does."""
    if o.meeting is None:
        return None
    return next(i for i, m in enumerate(programme.meetings) if m is o.meeting)


def _check_venue(editor: Editor, venue: str | None) -> None:
    if venue is not None and venue not in editor.programme.venues:
        hint = did_you_mean(venue, editor.programme.venues)
        known = ", ".join(editor.programme.venues) or "none yet; add one with `meetctl venue add`"
        raise editor.refuse(f"--venue: unknown venue '{venue}'{hint} (known: {known})")


def _time_option(editor: Editor, option: str, value: str | None) -> time | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise editor.refuse(f"{option}: {exc}") from None


def _duration_option(editor: Editor, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parse_duration(value)
    except ValueError as exc:
        raise editor.refuse(f"--duration: {exc}") from None
    return value.strip()


def _text_option(editor: Editor, option: str, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise editor.refuse(f"{option}: must not be empty")
    return value


# --------------------------------------------------------------------------- the commands


@dataclass
class NewMeeting:
    """The options of ``meetctl add``."""

    date: date
    series: str | None = None
    title: str | None = None
    description: str | None = None
    lead: str | None = None
    venue: str | None = None
    start: str | None = None
    duration: str | None = None
    end_date: date | None = None


def add(meeting: NewMeeting, allow_clash: bool = False) -> Callable[[Editor], None]:
    """``meetctl add``: a new [[meetings]] table, for a date of a series or a one-off."""

    def make(editor: Editor) -> None:
        p, day = editor.programme, meeting.date
        for option, value in (("--title", meeting.title), ("--description", meeting.description),
                              ("--lead", meeting.lead)):  # fmt: skip
            _text_option(editor, option, value)
        start = _time_option(editor, "--start", meeting.start)
        duration = _duration_option(editor, meeting.duration)
        _check_venue(editor, meeting.venue)
        if meeting.end_date is not None and meeting.end_date < day:
            raise editor.refuse(f"--end-date {meeting.end_date} is before --date {day}")
        series = _series_for(editor, day, meeting.series)
        if series is None:
            missing = [o for o, v in (("--title", meeting.title), ("--start", start)) if v is None]
            if missing:
                dates = ""
                if p.series:
                    dates = f"{day} is not a date of any series, so this is a one-off meeting; "
                raise editor.refuse(f"{dates}a one-off meeting needs {' and '.join(missing)}")
        values: dict[str, Any] = {}
        if series is not None:
            values["series"] = series
        values["date"] = day
        for key, value in (("end_date", meeting.end_date), ("title", meeting.title),
                           ("description", meeting.description), ("lead", meeting.lead),
                           ("start", start), ("duration", duration), ("venue", meeting.venue)):  # fmt: skip
            if value is not None:
                values[key] = value
        editor.add_meeting_table(values)
        editor.allow_clash = allow_clash
        title = (meeting.title or p.series_by_id(series).title) if series else meeting.title
        where = f" (series {series})" if series else " (one-off)"
        editor.messages.append(f"added a meeting on {_day(day)}: '{title}'{where}")

    return make


def _series_for(editor: Editor, day: date, series_id: str | None) -> str | None:
    """The series a new meeting on ``day`` belongs to: the one named, else the only one with that date."""
    p = editor.programme
    described = {(m.series, m.original_date): i for i, m in enumerate(p.meetings) if m.series}
    if series_id is not None:
        try:
            s = p.series_by_id(series_id)
        except KeyError:
            ids = [s.id for s in p.series]
            raise editor.refuse(
                f"--series: unknown series '{series_id}'{did_you_mean(series_id, ids)}"
                + (f" (known: {', '.join(ids)})" if ids else " (the programme has no series)")
            ) from None
        if not s.has_date(day) or day in s.skip:
            why = "is skipped in" if day in s.skip else "is not a date of"
            raise editor.refuse(
                f"refused: {day} {why} series '{s.id}' ({s.rule.source})"
                f"{_nearest_of_series(s, day)}; to hold it on another date, use "
                f"`meetctl move DATE --to {day}`"
            )
        candidates = [s]
    else:
        candidates = [s for s in p.series if s.has_date(day) and day not in s.skip]
        candidates = [s for s in candidates if (s.id, day) not in described] or candidates
        if len(candidates) > 1:
            ids = ", ".join(s.id for s in candidates)
            raise editor.refuse(f"{day} is a date of several series ({ids}); choose one with --series")
        if not candidates:
            return None
    s = candidates[0]
    if (s.id, day) in described:
        i = described[s.id, day]
        where = p.meetings[i].location
        line = f" at line {where.line}" if where and where.line else ""
        raise editor.refuse(
            f"refused: the {day} meeting of series '{s.id}' is already written (meetings[{i + 1}]{line}); "
            "edit it by hand, or use cancel, move or record"
        )
    return s.id


def _nearest_of_series(series: Any, day: date) -> str:
    dates = series.dates(day - timedelta(days=92), day + timedelta(days=92))
    before = [d for d in dates if d < day]
    after = [d for d in dates if d > day]
    near = ([before[-1]] if before else []) + ([after[0]] if after else [])
    return " (nearest: " + ", ".join(_day(d) for d in near) + ")" if near else ""


def _set_on_meeting(editor: Editor, o: Occurrence, values: dict[str, Any]) -> None:
    """Set ``values`` on the ``[[meetings]]`` entry of ``o``, adding one for a plain series date."""
    index = _meeting_index(editor.programme, o)
    if index is None:
        assert o.series is not None
        editor.add_meeting_table({"series": o.series.id, "date": o.date, **values})
    else:
        editor.set_keys(("meetings", index), values)


def cancel(day: date, reason: str | None, series_id: str | None = None) -> Callable[[Editor], None]:
    """``meetctl cancel``: mark the meeting on ``day`` cancelled (with a reason)."""

    def make(editor: Editor) -> None:
        _text_option(editor, "--reason", reason)
        o = find_occurrence(editor, day, series_id, "cancel")
        if o.cancelled and (reason is None or reason == o.reason):
            editor.messages.append(f"nothing to change: {_describe(o)} is already cancelled")
            return
        values: dict[str, Any] = {"cancelled": True}
        if reason is not None:
            values["reason"] = reason
        _set_on_meeting(editor, o, values)
        because = f", reason: {reason}" if reason else ""
        editor.messages.append(f"cancelled {_describe(o)}{because}")

    return make


def move(
    day: date,
    to: date | None,
    start: str | None = None,
    venue: str | None = None,
    series_id: str | None = None,
    allow_clash: bool = False,
) -> Callable[[Editor], None]:
    """``meetctl move``: hold the meeting on ``day`` on another date, time or venue instead.

    A series' meeting gets ``replaces = <its original date>``, so calendars update
    the occurrence rather than adding a second one.
    """

    def make(editor: Editor) -> None:
        new_start = _time_option(editor, "--start", start)
        _check_venue(editor, venue)
        o = find_occurrence(editor, day, series_id, "move")
        if o.cancelled:
            raise editor.refuse(f"move: {_describe(o)} is cancelled; nothing to move")
        new_day = to or o.date
        values: dict[str, Any] = {}
        if new_day != o.date:
            values["date"] = new_day
            meeting = o.meeting
            if meeting is not None and meeting.end_date is not None:  # a multi-day meeting moves whole
                values["end_date"] = meeting.end_date + (new_day - o.date)
        if new_start is not None and new_start != o.start.time():
            values["start"] = new_start
        if venue is not None and venue != (o.venue.id if o.venue else None):
            values["venue"] = venue
        if not values:
            editor.messages.append(f"nothing to change: {_describe(o)} is already there and then")
            return
        original = o.recurrence_id.date() if o.series is not None and o.recurrence_id else None
        index = _meeting_index(editor.programme, o)
        if index is None:
            assert o.series is not None and original is not None
            item: dict[str, Any] = {"series": o.series.id, "date": new_day}
            if new_day != original:
                item["replaces"] = original
            item.update((k, v) for k, v in values.items() if k != "date")
            editor.add_meeting_table(item)
        else:
            table = ("meetings", index)
            if original is not None and new_day != original:
                editor.set_keys(table, {"date": new_day, "replaces": original}, after="date")
                values.pop("date", None)
            elif original is not None and new_day == original and o.meeting and o.meeting.replaces:
                editor.remove_key(table, "replaces")  # moved back to its own date
            editor.set_keys(table, values, after="date")
            if new_day != o.date:  # a timetable's own dates move with the meeting
                for j, session in enumerate(editor.raw["meetings"][index].get("sessions", [])):
                    if "date" in session:
                        shifted = _date_of(session["date"]) + (new_day - o.date)
                        editor.set_keys((*table, "sessions", j), {"date": shifted})
        editor.allow_clash = allow_clash
        when = ([_day(new_day)] if new_day != o.date else []) + (
            [f"{new_start:%H:%M}"] if "start" in values else []
        )
        where = f"to {' '.join(when)}" if when else ""
        if "venue" in values:
            name = editor.programme.venues[venue].name  # type: ignore[index]
            where += f" at {name}" if when else f"to {name}"
        editor.messages.append(f"moved {_describe(o)} {where}")

    return make


def record(
    day: date, attendance: int, notes: str | None, today: date, series_id: str | None = None
) -> Callable[[Editor], None]:
    """``meetctl record``: write down how many came (and notes) after a meeting."""

    def make(editor: Editor) -> None:
        _text_option(editor, "--notes", notes)
        if attendance < 0:
            raise editor.refuse("--attendance must not be negative")
        o = find_occurrence(editor, day, series_id, "record")
        if o.cancelled:
            raise editor.refuse(f"record: {_describe(o)} was cancelled")
        if o.date > today:
            raise editor.refuse(f"record: {_describe(o)} has not happened yet (today is {today})")
        values: dict[str, Any] = {"attendance": attendance}
        if notes is not None:
            values["notes"] = notes
        _set_on_meeting(editor, o, values)
        was = o.meeting.attendance if o.meeting else None
        before = f" (was {was})" if was is not None and was != attendance else ""
        editor.messages.append(f"recorded attendance {attendance}{before} for {_describe(o)}")

    return make


def add_venue(
    venue_id: str, name: str, address: str | None, directions: str | None = None,
    accessibility: str | None = None,
) -> Callable[[Editor], None]:  # fmt: skip
    """``meetctl venue add``: a new [venues.ID] table."""
    import re

    def make(editor: Editor) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", venue_id):
            raise editor.refuse(f"venue id {venue_id!r}: use letters, digits, '-' and '_' only (e.g. 'hall')")
        if venue_id in editor.programme.venues:
            place = editor.programme.locate(("venues", venue_id))
            line = f" (line {place.line})" if place.line else ""
            raise editor.refuse(f"refused: venue '{venue_id}' already exists{line}")
        values: dict[str, Any] = {"name": _text_option(editor, "--name", name)}
        for key, value in (("address", address), ("directions", directions),
                           ("accessibility", accessibility)):  # fmt: skip
            if value is not None:
                values[key] = _text_option(editor, f"--{key}", value)
        editor.add_venue_table(venue_id, values)
        editor.messages.append(f"added venue '{venue_id}': {name}" + (f", {address}" if address else ""))

    return make
