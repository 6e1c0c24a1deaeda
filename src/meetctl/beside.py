"""Files read beside the programme (``reports/``, ``templates/``): one rule for every one of them.

Stage: input, beside the model. A folder beside the programme may be shared, synced
or unpacked from someone else's archive, and what meetctl reads from it can end up
on a public website or in a mail to the list. So a file there is read only when it
is a regular file whose real path (every symbolic link followed) is inside its
folder: a link to ``/etc/passwd`` or ``/proc/self/environ``, a FIFO, a device or a
folder is refused at its path, never followed or read. A file is also read only up
to a bound, so a huge one is an error, not a memory blow-up.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from meetctl.model.errors import Location, MeetctlError

#: The most meetctl reads from one file beside the programme (a report, a template).
MAX_BYTES = 4 * 1024 * 1024


def inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> str:
    """The real path of ``path`` when it is inside ``folder`` (after following every link).

    Otherwise a located error at ``path``: the link is refused, never followed.
    """
    root = os.path.realpath(folder)
    real = os.path.realpath(path)
    if os.path.commonpath([root, real]) != root:
        raise MeetctlError.at(
            Location(str(path)), f"leads out of its folder {folder} (a link out of it is never followed)"
        )
    return real


def read_beside(path: str | os.PathLike[str], folder: str | os.PathLike[str], limit: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``, a regular file inside ``folder``, at most ``limit`` of them.

    A link leading out of ``folder``, anything but a regular file, an unreadable or a
    too-large file is a located error at ``path``.
    """
    real = inside(path, folder)
    where = Location(str(path))
    try:
        # O_NOFOLLOW: the real path has no link left, so a link swapped in since is refused;
        # O_NONBLOCK: opening a FIFO does not wait for a writer (fstat then refuses it).
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise MeetctlError.at(where, f"cannot read: {exc.strerror or 'unreadable'}") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise MeetctlError.at(where, "not a regular file (only plain files beside the programme are read)")
        if info.st_size > limit:
            raise MeetctlError.at(where, f"too large to read ({info.st_size} bytes; at most {limit})")
        data = fh.read(limit + 1)
    if len(data) > limit:  # grew while being read
        raise MeetctlError.at(where, f"too large to read (over {limit} bytes)")
    return data


def exists_beside(path: str | os.PathLike[str]) -> bool:
    """Whether anything is at ``path`` itself (a link counts, even a broken one): then it must pass the rule."""
    return os.path.lexists(path)


def is_plain_file(path: Path) -> bool:
    """Whether ``path`` is a regular file that is not a symbolic link (for listings that must not follow links)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
