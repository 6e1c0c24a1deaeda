"""Whole folders (``meetctl site``): built beside their place, swapped in at once, rebuilt incrementally.

Stage: the last (the output writer, with :mod:`meetctl.output`). A folder is built in a
temporary sibling (``.NAME.*.meetctl-tmp``, locked while it is built) and exchanged with
the old one in one step; a file whose bytes did not change is hard-linked from the old
folder, so it keeps its inode and mtime. Leftovers of killed runs are removed by the next.
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
from meetctl.output import TEMP_SUFFIX, fsync_folder

#: The file that marks a folder as made by meetctl (a site), so a later run may replace it.
#: After its first line it lists what each reusable file was made from (see :meth:`FolderWriter.reuse`).
FOLDER_MARKER = ".meetctl-site"
_MARKER_HEAD = "This folder is written by meetctl; the next run replaces all of it.\n"
_SMALL = 1 << 20  # a file up to this size is compared in memory; a bigger one after it is written


class FolderWriter:
    """Writes the files of a folder under construction, one at a time (see :func:`write_folder`).

    With ``previous`` (the folder being replaced), a file whose bytes are unchanged is
    hard-linked from it instead of written: its inode and mtime stay, so ``rsync`` and
    static hosts upload only what changed. ``written`` counts the files with new bytes.
    """

    def __init__(self, root: Path, previous: Path | None = None) -> None:
        self.root = root
        self.previous = previous
        self.count = 0
        self.written = 0
        self._root = str(root)
        self._folders: set[str] = {self._root}
        self._inside: dict[str, bool] = {}
        self._old_keys = _OldKeys(previous / FOLDER_MARKER) if previous is not None else None
        self._section: dict[str, str] = {}
        self._marker = open(root / FOLDER_MARKER, "x", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._marker.write(_MARKER_HEAD)

    def write(self, relative: str, data: bytes) -> None:
        """Write ``data`` to ``relative`` (a '/'-separated name chosen by meetctl) inside the folder."""
        self.write_pieces(relative, [data])

    def section(self, name: str) -> None:
        """Start a group of keys (a year of pages): only one group's old keys are held at a time."""
        self._section = self._old_keys.section(name) if self._old_keys else {}
        self._marker.write(f"[{name}]\n")

    def reuse(self, relative: str, key: str) -> bool:
        """Take ``relative`` unchanged from the previous folder if it was made from the same ``key``.

        ``key`` is a digest of everything the file is made from; True when the old file
        was linked in (the caller then need not make it at all).
        """
        if self._section.get(relative) != key:
            return False
        path = self._path(relative)
        if not self._link_previous(relative, path):
            return False
        self._remember(relative, key)
        self.count += 1
        return True

    def write_pieces(self, relative: str, pieces: Iterable[bytes], key: str | None = None) -> None:
        """Write a file from ``pieces`` as they come (a long page is never held whole).

        Bytes equal to the previous folder's file are linked from it instead. ``key``
        (see :meth:`reuse`) is remembered for the next run.
        """
        path = self._path(relative)
        buffered: list[bytes] = []
        size = 0
        rest = iter(pieces)
        for piece in rest:
            buffered.append(piece)
            size += len(piece)
            if size > _SMALL:
                break
        else:
            data = b"".join(buffered)
            if not (self._same_as_previous(relative, data) and self._link_previous(relative, path)):
                with open(path, "xb") as out:  # a name written twice is a bug, never a silent overwrite
                    out.write(data)
                self.written += 1
            self._done(relative, key)
            return
        with open(path, "xb") as out:  # streamed: one piece in memory at a time
            for piece in buffered:
                out.write(piece)
            for piece in rest:
                out.write(piece)
        old = self._previous_file(relative)
        import filecmp

        if old is not None and filecmp.cmp(old, path, shallow=False):
            os.unlink(path)
            if not self._link_previous(relative, path):
                raise OSError(f"{relative}: could not keep the unchanged file")
        else:
            self.written += 1
        self._done(relative, key)

    def close(self) -> None:
        """Finish the marker (with the keys of this run)."""
        self._marker.close()

    def _done(self, relative: str, key: str | None) -> None:
        if key is not None:
            self._remember(relative, key)
        self.count += 1

    def _remember(self, relative: str, key: str) -> None:
        self._marker.write(f"{relative}\t{key}\n")

    def _path(self, relative: str) -> str:
        parts = relative.split("/")
        if any(part in ("", ".", "..") or os.sep in part or "\n" in part or "\t" in part for part in parts):
            raise MeetctlError.at(Location(relative), "would be written outside the folder")
        # Plain strings: a Path per file would intern every name of a big site for the whole run.
        path = os.path.join(self._root, *parts)
        parent = os.path.dirname(path)
        if parent not in self._folders:  # each folder is made once, not once per file
            os.makedirs(parent, exist_ok=True)
            self._folders.add(parent)
        return path

    def _previous_file(self, relative: str) -> str | None:
        """The previous folder's regular file at ``relative`` (never through a symlink), or None."""
        if self.previous is None:
            return None
        folder, _, _ = relative.rpartition("/")
        if folder not in self._inside:
            # A folder of the old site that is a symlink (or leads through one) is never read from.
            where = self.previous / folder
            expected = os.path.join(os.path.realpath(self.previous), folder).rstrip("/")
            self._inside[folder] = where.is_dir() and os.path.realpath(where) == expected
        if not self._inside[folder]:
            return None
        old = os.path.join(self.previous, *relative.split("/"))
        try:
            st = os.lstat(old)
        except OSError:
            return None
        return old if stat.S_ISREG(st.st_mode) else None

    def _same_as_previous(self, relative: str, data: bytes) -> bool:
        old = self._previous_file(relative)
        if old is None:
            return False
        try:
            if os.stat(old).st_size != len(data):
                return False
            with open(old, "rb") as fh:
                return fh.read() == data
        except OSError:
            return False

    def _link_previous(self, relative: str, path: str) -> bool:
        old = self._previous_file(relative)
        if old is None:
            return False
        try:
            os.link(old, path, follow_symlinks=False)
        except OSError:
            try:  # a file system without hard links: a copy that keeps the mtime
                shutil.copy2(old, path, follow_symlinks=False)
            except OSError:
                return False
        return True


