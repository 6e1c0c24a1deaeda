"""Flyers: one meeting or a term, as HTML from the templates and as PDF through WeasyPrint.

Stage: outputs (documents).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from meetctl.documents.environment import PAPERS, Templates
from meetctl.documents.views import group_view, meeting_view, term_context
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence

#: Type scales tried for a one-meeting flyer, largest first: the largest that keeps it to one page wins,
#: so a short notice fills its page and a day school's long timetable still fits on one.
ONE_MEETING_FITS = (2.0, 1.8, 1.6, 1.45, 1.3, 1.15, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
#: A term flyer only shrinks (to 70%) to stay on one page; a longer term runs on at full size.
TERM_FITS = (1.0, 0.9, 0.8, 0.7)


def flyer_html(
    templates: Templates,
    programmes: Sequence[Programme],
    items: Sequence[Occurrence],
    paper: str,
    term: bool,
    fit: float = 1.0,
) -> str:
    """A flyer as HTML with print CSS for ``paper``: one meeting, or a term (``term=True``).

    ``fit`` scales the type (not the margins): :func:`flyer_pdf` chooses it so the flyer fills one page.
    """
    css_size, (width, height) = PAPERS[paper]
    context: dict[str, Any] = {
        "paper": {"name": paper, "css": css_size, "width_mm": width, "height_mm": height, "fit": fit},
    }
    if term:
        context.update(term_context(programmes, items))
        return templates.render("term-flyer.html.j2", **context)
    (o,) = items
    context.update(group=group_view(o.programme), meeting=meeting_view(o))
    return templates.render("flyer.html.j2", **context)


def flyer_pdf(
    templates: Templates,
    programmes: Sequence[Programme],
    items: Sequence[Occurrence],
    paper: str,
    term: bool,
    base_url: Path,
) -> bytes:
    """The flyer as PDF, its type scaled to fill one page (the largest scale that fits, found by halving).

    A flyer that cannot fit even at the smallest scale is printed at full size over several pages.
    A term flyer tries full size, then the smallest scale, before searching between them: most
    terms fit at full size (one layout), and a long one is known not to fit after two.
    """
    fits = TERM_FITS if term else ONE_MEETING_FITS
    laid_out: dict[float, Any] = {}  # each scale is laid out at most once

    def one_page(fit: float) -> bool:
        if fit not in laid_out:
            laid_out[fit] = _document(flyer_html(templates, programmes, items, paper, term, fit), base_url)
        return len(laid_out[fit].pages) == 1

    if term and (one_page(fits[0]) or not one_page(fits[-1])):
        # Fits at full size, or is too long for one page even at the smallest: full size either way.
        return laid_out[fits[0]].write_pdf()
    lo, hi = 0, len(fits) - 1  # fits[lo] is the largest candidate; find the first that fits one page
    best = None
    while lo <= hi:
        mid = (lo + hi) // 2
        if one_page(fits[mid]):
            best, hi = fits[mid], mid - 1
        else:
            lo = mid + 1
    if best is None:
        one_page(1.0)
        best = 1.0
    return laid_out[best].write_pdf()


def html_to_pdf(html: str, base_url: Path) -> bytes:
    """The PDF WeasyPrint makes of ``html`` (relative links resolve against ``base_url``)."""
    return _document(html, base_url).write_pdf()


def _document(html: str, base_url: Path) -> Any:
    """WeasyPrint's laid-out document of ``html``: its ``pages`` can be counted before writing."""
    import logging

    import weasyprint

    # WeasyPrint logs every CSS property it skips; that is noise for a flyer's user.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # fontTools stamps embedded font subsets with the current time unless SOURCE_DATE_EPOCH
    # (the reproducible-builds convention) is set; same input, same PDF.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    return weasyprint.HTML(string=html, base_url=str(base_url.resolve()) + os.sep).render()
