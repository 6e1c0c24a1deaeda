"""Flyers: one meeting or a term, as HTML from the templates and as PDF through WeasyPrint.

Stage: outputs (documents).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from meetctl.documents.environment import BUILTIN_DIR, PAPERS, Templates
from meetctl.documents.views import group_view, meeting_view, term_context
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence


def flyer_html(
    templates: Templates,
    programmes: Sequence[Programme],
    items: Sequence[Occurrence],
    paper: str,
    term: bool,
    page_url: str | None = None,
) -> str:
    """A flyer as HTML with print CSS for ``paper``: one meeting, or a term (``term=True``).

    With ``page_url`` (the meeting's page on the group's site) a one-meeting flyer
    carries a QR code of it in a corner, so a passer-by can open it on their phone.
    """
    css_size, (width, height) = PAPERS[paper]
    context: dict[str, Any] = {
        "paper": {"name": paper, "css": css_size, "width_mm": width, "height_mm": height},
        "qr": qr_code(page_url) if page_url and not term else None,
    }
    if term:
        context.update(term_context(programmes, items))
        return templates.render("term-flyer.html.j2", **context)
    (o,) = items
    context.update(group=group_view(o.programme), meeting=meeting_view(o))
    return templates.render("flyer.html.j2", **context)


def qr_code(url: str) -> dict[str, str]:
    """A QR code of ``url`` for templates: ``url`` and ``image`` (an SVG data: URI, made by segno)."""
    import segno

    # Medium error correction survives a crease or a drawing pin; a 4-module quiet zone is the standard.
    code = segno.make(url, error="m", micro=False)
    return {"url": url, "image": code.svg_data_uri(scale=4, border=4, dark="#000", light="#fff")}


def html_to_pdf(html: str, base_url: Path, template_dirs: Sequence[Path] = ()) -> bytes:
    """The PDF WeasyPrint makes of ``html`` (relative links resolve against ``base_url``).

    WeasyPrint fetches only ``data:`` URLs and files inside the shipped templates folder
    and ``template_dirs`` (the group's): never the network, never any other file, whatever
    a template or the programme's text asks for. A refused resource is left out.
    """
    import logging

    import weasyprint

    # WeasyPrint logs every CSS property it skips; that is noise for a flyer's user.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    # fontTools stamps embedded font subsets with the current time unless SOURCE_DATE_EPOCH
    # (the reproducible-builds convention) is set; same input, same PDF.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    document = weasyprint.HTML(
        string=html,
        base_url=str(base_url.resolve()) + os.sep,
        url_fetcher=resource_fetcher([BUILTIN_DIR, *template_dirs]),
    )
    return document.write_pdf()


def resource_fetcher(folders: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and files in ``folders``, and refuses the rest."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    roots = [os.path.realpath(f) for f in folders]

    class TemplateFolderFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            allowed = parts.scheme == "data"
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                real = os.path.realpath(unquote(parts.path))
                allowed = os.path.isfile(real) and any(os.path.commonpath([r, real]) == r for r in roots)
            if not allowed:
                raise ValueError(f"meetctl fetches only template-folder files for a PDF, not {url[:80]!r}")
            return super().fetch(url, headers)

    return TemplateFolderFetcher(allowed_protocols=("file", "data"), allow_redirects=False)
