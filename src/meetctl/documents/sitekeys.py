"""What each file of the site is made from, as a short digest: a rebuild remakes only what changed.

Stage: outputs (documents), a part of ``meetctl site``. A meeting's page and ``.ics`` are
made from the occurrence (its series, meeting, venue, dates, status), the group, the
site's links, the report, whether it is past and has a flyer, and the code, templates,
translations and zone data that render them. :class:`Keys` digests all of that; the
folder writer keeps the old file when the digest is the one it was made from last time
(:meth:`meetctl.outputfolders.FolderWriter.reuse`). Anything not known to be the same
(a new meetctl, an edited template, a tzdata update) makes a different digest.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence


def digest(*parts: str | bytes) -> str:
    """A short hex digest of ``parts`` (each length-prefixed, so no two lists of parts collide)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """meetctl's own sources and the versions of what renders pages (a different meetctl: new keys)."""
    from importlib import metadata

    import meetctl

    package = Path(meetctl.__file__).resolve().parent
    parts: list[str] = [meetctl.__version__]
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".j2", ".po", ".css") and path.is_file():
            st = path.stat()
            parts.append(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}")
    for name in ("jinja2", "markupsafe", "babel", "icalendar", "markdown-it-py", "weasyprint", "tzdata"):
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=-")
    return digest(*parts)


def folder_fingerprint(folders: Iterable[Path]) -> str:
    """The contents of a group's own template folders (an edited template: new keys)."""
    parts: list[str | bytes] = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            try:
                if path.is_file():
                    parts += [str(path), path.read_bytes()]
            except OSError:
                parts.append(f"{path}: unreadable")
    return digest(*parts)


@functools.cache
def zone_fingerprint(key: str) -> str:
    """The zone's data file as the system or the tzdata package has it (a tzdata update: new keys)."""
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        path = os.path.join(folder, key)
        if os.path.isfile(path):
            st = os.stat(path)
            return f"{path}:{st.st_size}:{st.st_mtime_ns}"
    return key  # from the tzdata package, whose version is in code_fingerprint


class Keys:
    """The digests of one site's pages (see the module's doc)."""

    def __init__(self, programmes: Sequence[Programme], group_dirs: Sequence[Path], site: Any) -> None:
        groups = [repr((p.path, p.group, p.standing_items)) for p in programmes]
        zones = [zone_fingerprint(p.group.timezone) for p in programmes]
        self.site = digest(code_fingerprint(), folder_fingerprint(group_dirs), repr(site), *groups, *zones)
        self._reprs: dict[int, str] = {}

    def _once(self, thing: Any) -> str:
        # A series is shared by hundreds of meetings: its text is made once.
        known = self._reprs.get(id(thing))
        if known is None:
            known = self._reprs[id(thing)] = repr(thing)
        return known

    def meeting(self, o: Occurrence, name: str, flyer: str | None, past: bool, report: Path | None) -> str:
        """The key of a meeting's page and ``.ics``."""
        own = (o.meeting, o.date, o.start, o.end, o.title, o.description, o.lead, o.status, o.uid,
               o.recurrence_id, o.holiday, name, flyer, past)  # fmt: skip
        return digest(
            self.site,
            o.group.name,
            self._once(o.series),
            self._once(o.venue),
            repr(own),
            _report_fingerprint(report) if report is not None else "",
        )

    def listing(self, *parts: Any, items: Iterable[str] = ()) -> str:
        """The key of a listing page: what it is (heading, links, windows) and its meetings' keys."""
        return digest(self.site, repr(parts), *items)


def _report_fingerprint(path: Path) -> str:
    try:
        return digest(path.read_bytes())
    except OSError:
        return "unreadable"
