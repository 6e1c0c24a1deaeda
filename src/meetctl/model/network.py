"""A network of groups over one folder: ``network.toml`` and the groups' programmes beside it.

Stage: the validated model (pure: no clock, no printing). A network's file is a programme
whose ``[network]`` table stands where a group's ``[group]`` would (see
:meth:`meetctl.model.loading._Validator.group`); its meetings are the meetings of all its
groups, and every command shows them once, under the network's name.

The rule for a meeting written twice. A meeting of the whole network lives in
``network.toml``. A one-off meeting in a group's file that is the same meeting as one the
network holds (the same start, as an instant, and the same title, or the same ``uid``) is
a copy: it is left out of that group's programme, so it is listed, exported, reminded of
and published once, and ``check`` warns of it naming both places. Without a network, a
one-off written in two groups' files is kept in the first file (in the order the files
are read) and ``check`` says it belongs in ``network.toml``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from meetctl.model.errors import Location, MeetctlError, Problem
from meetctl.model.programme import Copy, Meeting, Programme

#: What two meetings must share to be one: an instant and a title, or a uid.
_Key = tuple[datetime, str] | str


def with_network(programmes: Sequence[Programme]) -> list[Programme]:
    """The programmes of one command, the network's first, each meeting written twice kept once.

    At most one network may be read at once. See the module's doc for which copy is kept.
    """
    networks = [p for p in programmes if p.group.network]
    if len(networks) > 1:
        raise MeetctlError(
            Problem(
                f"a second network file (the network {networks[0].group.name!r} is {networks[0].path}); "
                "a folder holds one network.toml",
                Location(networks[1].path),
            )
        )
    ordered = networks + [p for p in programmes if not p.group.network]
    if len(ordered) < 2 or not any(m.series is None for p in ordered[1:] for m in p.meetings):
        return ordered  # nothing that could be a copy: cron's `next` on one file pays nothing
    network = networks[0] if networks else None
    held: dict[_Key, tuple[Location | None, str]] = {}
    out: list[Programme] = []
    for p in ordered:
        if p is network:
            out.append(p)  # the network's own meetings are never copies; its series are looked up by date
            continue
        kept: list[Meeting] = []
        copies: list[Copy] = []
        for m in p.meetings:
            keys = list(_keys(p, m)) if m.series is None else []
            holder = next((held[k] for k in keys if k in held), None)
            if holder is None and network is not None and keys:
                holder = _held_by_network(network, m, keys)
            if holder is not None:
                copies.append(Copy(m, m.location, holder[0], holder[1]))
                continue
            kept.append(m)
            for k in keys:
                held.setdefault(k, (m.location, p.group.name))
        out.append(replace(p, meetings=tuple(kept), copies=tuple(copies)) if copies else p)
    return out


def _title_key(title: str | None) -> str:
    return " ".join((title or "").split()).casefold()


def _keys(p: Programme, m: Meeting) -> Iterator[_Key]:
    """What makes a one-off the same meeting as another: its start instant and title, and its uid."""
    from meetctl.model.schedule import local_datetime

    if m.start is not None:
        yield local_datetime(m.date, m.start, p.group.zone).astimezone(UTC), _title_key(m.title)
    if m.uid:
        yield m.uid


def _held_by_network(network: Programme, m: Meeting, keys: list[_Key]) -> tuple[Location | None, str] | None:
    """The network's meeting that ``m`` is a copy of (its place and the network's name), if any."""
    from meetctl.model.schedule import occurrences

    day = timedelta(days=1)  # the network's zone may put the same instant on the day before or after
    for o in occurrences(network, m.date - day, m.date + day):
        theirs: list[_Key] = [(o.start.astimezone(UTC), _title_key(o.title)), o.uid]
        if any(k in theirs for k in keys):
            place = o.meeting.location if o.meeting else (o.series.location if o.series else None)
            return place, network.group.name
    return None


def network_of(programmes: Sequence[Programme]) -> Programme | None:
    """The network among ``programmes`` (read from network.toml), if there is one."""
    return next((p for p in programmes if p.group.network), None)


def programmes_title(programmes: Sequence[Programme]) -> str:
    """What a combined calendar, feed or site is called: the network's name, else the groups' names."""
    network = network_of(programmes)
    if network is not None:
        return network.group.name
    return " + ".join(dict.fromkeys(p.group.name for p in programmes))


def copy_warnings(programmes: Sequence[Programme]) -> list[Problem]:
    """``check``'s warning for each meeting written again in a group's file (see the module's doc)."""
    found = []
    network = network_of(programmes)
    for p in programmes:
        for c in p.copies:
            where = str(c.kept_at) if c.kept_at else c.kept_by
            held_by_network = network is not None and c.kept_by == network.group.name
            advice = "delete this copy" if held_by_network else "a meeting of several groups belongs in network.toml"
            found.append(
                Problem(
                    f"{c.meeting.date} '{c.meeting.title}' is also written in {where} ({c.kept_by}): "
                    f"it is shown once, as {c.kept_by}'s; {advice}",
                    c.location,
                    "warning",
                )
            )
    return found
