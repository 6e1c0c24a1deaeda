"""Flyers: one meeting or a term, as HTML from the templates and as PDF through WeasyPrint.

Stage: outputs (documents).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from meetctl.documents.environment import BUILTIN_DIR, PAPERS, Templates
from meetctl.documents.views import group_view, meeting_view, term_context
from meetctl.model.errors import MeetctlError, Problem
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
    page_url: str | None = None,
) -> str:
    """A flyer as HTML with print CSS for ``paper``: one meeting, or a term (``term=True``).

    ``fit`` scales the type (not the margins): :func:`flyer_pdf` chooses it so the flyer fills one page.
    With ``page_url`` (the meeting's page on the group's site) a one-meeting flyer
    carries a QR code of it in a corner, so a passer-by can open it on their phone.
    """
    css_size, (width, height) = PAPERS[paper]
    context: dict[str, Any] = {
        "paper": {"name": paper, "css": css_size, "width_mm": width, "height_mm": height, "fit": fit},
        "qr": qr_code(page_url) if page_url and not term else None,
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
    template_dirs: Sequence[Path] = (),
    page_url: str | None = None,
) -> bytes:
    """The flyer as PDF, its type scaled to fill one page (the largest scale that fits, found by halving).

    A flyer that cannot fit even at the smallest scale is printed at full size over several pages.
    A term flyer tries full size, then the smallest scale, before searching between them: most
    terms fit at full size (one layout), and a long one is known not to fit after two.
    """
    fits = TERM_FITS if term else ONE_MEETING_FITS
    laid_out: dict[float, Any] = {}  # each scale is laid out at most once
    folders = templates.group_dirs

    def one_page(fit: float) -> bool:
        if fit not in laid_out:
            html = flyer_html(templates, programmes, items, paper, term, fit, page_url)
            laid_out[fit] = _document(html, base_url, [*folders, *template_dirs])
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


# --------------------------------------------------------------------------- the flyer's file

#: The extensions a flyer's file may have, and the format each says.
FLYER_SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def flyer_format(output: Path | None, asked: str | None = None) -> str:
    """The format to write: ``asked`` (--format), else -o's extension (.html, .htm, .pdf), else html.

    An HTML flyer in flyer.docx, or a PDF in flyer.html, would open as garbage: an
    extension meetctl does not write is refused unless --format says what to write,
    and a --format that contradicts a .pdf/.html name is refused outright.
    """
    named = None
    if output is not None and str(output) != "-":
        suffix = output.suffix.lower()
        named = FLYER_SUFFIXES.get(suffix)
        if named is None and asked is None:
            what = suffix or "a file without an extension"
            raise MeetctlError(
                Problem(
                    f"-o {output}: meetctl writes flyers as HTML or PDF, not {what}; "
                    "name the file .html or .pdf, or give --format"
                )
            )
    if asked is not None and named is not None and asked != named:
        raise MeetctlError(Problem(f"--format {asked} does not match -o {output}: name the file .{asked}"))
    return asked or named or "html"


def output_kind(output: Path, asked: str | None = None) -> str:
    """The kind of file (:data:`meetctl.output.KINDS`) -o will hold, for the checks made before the flyer is."""
    return asked or ("pdf" if output.suffix.lower() == ".pdf" else "html")


def flyer_bytes(
    templates: Templates,
    programmes: Sequence[Programme],
    items: Sequence[Occurrence],
    paper: str,
    term: bool,
    fmt: str,
    base_url: Path,
    page_url: str | None = None,
) -> bytes:
    """The flyer as ``fmt`` (``html`` or ``pdf``: see :func:`flyer_html` and :func:`flyer_pdf`), ready to write."""
    if fmt == "html":
        return flyer_html(templates, programmes, items, paper, term, page_url=page_url).encode("utf-8")
    return flyer_pdf(templates, programmes, items, paper, term, base_url, templates.group_dirs, page_url)


def default_flyer_path(items: Sequence[Occurrence], fmt: str, term: tuple[date, date] | None = None) -> Path:
    """``flyer-DATE.EXT`` in the current folder, or for a term ``term-flyer-FROM-TO.EXT`` (the dates asked for)."""
    name = f"term-flyer-{term[0]}-{term[1]}" if term else f"flyer-{items[0].date}"
    return Path(f"{name}.{fmt}")


def qr_code(url: str) -> dict[str, str]:
    """A QR code of ``url`` for templates: ``url`` and ``image`` (an SVG data: URI, made by segno)."""
    import segno

    # Medium error correction survives a crease or a drawing pin; a 4-module quiet zone is the standard.
    code = segno.make(url, error="m", micro=False)
    return {"url": url, "image": code.svg_data_uri(scale=4, border=4, dark="#000", light="#fff")}


def html_to_pdf(html: str, base_url: Path, template_dirs: Sequence[Path] = ()) -> bytes:
    """The PDF WeasyPrint makes of ``html`` (relative links resolve against ``base_url``)."""
    return _document(html, base_url, template_dirs).write_pdf()


def _document(html: str, base_url: Path, template_dirs: Sequence[Path] = ()) -> Any:
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
    fetcher = resource_fetcher([BUILTIN_DIR, *template_dirs])
    try:
        document = weasyprint.HTML(string=html, base_url=str(base_url.resolve()) + os.sep, url_fetcher=fetcher)
        return document.render(font_config=_font_config())
    except fetcher.refused as exc:
        raise exc.error from None


@functools.cache
def _font_config() -> Any:
    """One WeasyPrint font configuration for every PDF of the run.

    WeasyPrint makes a new one for each document by default, and what each holds
    (fontconfig and Pango's font map) is never freed: `site --flyers 1000` grew by about
    0.8 MB a flyer (859 MB). Shared, memory stays flat in the number of flyers.
    """
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def resource_fetcher(folders: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and files in ``folders``, and refuses the rest.

    A file in one of ``folders`` is read by the rule of :mod:`meetctl.beside` (regular, its
    real path inside the folder): one that breaks it (a symlink out to /etc/passwd) stops
    the PDF with an error at its path. Anything else (the network, other files) is left out.
    """
    import mimetypes
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    from meetctl.beside import read_beside

    roots = [(os.path.abspath(f), os.path.realpath(f)) for f in folders]

    class TemplateFolderFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = unquote(parts.path)
                seen, real = os.path.abspath(path), os.path.realpath(path)
                for lexical, root in roots:
                    if os.path.commonpath([lexical, seen]) == lexical or os.path.commonpath([root, real]) == root:
                        try:
                            data = read_beside(path, root)
                        except MeetctlError as exc:
                            raise Refused(exc) from None
                        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, data, {"Content-Type": kind})
            raise ValueError(f"meetctl fetches only template-folder files for a PDF, not {url[:80]!r}")

    class Refused(FatalURLFetchingError):
        def __init__(self, error: MeetctlError) -> None:
            super().__init__(str(error))
            self.error = error

    fetcher = TemplateFolderFetcher(allowed_protocols=("file", "data"), allow_redirects=False)
    fetcher.refused = Refused  # type: ignore[attr-defined]  # _document turns it back into the MeetctlError
    return fetcher