class _OldKeys:
    """The keys a previous run wrote into its marker, read one section at a time."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker
        self.offsets: dict[str, int] = {}
        try:
            with open(marker, "rb") as fh:
                offset = 0
                for line in fh:
                    if line.startswith(b"[") and line.endswith(b"]\n"):
                        self.offsets[line[1:-2].decode("utf-8", "replace")] = offset
                    offset += len(line)
        except OSError:
            pass  # no marker (or unreadable): nothing is reused

    def section(self, name: str) -> dict[str, str]:
        keys: dict[str, str] = {}
        if name not in self.offsets:
            return keys
        with open(self.marker, "rb") as fh:
            fh.seek(self.offsets[name])
            fh.readline()
            for line in fh:
                if line.startswith(b"["):
                    break
                relative, _, key = line.decode("utf-8", "replace").rstrip("\n").partition("\t")
                keys[relative] = key
        return keys


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
            raise MeetctlError.at(where, "exists and was not made by meetctl; not replaced (use --force to replace it)")
    return target


def _made_by_meetctl(folder: Path) -> bool:
    try:
        return folder.is_dir() and not folder.is_symlink() and (folder / FOLDER_MARKER).is_file()
    except OSError:
        return False


def remove_folder_leftovers(target: Path) -> None:
    """Remove the temporary folders of ``target`` that killed runs left (``.NAME.*.meetctl-tmp``).

    Only folders meetctl made (they hold :data:`FOLDER_MARKER`, or nothing at all) and
    that no running build holds locked: a build locks its folder from the start.
    """
    prefix = f".{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for entry in names:
        if not (entry.startswith(prefix) and entry.endswith(TEMP_SUFFIX)):
            continue
        leftover = target.parent / entry
        try:
            if leftover.is_symlink() or not leftover.is_dir():
                continue
            if os.listdir(leftover) and not _made_by_meetctl(leftover):
                continue
        except OSError:
            continue
        fd = _lock_folder(leftover, wait=False)
        if fd is None:
            continue  # another meetctl is building it now
        try:
            shutil.rmtree(leftover, ignore_errors=True)
        finally:
            os.close(fd)


def _lock_folder(folder: Path, wait: bool = True) -> int | None:
    """An open descriptor of ``folder`` holding its lock (None if another process holds it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except ImportError:
        pass  # no flock (Windows): leftovers are still removed, without the guard
    except OSError:
        os.close(fd)
        return None
    return fd


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While a folder is built, SIGTERM (systemd, ``timeout``) unwinds like Ctrl-C, so the
    temporary folder is removed; left as it was when someone else handles SIGTERM."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def write_folder(target: Path, force: bool = False) -> Iterator[FolderWriter]:
    """Build a folder as a whole: files go into a temporary sibling, which then replaces ``target``.

    Readers see the old folder or the new one, never a half-written one: the new folder
    is synced and exchanged with the old one in one step (Linux ``renameat2``; elsewhere
    two renames), then the old one is removed. Unchanged files are linked from the old
    folder, so they keep their mtime. On any failure, Ctrl-C or SIGTERM the temporary
    folder is removed and ``target`` is untouched; what a SIGKILL leaves, the next run removes.
    """
    target = check_folder_target(target, force)
    where = Location(str(target))
    remove_folder_leftovers(target)
    with _terminate_as_interrupt():
        try:
            temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent))
        except OSError as exc:
            raise MeetctlError.at(where, f"cannot write: {exc.strerror or exc}") from None
        lock = _lock_folder(temp)
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o777 & ~umask)  # mkdtemp makes 0700; a web server must read a site
            writer = FolderWriter(temp, target if _made_by_meetctl(target) else None)
            try:
                yield writer
            finally:
                writer.close()
            if hasattr(os, "sync"):
                os.sync()  # one sync for thousands of files, rather than an fsync each
            _swap_in(temp, target)
        except OSError as exc:
            shutil.rmtree(temp, ignore_errors=True)
            raise MeetctlError.at(where, f"cannot write: {exc.strerror or exc}") from None
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        finally:
            if lock is not None:
                os.close(lock)


def exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``).

    False where that is not available (another system, an old kernel, a file system
    without it): the caller then falls back to two renames.
    """
    import sys

    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False  # a libc without it (glibc < 2.28, musl < 1.2.?)
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in place of ``target``, then remove the old one."""
    check_folder_target(target, force=True)  # still not a file (it may have changed while we built)
    if not target.exists():
        os.rename(new, target)
        fsync_folder(target.parent)
        return
    if exchange(new, target):  # no moment without a site
        fsync_folder(target.parent)
        shutil.rmtree(new, ignore_errors=True)  # now the old site
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
