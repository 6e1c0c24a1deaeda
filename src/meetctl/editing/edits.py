"""The edit commands' logic: ``add``, ``cancel``, ``restore``, ``move``, ``series add``, ``venue add``.

``record`` is in :mod:`meetctl.editing.records`.

Stage: editing. Each command is a function that returns what to do with an
:class:`~meetctl.editing.editor.Editor`; :func:`~meetctl.editing.editor.edit_file` applies it safely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from meetctl.editing.editor import Editor, date_of, day_text, when_text
from meetctl.model.errors import did_you_mean
from meetctl.model.fields import parse_time
from meetctl.model.programme import Programme
from meetctl.model.rules import parse_duration
from meetctl.model.schedule import Occurrence, occurrences

# --------------------------------------------------------------------------- finding a meeting


def _describe(o: Occurrence) -> str:
    what = f"'{o.title}'" + (f" (series {o.series.id})" if o.series else "")
    return f"{when_text(o)} {what}"


def find_occurrence(
    editor: Editor, day: date, series_id: str | None, command: str, one_off: bool = False
) -> Occurrence:
    """The meeting on ``day`` (of ``series_id`` if given, of no series with ``one_off``); a clear
    refusal if none or several."""
    programme = editor.programme
    if one_off and series_id is not None:
        raise editor.refuse(f"{command}: give --series ID or --one-off, not both")
    if series_id is not None and series_id not in {s.id for s in programme.series}:
        ids = [s.id for s in programme.series]
        raise editor.refuse(f"--series: unknown series '{series_id}'{did_you_mean(series_id, ids)}")
    found = [
        o for o in occurrences(programme, day, day)
        if (o.series is None if one_off else
            series_id is None or (o.series is not None and o.series.id == series_id))
    ]  # fmt: skip
    if not found:
        moved = [m for m in programme.meetings if m.replaces == day
                 and (series_id is None or m.series == series_id)]  # fmt: skip
        if moved:
            raise editor.refuse(
                f"{command}: no meeting on {day_text(day)}: it was moved to {day_text(moved[0].date)}; use that date"
            )
        raise editor.refuse(f"{command}: no meeting on {day_text(day)}{_nearest(programme, day, series_id, one_off)}")
    if len(found) > 1:
        listed = "; ".join(_describe(o) for o in found)
        how = "--series ID or --one-off" if any(o.series is None for o in found) else "--series"
        raise editor.refuse(f"{command}: {len(found)} meetings on {day}: {listed}; choose one with {how}")
    return found[0]


def _nearest(programme: Programme, day: date, series_id: str | None = None, one_off: bool = False) -> str:
    """`` (nearest: ...)``: the dates either side of ``day`` of each stream, the one asked for alone.

    A date one day off a branch meeting should suggest the branch meeting, not the
    reading group that happens to meet closer.
    """
    around = occurrences(programme, day - timedelta(days=92), day + timedelta(days=92))
    streams: dict[str | None, list[Occurrence]] = {}
    for o in around:
        key = o.series.id if o.series else None
        if (series_id is None and not one_off) or key == series_id and not one_off or one_off and key is None:
            streams.setdefault(key, []).append(o)
    parts = []
    for key, found in streams.items():
        before = [o for o in found if o.date < day]
        after = [o for o in found if o.date > day]
        near = ([before[-1]] if before else []) + ([after[0]] if after else [])
        if near:
            gap = min(abs((o.date - day).days) for o in near)
            label = "" if len(streams) == 1 else (f" ({key})" if key else " (one-off)")
            parts.append((gap, ", ".join(day_text(o.date) for o in near) + label))
    parts.sort(key=lambda p: p[0])
    return " (nearest: " + "; ".join(text for _, text in parts[:3]) + ")" if parts else ""


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


def _link_option(editor: Editor, option: str, value: str | None) -> None:
    if value is not None:
        from meetctl.model.fields import web_link

        try:
            web_link(value)
        except ValueError as exc:
            raise editor.refuse(f"{option}: {exc}") from None


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
    #: A meeting of no series, even on a date a series meets.
    one_off: bool = False
    kind: str | None = None
    notice: str | None = None


def add(meeting: NewMeeting, allow_clash: bool = False) -> Callable[[Editor], None]:
    """``meetctl add``: a new [[meetings]] table, for a date of a series or a one-off.

    On a date a series meets, say which: ``--series ID`` (that meeting's details) or
    ``--one-off`` (a separate meeting the same day). A series date already written
    down is updated in place.
    """

    def make(editor: Editor) -> None:
        p, day = editor.programme, meeting.date
        if meeting.one_off and meeting.series is not None:
            raise editor.refuse("give --series ID (a meeting of that series) or --one-off (of no series), not both")
        for option, value in (("--title", meeting.title), ("--description", meeting.description),
                              ("--lead", meeting.lead)):  # fmt: skip
            _text_option(editor, option, value)
        start = _time_option(editor, "--start", meeting.start)
        duration = _duration_option(editor, meeting.duration)
        _check_venue(editor, meeting.venue)
        _kind_and_notice(editor, meeting)
        if meeting.end_date is not None and meeting.end_date < day:
            raise editor.refuse(f"--end-date {meeting.end_date} is before --date {day}")
        series = None if meeting.one_off else _series_for(editor, day, meeting.series)
        if series is None and meeting.title is not None:
            # The same one-off again (same date and title, so the same calendar UID): update it.
            same = [i for i, m in enumerate(p.meetings)
                    if m.series is None and m.date == day and m.title == meeting.title]  # fmt: skip
            series = same[0] if same else None
        if isinstance(series, int):  # that date is already written down: update it
            _update_meeting(editor, series, meeting, start, duration)
            editor.allow_clash = allow_clash
            return
        if series is None:
            missing = [o for o, v in (("--title", meeting.title), ("--start", start)) if v is None]
            if missing:
                dates = ""
                if p.series and not meeting.one_off:
                    dates = f"{day} is not a date of any series, so this is a one-off meeting; "
                raise editor.refuse(f"{dates}a one-off meeting needs {' and '.join(missing)}")
        values: dict[str, Any] = {}
        if series is not None:
            values["series"] = series
        values["date"] = day
        for key, value in (("end_date", meeting.end_date), ("title", meeting.title),
                           ("description", meeting.description), ("lead", meeting.lead),
                           ("start", start), ("duration", duration), ("venue", meeting.venue),
                           ("kind", meeting.kind), ("notice", meeting.notice)):  # fmt: skip
            if value is not None:
                values[key] = value
        editor.add_meeting_table(values)
        editor.allow_clash = allow_clash
        title = (meeting.title or p.series_by_id(series).title) if series else meeting.title
        where = f" (series {series})" if series else " (one-off)"
        editor.messages.append(f"added a meeting on {day_text(day)}: '{title}'{where}")

    return make


def _kind_and_notice(editor: Editor, meeting: NewMeeting) -> None:
    """--kind and --notice checked as the programme's own keys are."""
    from meetctl.model.notice import parse_notice

    _text_option(editor, "--kind", meeting.kind)
    if meeting.notice is not None:
        try:
            parse_notice(meeting.notice)
        except ValueError as exc:
            raise editor.refuse(f"--notice: {exc}") from None


def _update_meeting(editor: Editor, index: int, meeting: NewMeeting, start: time | None, duration: str | None) -> None:
    """``add`` for a date already written down (a series date, or the same one-off): set the given keys."""
    written = editor.raw["meetings"][index]
    values: dict[str, Any] = {}
    for key, value in (("end_date", meeting.end_date), ("title", meeting.title),
                       ("description", meeting.description), ("lead", meeting.lead),
                       ("start", start), ("duration", duration), ("venue", meeting.venue),
                       ("kind", meeting.kind), ("notice", meeting.notice)):  # fmt: skip
        now = written.get(key)
        if isinstance(value, time) and isinstance(now, str):  # "7pm" is already 19:00
            try:
                now = parse_time(now)
            except ValueError:
                pass
        if value is not None and now != value:
            values[key] = value
    old = editor.programme.meetings[index]
    label = (f"the {day_text(old.date)} meeting of series '{old.series}'" if old.series
             else f"the one-off '{old.title}' on {day_text(old.date)}")  # fmt: skip
    if old.replaces is not None and old.replaces != meeting.date:
        raise editor.refuse(
            f"add: {label} was moved there from {meeting.date}; "
            f"to change it, use `meetctl add --series {old.series} --date {old.date}`"
        )
    if not values:
        editor.messages.append(f"nothing to change: {label} is already written down")
        return
    editor.set_keys(("meetings", index), values)
    still = " (it is still cancelled: `meetctl restore` holds it again)" if old.cancelled else ""
    # What it said before, so a title written over by mistake can be put back.
    was = f" (title was '{old.title}')" if "title" in values and old.title else ""
    editor.messages.append(f"updated {label}: {', '.join(values)}{was}{still}")


def _series_for(editor: Editor, day: date, series_id: str | None) -> str | int | None:
    """The series a new meeting on ``day`` belongs to: the one named, else an error if a series meets then.

    An int is the index of the [[meetings]] table that already describes that series date.
    """
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
        if not candidates:
            return None
        # Taking over a series' meeting by accident is worse than asking: say both ways.
        named = " and ".join(f"'{s.id}' ({s.title})" for s in candidates)
        several = "series" if len(candidates) == 1 else "several series"
        raise editor.refuse(
            f"add: {day} is a date of {several} {named}: give --series {candidates[0].id} "
            "to describe that meeting, or --one-off for a separate meeting of no series"
        )
    s = candidates[0]
    if (s.id, day) in described:
        return described[s.id, day]
    return s.id


def _nearest_of_series(series: Any, day: date) -> str:
    dates = series.dates(day - timedelta(days=92), day + timedelta(days=92))
    before = [d for d in dates if d < day]
    after = [d for d in dates if d > day]
    near = ([before[-1]] if before else []) + ([after[0]] if after else [])
    return " (nearest: " + ", ".join(day_text(d) for d in near) + ")" if near else ""


def _set_on_meeting(editor: Editor, o: Occurrence, values: dict[str, Any]) -> None:
    """Set ``values`` on the ``[[meetings]]`` entry of ``o``, adding one for a plain series date."""
    index = _meeting_index(editor.programme, o)
    if index is None:
        assert o.series is not None
        editor.add_meeting_table({"series": o.series.id, "date": o.date, **values})
    else:
        editor.set_keys(("meetings", index), values)


def cancel(
    day: date, reason: str | None, series_id: str | None = None, one_off: bool = False
) -> Callable[[Editor], None]:
    """``meetctl cancel``: mark the meeting on ``day`` cancelled (with a reason)."""

    def make(editor: Editor) -> None:
        _text_option(editor, "--reason", reason)
        o = find_occurrence(editor, day, series_id, "cancel", one_off)
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


def restore(day: date, series_id: str | None = None, one_off: bool = False) -> Callable[[Editor], None]:
    """``meetctl restore``: undo a cancellation (or a series' ``skip`` of that date)."""

    def make(editor: Editor) -> None:
        p = editor.programme
        skipped = [
            (i, s) for i, s in enumerate(p.series)
            if day in s.skip and (series_id is None or s.id == series_id)
        ]  # fmt: skip
        if skipped and not one_off and not any(o.cancelled for o in occurrences(p, day, day)):
            i, s = skipped[0]
            _unskip(editor, i, s, day)
            return
        o = find_occurrence(editor, day, series_id, "restore", one_off)
        if not o.cancelled:
            editor.messages.append(f"nothing to change: {_describe(o)} is not cancelled")
            return
        index = _meeting_index(p, o)
        assert index is not None  # a cancelled meeting is always written down
        editor.remove_key(("meetings", index), "cancelled")
        editor.remove_key(("meetings", index), "reason")
        editor.messages.append(f"restored {_describe(o)}: no longer cancelled")

    return make


def _unskip(editor: Editor, index: int, series: Any, day: date) -> None:
    """Take ``day`` out of a series' ``skip`` list, unless comments inside the list would be lost."""
    table = ("series", index)
    statement = editor.layout.key(table, "skip")
    if statement is None or "#" in editor.text[statement.value_start : statement.value_end]:
        raise editor.refuse(
            f"restore: {day} is in series '{series.id}' skip list; remove it there by hand "
            "(meetctl will not rewrite a list that holds comments)"
        )
    rest = [d for d in series.skip if d != day]
    if rest:
        editor.set_keys(table, {"skip": rest})
    else:
        editor.remove_key(table, "skip")
    editor.messages.append(f"restored {day_text(day)} of series '{series.id}' (taken out of its skip list)")


@dataclass
class NewSeries:
    """The options of ``meetctl series add``."""

    id: str
    rule: str
    start: str
    first: date
    title: str | None = None
    duration: str | None = None
    venue: str | None = None
    until: date | None = None
    online: str | None = None


def add_series(new: NewSeries) -> Callable[[Editor], None]:
    """``meetctl series add``: a new [[series]] table (a recurring slot)."""
    import re

    from meetctl.model.recurrence import RuleError
    from meetctl.model.rules import parse_rule

    def make(editor: Editor) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]+", new.id):
            raise editor.refuse(f"series id {new.id!r}: use letters, digits, '-' and '_' only (e.g. 'reading')")
        if any(s.id == new.id for s in editor.programme.series):
            place = next(s.location for s in editor.programme.series if s.id == new.id)
            line = f" (line {place.line})" if place and place.line else ""
            raise editor.refuse(f"refused: series '{new.id}' already exists{line}")
        try:
            parse_rule(new.rule)
        except RuleError as exc:
            raise editor.refuse(f"--rule: {exc}") from None
        start = _time_option(editor, "--start", new.start)
        duration = _duration_option(editor, new.duration)
        _check_venue(editor, new.venue)
        _text_option(editor, "--title", new.title)
        if new.until is not None and new.until < new.first:
            raise editor.refuse(f"--until {new.until} is before --from {new.first}")
        _link_option(editor, "--online", new.online)
        title = new.title or new.id.replace("-", " ").replace("_", " ").capitalize()
        values: dict[str, Any] = {"id": new.id, "title": title, "rule": new.rule.strip(), "start": start}
        for key, value in (("duration", duration), ("venue", new.venue), ("from", new.first),
                           ("until", new.until), ("online", new.online)):  # fmt: skip
            if value is not None:
                values[key] = value
        editor.add_series_table(values)
        editor.messages.append(f"added series '{new.id}': '{title}', {new.rule.strip()}, {new.start.strip()}")

    return make


