"""Helpers for the document tests: golden files, dates worked out by hand, parsed HTML and PDF."""

from __future__ import annotations

import calendar
import io
import os
from datetime import date
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def assert_golden(name: str, actual: str) -> None:
    """Compare with tests/golden/NAME; MEETCTL_UPDATE_GOLDEN=1 rewrites it (then review the diff by eye)."""
    path = GOLDEN / name
    if os.environ.get("MEETCTL_UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"differs from {path}"


def last_weekday(year: int, month: int, weekday: int) -> date:
    """The last ``weekday`` (0 = Monday) of a month, by plain calendar arithmetic."""
    days = calendar.monthrange(year, month)[1]
    last = date(year, month, days)
    return last.replace(day=days - (last.weekday() - weekday) % 7)


def in_words(d: date, year: bool = True) -> str:
    """'Wednesday 25 January 2017', written out independently of meetctl.model.wording."""
    text = f"{DAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]}"
    return f"{text} {d.year}" if year else text


def parse_html(text: str):
    """An lxml tree of an HTML document or fragment."""
    import lxml.html

    return lxml.html.fromstring(text)


def pdf_reader(data: bytes):
    """A pypdf reader over PDF bytes."""
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, whitespace collapsed to single spaces."""
    return " ".join(" ".join(page.extract_text().split()) for page in pdf_reader(data).pages)


def mm_to_pt(mm: float) -> float:
    return mm * 72 / 25.4
