"""The one output writer: every file meetctl writes (``-o``, reports, edits, ``init``) goes through here.

Stage: the last (stdout, file or server). Decides whether a path may be written and
writes it atomically: a temporary file in the same folder, fsync, rename, folder fsync.
Imports only :mod:`meetctl.model.errors`.

The rules (PRODUCT.md, "-o PATH"), the same for every command:

- an existing file is replaced only if it is of the kind the command writes
  (:data:`KINDS` says how each kind is recognised), or with ``--force``;
- never anything that is not a regular file (a folder, FIFO, device or socket),
  not even with ``--force``; never a programme file the command itself read;
- a symlink is written through: its target is replaced, the link stays;
- a missing folder is an error, never created silently;
- a temporary file left by a killed run (``.NAME.*.meetctl-tmp``) is removed by the
  next write to that path. Each temporary file is ``flock``-ed while it is written,
  so one that another running meetctl is still writing is never taken for a leftover.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from meetctl.model.errors import Location, MeetctlError

#: Temporary files end so, and start with "." + the target's name (a leftover is recognised by both).
TEMP_SUFFIX = ".meetctl-tmp"


def _starts_with(*signatures: bytes) -> Callable[[bytes], bool]:
    def recognise(head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \r\n\t").lower()
        return any(text.startswith(s) for s in signatures)

    return recognise


def _never(head: bytes) -> bool:
    return False


class OutputKind(NamedTuple):
    """What a command writes, and how an existing file of that kind is recognised from its first bytes."""

    noun: str
    recognise: Callable[[bytes], bool]


#: Every kind of file meetctl writes. A file "of the kind" may be replaced without --force;
#: kinds that recognise nothing (programmes, reports, templates: text a person edits)
#: never replace an existing file without --force.
KINDS: dict[str, OutputKind] = {
    "calendar": OutputKind("a calendar", _starts_with(b"begin:vcalendar")),
    "pdf": OutputKind("a PDF", _starts_with(b"%pdf-")),
    "png": OutputKind("a PNG image", _starts_with(b"\x89png\r\n\x1a\n")),
    "html": OutputKind("an HTML page", _starts_with(b"<!doctype html", b"<html")),
    "programme": OutputKind("a programme", _never),
    "report": OutputKind("a report", _never),
    "announcement": OutputKind("an announcement", _never),
    # A Markdown agenda starts with this comment; a text one is plain text a person may have written: --force.
    "agenda": OutputKind("an agenda", _starts_with(b"<!-- meetctl agenda -->")),
    "template": OutputKind("a template", _never),
}

_HEAD = 256  # bytes read to recognise a file


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _where(path: str | Path) -> Location:
    return Location(str(path))


def resolve_target(path: str | Path) -> Path:
    """The file a write to ``path`` really replaces: a symlink's final target (the link is kept)."""
    return Path(os.path.realpath(path))


def check_output(path: str | Path, kind: str, force: bool = False) -> Path:
    """Refuse (MeetctlError at ``path``) what :func:`write_output` must not write; return the real target.

    Call it before the work of making the output, so a refusal comes at once.
    """
    from meetctl.model.loading import programmes_read

    spec = KINDS[kind]
    where = _where(path)
    target = resolve_target(path)
    if str(target) in programmes_read():
        raise MeetctlError.at(where, "is a programme this command reads; never replaced, not even with --force")
    if not target.parent.is_dir():
        raise MeetctlError.at(where, f"no such folder: {Path(path).parent}; create it first")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise MeetctlError.at(where, f"cannot write: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise MeetctlError.at(where, f"is a folder; give a file name for {spec.noun}")
    if not stat.S_ISREG(st.st_mode):
        raise MeetctlError.at(where, "is not a regular file (a FIFO, device or socket); meetctl never writes over one")
    if force or (st.st_size == 0 and spec.recognise is not _never):
        return target
    try:
        with open(target, "rb") as fh:
            head = fh.read(_HEAD)
    except OSError as exc:
        raise MeetctlError.at(where, f"cannot read: {exc.strerror or exc}") from None
    if spec.recognise is _never:
        raise MeetctlError.at(where, "already exists (use --force to replace it)")
    if not spec.recognise(head):
        raise MeetctlError.at(where, f"exists and is not {spec.noun}; not overwritten (use --force to replace it)")
    return target


def write_output(path: str | Path, data: bytes, kind: str, force: bool = False) -> Path:
    """Write ``data`` to ``path`` for a command that makes ``kind`` (a key of :data:`KINDS`).

    Applies every rule of the module doc (a MeetctlError at ``path`` when one refuses or
    the write fails); returns the file actually written (a symlink's target).
    """
    target = check_output(path, kind, force)
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise MeetctlError.at(_where(path), f"cannot write: {exc.strerror or exc}") from None
    return target


def remove_leftovers(path: Path) -> None:
    """Remove temporary files beside ``path`` left by killed runs (never one still being written)."""
    prefix = _temp_prefix(path)
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for entry in names:
        if entry.startswith(prefix) and entry.endswith(TEMP_SUFFIX):
            leftover = path.parent / entry
            if _abandoned(leftover):
                unlink_quietly(str(leftover))


def _abandoned(temp: Path) -> bool:
    """Whether no live process holds ``temp``'s lock (the writer died, or never took it)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; a leftover is only ever ours
        return True
    try:
        fd = os.open(temp, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # also releases the lock we may have taken


def write_temp(path: Path, data: bytes | Iterable[bytes], mode: int, owner: tuple[int, int] | None) -> str:
    """A complete, synced temporary copy of ``data`` beside ``path``; its name.

    The file is locked while written (see :func:`remove_leftovers`); the lock goes with
    the descriptor once the copy is complete.
    """
    fd, temp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                import fcntl

                fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (ImportError, OSError):
                pass  # no flock: leftovers are still removed, just without the guard
            if isinstance(data, bytes):
                out.write(data)
            else:  # streamed: one piece in memory at a time
                for piece in data:
                    out.write(piece)
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
        unlink_quietly(temp)
        raise
    return temp


def write_atomic(path: str | Path, data: bytes | Iterable[bytes], mode: int | None = None) -> None:
    """Write ``data`` to ``path`` all at once: temp file in the same folder, fsync, rename.

    No policy (see :func:`write_output` for that): ``path`` should be a real file's path.
    ``mode`` defaults to the existing file's permissions, or 0666 less the umask for a
    new file. Leftover temporary files of ``path`` are removed first. Raises OSError;
    the old file (if any) is untouched on failure.
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
    remove_leftovers(path)
    temp = write_temp(path, data, mode, owner)
    try:
        os.replace(temp, path)
    except BaseException:
        unlink_quietly(temp)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort)."""
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


def unlink_quietly(path: str) -> None:
    """Remove ``path`` if it is there."""
    try:
        os.unlink(path)
    except OSError:
        pass


def write_output_stream(path: str | Path, chunks: Iterable[bytes], kind: str, force: bool = False) -> Path:
    """:func:`write_output` for output made a piece at a time (``ical --expand`` over decades).

    The same rules; the pieces go straight into the temporary file, which replaces the
    target only when complete: memory for one piece, and still all or nothing.
    """
    target = check_output(path, kind, force)
    try:
        write_atomic(target, chunks)
    except OSError as exc:
        raise MeetctlError.at(_where(path), f"cannot write: {exc.strerror or exc}") from None
    return target
