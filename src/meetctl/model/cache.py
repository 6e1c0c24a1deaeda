"""A cache of validated programmes, so cron's daily ``remind`` does not parse and check a big file every morning.

Stage: programme file -> validated model. Reading a programme of a thousand series
(TOML, then every key and every described date checked against its rule) costs
several times a small one's whole run; the validated :class:`Programme` of the same
bytes is the same every day. So ``remind`` keeps it, pickled, in the state folder,
under a key made of the file's path, its bytes, and meetctl's own model code (the
sizes and times of ``meetctl/model/*.py`` and the Python version): an edit to the
programme, or another meetctl, never finds an old entry.

Only a valid programme is kept; a file with a problem is read as ever, with its
errors where they were written. A pickle runs code when it is read, so an entry is
read only from a folder and file that belong to this user and that nobody else may
write; anything else (or anything that does not read back as a Programme) is
ignored and rebuilt. Writing is best effort: a read-only state folder only costs the
time the cache would have saved.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from meetctl.model.loading import load_programme, load_programmes, programme_from_bytes
from meetctl.model.programme import Programme

#: The cache's folder inside the state folder.
FOLDER = "programmes"
#: Files smaller than this are read as ever: parsing them costs less than hashing and unpickling.
SMALLEST = 32 * 1024


def load_programmes_cached(paths: Sequence[str | Path], state: Path) -> list[Programme]:
    """:func:`meetctl.model.loading.load_programmes`, each file read through the cache in ``state``."""
    return load_programmes(paths, lambda path: load_cached(path, state / FOLDER))


def load_cached(path: str | Path, folder: Path) -> Programme:
    """The validated programme at ``path``: from ``folder`` when these very bytes were validated before."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return load_programme(path)  # says what is wrong, at the path, as ever
    if len(data) < SMALLEST:
        return programme_from_bytes(data, str(path))
    entry = folder / f"{_digest(str(path).encode())[:16]}-{_digest(data + _code_fingerprint())[:40]}.pickle"
    found = _read(entry)
    if found is not None:
        return found
    programme = programme_from_bytes(data, str(path))
    _write(entry, programme)
    return programme


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _code_fingerprint() -> bytes:
    """What makes another meetctl: the model's source files (size and time) and the Python version."""
    here = Path(__file__).parent
    parts = [sys.version]
    for entry in sorted(os.scandir(here), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            st = entry.stat()
            parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    return "\0".join(parts).encode()


def _private(st: os.stat_result) -> bool:
    """Owned by this user, and nobody else may write it."""
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read(entry: Path) -> Programme | None:
    import pickle

    try:
        if not _private(os.stat(entry.parent)):
            return None
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or not _private(st):
                return None
            found = pickle.loads(f.read())
    except Exception:  # a damaged or foreign entry is a miss, never an error: it is rebuilt
        return None
    return found if isinstance(found, Programme) else None


def _write(entry: Path, programme: Programme) -> None:
    import pickle
    import tempfile

    folder = entry.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = pickle.dumps(programme, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
        # One entry per programme file: the ones of its earlier versions go.
        prefix = entry.name.split("-", 1)[0] + "-"
        for old in folder.glob(prefix + "*.pickle"):
            if old != entry:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, RecursionError):
        return