def move(
    day: date,
    to: date | None,
    start: str | None = None,
    venue: str | None = None,
    series_id: str | None = None,
    allow_clash: bool = False,
    one_off: bool = False,
    reason: str | None = None,
) -> Callable[[Editor], None]:
    """``meetctl move``: hold the meeting on ``day`` on another date, time or venue instead.

    A series' meeting gets ``replaces = <its original date>``, so calendars update
    the occurrence rather than adding a second one; ``reason`` says why, to members.
    """

    def make(editor: Editor) -> None:
        new_start = _time_option(editor, "--start", start)
        _check_venue(editor, venue)
        _text_option(editor, "--reason", reason)
        o = find_occurrence(editor, day, series_id, "move", one_off)
        if o.cancelled:
            raise editor.refuse(f"move: {_describe(o)} is cancelled; nothing to move")
        if reason is not None and o.series is None:
            raise editor.refuse(f"move --reason: {_describe(o)} is a one-off, with no usual slot to differ from")
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
        if values and reason is not None:
            values["reason"] = reason.strip()
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
                        shifted = date_of(session["date"]) + (new_day - o.date)
                        editor.set_keys((*table, "sessions", j), {"date": shifted})
        editor.allow_clash = allow_clash
        when = ([day_text(new_day)] if new_day != o.date else []) + (
            [f"{new_start:%H:%M}"] if "start" in values else []
        )
        where = f"to {' '.join(when)}" if when else ""
        if "venue" in values:
            name = editor.programme.venues[venue].name  # type: ignore[index]
            where += f" at {name}" if when else f"to {name}"
        editor.messages.append(f"moved {_describe(o)} {where}" + (f" ({reason.strip()})" if reason else ""))

    return make


def add_venue(
    venue_id: str, name: str, address: str | None, directions: str | None = None,
    accessibility: str | None = None, online: str | None = None,
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
                           ("accessibility", accessibility), ("online", online)):  # fmt: skip
            if value is not None:
                values[key] = _text_option(editor, f"--{key}", value)
        _link_option(editor, "--online", online)
        editor.add_venue_table(venue_id, values)
        editor.messages.append(f"added venue '{venue_id}': {name}" + (f", {address}" if address else ""))

    return make
