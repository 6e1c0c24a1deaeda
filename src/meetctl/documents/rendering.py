"""From HTML to paper and pixels: WeasyPrint lays a page out and writes a tagged PDF; PDFium draws it as a PNG.

Stage: outputs (documents). Every PDF meetctl writes (flyers, agendas, the site's
flyers) is PDF/UA-1: a structure tree (headings, paragraphs, tables, figures), the
language of the HTML's ``lang``, its ``<title>`` shown as the document's title, and
an image's ``alt`` as the figure's alternative text, so a screen reader can read it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from meetctl.documents.environment import BUILTIN_DIR
from meetctl.model.errors import MeetctlError, Problem, not_installed

#: WeasyPrint's name for the accessible-PDF standard every meetctl PDF follows.
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str, base_url: Path, template_dirs: Sequence[Path] = ()) -> bytes:
    """The tagged PDF WeasyPrint makes of ``html`` (relative links resolve against ``base_url``)."""
    return tagged_pdf(laid_out(html, base_url, template_dirs))


def tagged_pdf(document: Any) -> bytes:
    """A laid-out document (:func:`laid_out`) as a PDF/UA-1 file."""
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def laid_out(html: str, base_url: Path, template_dirs: Sequence[Path] = ()) -> Any:
    """WeasyPrint's laid-out document of ``html``: its ``pages`` can be counted before writing.

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
    return document.render()


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


def first_page_png(pdf: bytes, width_px: int) -> bytes:
    """The PDF's first page drawn ``width_px`` pixels wide (its height in proportion), as PNG bytes.

    PDFium (pypdfium2, the ``images`` extra) draws it: a wheel from the package index, no
    program the user must install. The PNG carries no date or other metadata: same PDF, same PNG.
    """
    try:
        import pypdfium2
    except ImportError:
        raise MeetctlError(Problem(not_installed("--format png needs PDFium", "images"))) from None

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        bitmap = page.render(scale=width_px / page.get_width())
        image = bitmap.to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()
