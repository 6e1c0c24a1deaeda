"""Agendas: a meeting's business in order, with its notice line, as text, Markdown, HTML or PDF.

Stage: outputs (documents). The order is the group's standing items (``[agenda]
standing_items``, default: apologies, minutes of the last meeting, matters arising,
the meeting's own items, any other business, date of the next meeting); "matters
arising" are the actions recorded at the previous meeting of the same series (for a
one-off, the previous meeting of the same kind: last year's AGM).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from meetctl.documents.environment import FORMATS, Templates, words
from meetctl.documents.views import agenda_item_view, group_view, meeting_view
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.notice import kind_words
from meetctl.model.schedule import Occurrence, occurrences
from meetctl.model.selection import previous_in_series
from meetctl.model.wording import format_date, slugify

#: The formats ``meetctl agenda`` writes; PDF is made from the HTML.
AGENDA_FORMATS = ("text", "markdown", "html", "pdf")
#: In every HTML, Markdown and PDF agenda: ``<meta name="generator">``, a first-line comment, the PDF's Creator.
GENERATOR = "meetctl agenda"
#: The kind of file (:data:`meetctl.output.KINDS`) each format writes: what ``-o`` may replace without ``--force``.
OUTPUT_KINDS = {"text": "agenda", "markdown": "agenda", "html": "html", "pdf": "pdf"}
#: How far back and ahead the previous and next meetings are looked for.
HORIZON = timedelta(days=2 * 366)


def previous_meeting(o: Occurrence) -> Occurrence | None:
    """The meeting whose minutes and actions this one takes up.

    The previous meeting of the same series; for a one-off with a ``kind``, the
    previous meeting of that kind (last year's AGM); else none.
    """
    if o.series is not None:
        return previous_in_series(o)
    if o.kind is None:
        return None
    earlier = occurrences(o.programme, o.date - HORIZON, o.date)
    same = [x for x in earlier if x.kind == o.kind and not x.cancelled and x.start < o.start]
    return same[-1] if same else None


def next_meeting(o: Occurrence) -> Occurrence | None:
    """The next meeting of the same series (of the same kind for a one-off), not cancelled."""
    later = occurrences(o.programme, o.date, o.date + HORIZON)
    for x in later:
        if x.cancelled or x.start <= o.start:
            continue
        if (o.series is not None and x.series is o.series) or (o.series is None and o.kind and x.kind == o.kind):
            return x
    return None


def _standing(word: str, o: Occurrence, previous: Occurrence | None, nxt: Occurrence | None) -> dict[str, Any]:
    """One of meetctl's standing items, filled in."""
    loc = o.group.locale
    item: dict[str, Any] = {"standing": word, "title": word, "notes": []}
    if word == "apologies":
        item["title"] = words(loc, "Apologies for absence")
        item["notes"] = list(o.meeting.apologies) if o.meeting else []
    elif word == "minutes":
        item["title"] = words(loc, "Minutes of the last meeting")
        if previous is not None:
            item["title"] += f" ({format_date(previous.date, locale=loc)})"
    elif word == "matters_arising":
        item["title"] = words(loc, "Matters arising")
        item["notes"] = list(previous.meeting.actions) if previous and previous.meeting else []
    elif word == "aob":
        item["title"] = words(loc, "Any other business")
    elif word == "next_meeting":
        item["title"] = words(loc, "Date of the next meeting")
        if nxt is not None:
            view = meeting_view(nxt)
            item["notes"] = [f"{view['date_words']}, {view['start_time']}"]
    return item


def agenda_context(o: Occurrence, today: date, large_print: bool = False) -> dict[str, Any]:
    """Everything an agenda template sees: ``group``, ``meeting``, ``items``, ``notice``, ``previous``, ``next``,
    and ``large_print`` (HTML: no type under 16pt).
    """
    previous = previous_meeting(o)
    nxt = next_meeting(o)
    items: list[dict[str, Any]] = []
    for word in o.programme.standing_items:
        if word == "items":
            for own in o.meeting.agenda if o.meeting else ():
                items.append({"standing": None, "notes": [], **agenda_item_view(own)})
        elif word in ("apologies", "minutes", "matters_arising", "aob", "next_meeting"):
            items.append(_standing(word, o, previous, nxt))
        else:  # a standing item of the group's own ("Treasurer's report")
            items.append({"standing": "own", "title": word, "notes": []})
    for number, item in enumerate(items, 1):
        item["number"] = number
        item.setdefault("lead", None)
        item.setdefault("minutes", None)
        item.setdefault("paper", None)
        item.setdefault("paper_is_link", False)
    return {
        "group": group_view(o.programme),
        "meeting": meeting_view(o),
        "heading": kind_words(o.kind) if o.kind else words(o.group.locale, "Agenda"),
        "items": items,
        "notice": notice_view(o, today),
        "previous": meeting_view(previous) if previous else None,
        "next": meeting_view(nxt) if nxt else None,
        "generator": GENERATOR,
        "large_print": large_print,
    }


def notice_view(o: Occurrence, today: date) -> dict[str, Any] | None:
    """The notice line of a meeting that needs notice: given today, against its deadline."""
    if o.notice is None or o.notice_deadline is None:
        return None
    loc = o.group.locale
    what = kind_words(o.kind) if o.kind else words(loc, "meeting")
    deadline = o.notice_deadline
    return {
        "what": what,
        "period": str(o.notice),
        "given_on": format_date(today, locale=loc),
        "deadline": format_date(deadline, locale=loc),
        "deadline_date": deadline,
        "short": today > deadline,
    }


def agenda_document(templates: Templates, o: Occurrence, fmt: str, today: date, large_print: bool = False) -> str:
    """The agenda of ``o`` as ``text``, ``markdown`` or ``html`` (PDF: :func:`agenda_bytes`); large print in HTML."""
    if o.cancelled:
        why = f" ({o.reason})" if o.reason else ""
        raise MeetctlError(Problem(f"the meeting on {o.date} is cancelled{why}: no agenda"))
    return templates.render(f"agenda.{FORMATS[fmt]}.j2", **agenda_context(o, today, large_print))


#: What -o's extension says an agenda is, when --format does not say.
AGENDA_SUFFIXES = {".txt": "text", ".md": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf"}


def agenda_format(output: Path | None, asked: str | None = None) -> str:
    """The format to write: ``asked`` (--format), else a file -o names by its extension, else text."""
    if asked:
        return asked
    if output is not None and str(output) != "-":
        return AGENDA_SUFFIXES.get(output.suffix.lower(), "text")
    return "text"


def agenda_bytes(
    templates: Templates, o: Occurrence, fmt: str, today: date, base_url: Path, large_print: bool = False
) -> bytes:
    """The agenda of ``o`` as ``fmt`` (one of :data:`AGENDA_FORMATS`), ready to write; PDF is made from the HTML.

    ``large_print`` makes HTML and PDF with no type under 16pt; text and Markdown have no type size to change.
    """
    if large_print and fmt not in ("html", "pdf"):
        raise MeetctlError(Problem(f"--large-print sets the type of an HTML or PDF agenda; {fmt} has none to set"))
    text = agenda_document(templates, o, "html" if fmt == "pdf" else fmt, today, large_print)
    if fmt != "pdf":
        return text.encode("utf-8")
    from meetctl.documents.rendering import html_to_pdf

    return html_to_pdf(text, base_url, templates.group_dirs)


def default_agenda_path(o: Occurrence, fmt: str) -> Path:
    """``agenda-YYYY-MM-DD-<slug>.EXT`` in the current folder (for a terminal, where bytes are no use)."""
    ext = {"text": "txt", "markdown": "md", "html": "html", "pdf": "pdf"}[fmt]
    return Path(f"agenda-{o.date.isoformat()}-{slugify(o.title, 40)}.{ext}")


def agenda_deadline_warning(o: Occurrence, today: date) -> Problem | None:
    """A warning when the agenda is made after the meeting's notice deadline (short notice)."""
    deadline = o.notice_deadline
    if deadline is None or today <= deadline or today > o.date:
        return None
    return Problem(
        f"{o.date} '{o.title}' needs notice of {o.notice}: the deadline was {deadline}; notice given today is short",
        None,
        "warning",
    )
