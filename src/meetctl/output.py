"""The one output writer: every file meetctl writes (``-o``, reports, edits, ``init``) goes through here.

Stage: the last (stdout, file or server). Decides whether a path may be written and
writes it atomically: a temporary file in the same folder, fsync, rename, folder fsync.
Imports only :mod:`meetctl.model.errors`.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


# --------------------------------------------------------------------------- whole folders (`meetctl site`)

#: The file that marks a folder as made by meetctl (a site), so a later run may replace it.
FOLDER_MARKER = ".meetctl-site"


class FolderWriter:
    """Writes the files of a folder under construction, one at a time (see :func:`write_folder`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0

    def write(self, relative: str, data: bytes) -> None:
        """Write ``data`` to ``relative`` (a '/'-separated name chosen by meetctl) inside the folder."""
        self.write_pieces(relative, [data])

    def write_pieces(self, relative: str, pieces: Iterable[bytes]) -> None:
        """Write a file from ``pieces`` as they come (a long page is never held whole)."""
        parts = relative.split("/")
        if any(part in ("", ".", "..") or os.sep in part for part in parts):  # names are ours; still, stay inside
            raise MeetctlError.at(Location(relative), "would be written outside the folder")
        path = self.root.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:  # a name written twice is a bug, never a silent overwrite
            for piece in pieces:
                out.write(piece)
        self.count += 1


def check_folder_target(target: Path, force: bool) -> Path:
    """The folder ``target`` names (a symlink is followed); an error if meetctl may not replace it.

    A folder may be replaced when it is missing, empty, or carries :data:`FOLDER_MARKER`
    (meetctl made it); anything else only with ``force``. A file is never replaced, and
    the folder it goes in must exist.
    """
    where = Location(str(target))
    if target.is_symlink():
        target = target.resolve()
    if not target.parent.is_dir():
        raise MeetctlError.at(where, f"folder {target.parent} does not exist")
    if target.exists() and not target.is_dir():
        raise MeetctlError.at(where, "exists and is not a folder; not replaced")
    if target.is_dir() and not force:
        try:
            entries = os.listdir(target)
        except OSError as exc:
            raise MeetctlError.at(where, f"cannot read: {exc.strerror or exc}") from None
        if entries and FOLDER_MARKER not in entries:
            raise MeetctlError.at(
                where, "exists and was not made by meetctl; not replaced (use --force to replace it)"
            )
    return target


@contextmanager
def write_folder(target: Path, force: bool = False) -> Iterator[FolderWriter]:
    """Build a folder as a whole: files go into a temporary sibling, which then replaces ``target``.

    Readers see the old folder or the new one, never a half-written one: the new folder
    is synced, the old one renamed away, the new one renamed in, the old one removed.
    On any failure (or Ctrl-C) the temporary folder is removed and ``target`` is untouched.
    """
    target = check_folder_target(target, force)
    where = Location(str(target))
    try:
        temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent))
    except OSError as exc:
        raise MeetctlError.at(where, f"cannot write: {exc.strerror or exc}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o777 & ~umask)  # mkdtemp makes 0700; a web server must read a site
        writer = FolderWriter(temp)
        yield writer
        writer.write(FOLDER_MARKER, b"This folder is written by meetctl; the next run replaces all of it.\n")
        if hasattr(os, "sync"):
            os.sync()  # one sync for thousands of files, rather than an fsync each
        _swap_in(temp, target)
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise MeetctlError.at(where, f"cannot write: {exc.strerror or exc}") from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _swap_in(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in place of ``target`` (rename old away, new in, remove old)."""
    check_folder_target(target, force=True)  # still not a file (it may have changed while we built)
    if not target.exists():
        os.rename(new, target)
        fsync_folder(target.parent)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", suffix=TEMP_SUFFIX, dir=target.parent))
    os.rmdir(old)  # only its unique name is wanted
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)  # put the old site back
        raise
    fsync_folder(target.parent)
    shutil.rmtree(old, ignore_errors=True)
