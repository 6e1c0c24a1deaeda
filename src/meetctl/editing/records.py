"""``meetctl record``: how many came, apologies, actions agreed, notes, written into the meeting's table.

Stage: editing. Like every edit in :mod:`meetctl.editing.edits`, a function that
returns what to do with an :class:`~meetctl.editing.editor.Editor`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from meetctl.editing.editor import Editor
from meetctl.editing.edits import _describe, _meeting_index, _set_on_meeting, _text_option, find_occurrence
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.fields import MAX_ATTENDANCE
from meetctl.model.schedule import Occurrence


def attendance_count(text: str | None) -> int | None:
    """--attendance as a number of people (None when not given); anything but digits is refused."""
    if text is None:
        return None
    if not text.strip().isdigit():
        raise MeetctlError(Problem(f"--attendance: {text!r} is not a number of people (e.g. --attendance 14)"))
    return int(text.strip())


def record(
    day: date,
    attendance: int | None,
    notes: str | None,
    today: date,
    series_id: str | None = None,
    apologies: Sequence[str] = (),
    actions: Sequence[str] = (),
    one_off: bool = False,
) -> Callable[[Editor], None]:
    """``meetctl record``: write down how many came, who sent apologies, what was agreed.

    Apologies and actions are added to those already recorded (a name or action already
    there is not repeated). Apologies may be recorded before the meeting (they arrive
    beforehand); attendance, notes and actions only once it has happened.
    """

    def make(editor: Editor) -> None:
        _text_option(editor, "--notes", notes)
        for option, values in (("--apologies", apologies), ("--action", actions)):
            for value in values:
                _text_option(editor, option, value)
        if attendance is None and notes is None and not apologies and not actions:
            raise editor.refuse(
                "record: say what to record: --attendance N, --apologies NAME, --action TEXT or --notes"
            )
        if attendance is not None and attendance < 0:
            raise editor.refuse("--attendance must not be negative")
        if attendance is not None and attendance > MAX_ATTENDANCE:
            raise editor.refuse(f"--attendance {attendance} is more than {MAX_ATTENDANCE:,} people")
        o = find_occurrence(editor, day, series_id, "record", one_off)
        if o.cancelled:
            raise editor.refuse(f"record: {_describe(o)} was cancelled")
        afterwards = [opt for opt, given in (("--attendance", attendance is not None), ("--notes", notes is not None),
                                             ("--action", bool(actions))) if given]  # fmt: skip
        if o.date > today and afterwards:
            raise editor.refuse(
                f"record: {', '.join(afterwards)} only after the meeting (--apologies may come before): "
                f"{_describe(o)} has not happened yet (today is {today})"
            )
        values: dict[str, Any] = {}
        if attendance is not None:
            values["attendance"] = attendance
        if notes is not None:
            values["notes"] = notes
        said: list[str] = []
        for key, given, word in (("apologies", apologies, "apologies from"), ("actions", actions, "action")):
            had = list(getattr(o.meeting, key)) if o.meeting else []
            added = [v.strip() for v in dict.fromkeys(given) if v.strip() not in had]
            if added:
                _refuse_commented_array(editor, o, key)
                values[key] = had + added
                said.extend(f"{word} {v!r}" for v in added)
        if not values:
            editor.messages.append(f"nothing to change: {_describe(o)} already has that recorded")
            return
        _set_on_meeting(editor, o, values)
        if attendance is not None:
            was = o.meeting.attendance if o.meeting else None
            before = f" (was {was})" if was is not None and was != attendance else ""
            editor.messages.append(f"recorded attendance {attendance}{before} for {_describe(o)}")
        for item in said:
            editor.messages.append(f"recorded {item} for {_describe(o)}")
        if notes is not None and attendance is None:
            editor.messages.append(f"recorded notes for {_describe(o)}")

    return make


def _refuse_commented_array(editor: Editor, o: Occurrence, key: str) -> None:
    """An array the secretary annotated with comments is theirs to extend: rewriting it would lose them."""
    index = _meeting_index(editor.programme, o)
    if index is None:
        return
    statement = editor.layout.key(("meetings", index), key)
    if statement is None:
        return
    import tomllib

    written = editor.text[statement.value_start : statement.value_end]
    try:
        tomllib.loads(f"v = {written.replace(chr(10), ' ')}")
    except tomllib.TOMLDecodeError:
        # Joined onto one line it no longer parses: a comment runs to the end of the line.
        raise editor.refuse(
            f"record: the {key} of {_describe(o)} has comments inside its list; add to it by hand so they are kept"
        ) from None
