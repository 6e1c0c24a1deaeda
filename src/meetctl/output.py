"""The one output writer: every file meetctl writes (``-o``, reports, edits, ``init``) goes through here.

Stage: the last (stdout, file or server). Decides whether a path may be written and
writes it atomically: a temporary file in the same folder, fsync, rename, folder fsync.
Imports only :mod:`meetctl.model.errors`.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from meetctl.model.errors import Location, MeetctlError

#: Temporary files end so, and start with "." + the target's name (a leftover is recognised by both).
TEMP_SUFFIX = ".meetctl-tmp"


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_leftovers(path: Path) -> None:
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


def write_temp(path: Path, data: bytes, mode: int, owner: tuple[int, int] | None) -> str:
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
        unlink_quietly(temp)
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
    temp = write_temp(path, data, mode, owner)
    try:
        os.replace(temp, path)
    except BaseException:
        unlink_quietly(temp)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
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


def unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_output(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once (:func:`write_atomic`), as a located error on failure."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise MeetctlError.at(Location(str(path)), f"cannot write: {exc.strerror or exc}") from None


def check_output_path(path: Path, force: bool) -> None:
    """Refuse to replace a file that is not a calendar (``-o programme.toml`` by mistake) without --force."""
    if force or not path.exists():
        return
    if path.is_dir():
        raise MeetctlError.at(Location(str(path)), "is a folder; give a file name for the calendar")
    try:
        with path.open("rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \r\n\t")
    except OSError as exc:
        raise MeetctlError.at(Location(str(path)), f"cannot read: {exc.strerror or exc}") from None
    if head and not head.upper().startswith(b"BEGIN:VCALENDAR"):
        raise MeetctlError.at(
            Location(str(path)), "exists and is not a calendar; not overwritten (use --force to replace it)"
        )

def write_file(path: Path, data: bytes, force: bool = True) -> None:
    """Write ``data`` atomically (temp file + fsync + rename); without ``force`` never replace a file."""
    where = Location(str(path))
    if path.is_dir():
        raise MeetctlError.at(where, "is a folder; give a file name")
    if not force and path.exists():
        raise MeetctlError.at(where, "already exists (use --force to replace it)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise MeetctlError.at(where, f"cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a document is an ordinary file
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if someone created the file meanwhile: still no clobbering
            os.unlink(tmp)
    except FileExistsError:
        os.unlink(tmp)
        raise MeetctlError.at(where, "already exists (use --force to replace it)") from None
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise MeetctlError.at(where, f"cannot write: {exc.strerror or exc}") from None


def write_output_stream(path: Path, chunks: Iterable[bytes]) -> None:
    """:func:`write_output` for output made a piece at a time (``ical --expand`` over decades).

    The pieces go straight into the temporary file, which replaces ``path`` only when
    complete: memory for one piece, and still all or nothing.
    """
    where = Location(str(path))
    try:
        try:
            st = os.stat(path)
            mode, owner = stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode, owner = 0o666 & ~umask, None
        temp = write_temp(path, b"", mode, owner)
    except OSError as exc:
        raise MeetctlError.at(where, f"cannot write: {exc.strerror or exc}") from None
    try:
        with open(temp, "ab") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        unlink_quietly(temp)
        raise MeetctlError.at(where, f"cannot write: {exc.strerror or exc}") from None
    except BaseException:
        unlink_quietly(temp)
        raise
    fsync_folder(path.parent)
