"""Flyers: one meeting or a term, as HTML from the templates and as PDF through WeasyPrint.

Stage: outputs (documents).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from meetctl.documents.environment import PAPERS, Templates
from meetctl.documents.rendering import first_page_png, laid_out, tagged_pdf
from meetctl.documents.views import group_view, meeting_view, term_context
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.programme import Programme
from meetctl.model.schedule import Occurrence

#: Type scales tried, largest first: the largest that keeps the flyer to one page wins, so a short
#: notice or a short term fills its page and a day school's long timetable still fits on one.
#: No type goes under the least size (:data:`LEAST_PT`) at any scale: the CSS holds each size there.
ONE_MEETING_FITS = (2.0, 1.8, 1.6, 1.45, 1.3, 1.15, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
#: A term flyer shrinks its headings only so far; a term that does not fit at 80% runs on over pages
#: at full size (its rows are at the least size by then, and smaller type is what people cannot read).
TERM_FITS = (2.0, 1.8, 1.6, 1.45, 1.3, 1.15, 1.0, 0.9, 0.8)
#: The smallest type on paper, in points: 8 (the contact line in the foot margin too), 16 in large
#: print (the RNIB's clear-print guidance), and on an image 16 (11 px when a phone shows it 360 px wide).
LEAST_PT = {"print": 8.0, "large": 16.0, "image": 16.0}
#: The images `flyer --format png` writes: page sizes that PDFium draws at exactly 2 px a point.
IMAGES: dict[str, tuple[str, tuple[float, float], tuple[int, int]]] = {
    "post": ("540pt 675pt", (190.5, 238.125), (1080, 1350)),  # 4:5, what a phone shows whole in a feed
    "square": ("540pt 540pt", (190.5, 190.5), (1080, 1080)),
}


def paper_view(paper: str, fit: float = 1.0, large_print: bool = False, brief: bool = False) -> dict[str, Any]:
    """What the flyer's CSS sees as ``paper``: its size, the type scale, the least type size, large print,
    and ``brief`` (an image that leaves out what its QR code's page says: the blurb, the people, the welcome).
    """
    image = paper in IMAGES
    css_size, (width, height) = IMAGES[paper][:2] if image else PAPERS[paper]
    least = max(LEAST_PT["image" if image else "print"], LEAST_PT["large"] if large_print else 0.0)
    return {"name": paper, "css": css_size, "width_mm": width, "height_mm": height, "fit": fit,
            "least": least, "large": large_print, "image": image, "brief": brief}  # fmt: skip


def flyer_html(
    templates: Templates,
    programmes: Sequence[Programme],
    items: Sequence[Occurrence],
    paper: str,
    term: bool,
    fit: float = 1.0,
    page_url: str | None = None,
    large_print: bool = False,
    brief: bool = False,
) -> str:
    """A flyer as HTML with print CSS for ``paper``: one meeting, or a term (``term=True``).

    ``fit`` scales the type (not the margins): :func:`flyer_pdf` chooses it so the flyer fills one page.
    With ``page_url`` (the meeting's page on the group's site) a one-meeting flyer
    carries a QR code of it in a corner, so a passer-by can open it on their phone.
    ``large_print``: no type under 16pt, one plain face, black on white. ``brief``: see :func:`paper_view`.
    """
    context: dict[str, Any] = {
        "paper": paper_view(paper, fit, large_print, brief),
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
    large_print: bool = False,
) -> bytes:
    """The flyer as a tagged PDF, its type scaled to fill one page (the largest scale that fits, found by halving).

    A flyer that cannot fit one page even at the smallest scale runs on over several pages at
    full size: never smaller type. Full size is laid out first, then the scales above it (room
    to spare) or below it (the smallest first, so a long term is known not to fit after two layouts).
    """
    document = _fitted(templates, programmes, items, paper, term, base_url, template_dirs, page_url, large_print)
    return tagged_pdf(document)


def flyer_png(
    templates: Templates,
    programmes: Sequence[Programme],
    items: Sequence[Occurrence],
    image: str,
    term: bool,
    base_url: Path,
    template_dirs: Sequence[Path] = (),
    page_url: str | None = None,
    large_print: bool = False,
) -> bytes:
    """The flyer as one PNG image (``image``: ``post`` 1080x1350 or ``square`` 1080x1080) for messaging apps.

    It is the same template laid out on a page of the image's shape with type no smaller
    than 16pt (11 px when a phone shows the image 360 px wide), drawn from the PDF by PDFium.
    A meeting whose flyer does not fit leaves out what its page says (the blurb, the people, the
    welcome); one that still cannot fit one image is refused: an image has no second page.
    """
    document = _fitted(templates, programmes, items, image, term, base_url, template_dirs, page_url, large_print)
    if len(document.pages) > 1 and not term:  # the meeting's page says the rest: the image says when and where
        document = _fitted(templates, programmes, items, image, term, base_url, template_dirs, page_url,
                           large_print, brief=True)  # fmt: skip
    if len(document.pages) > 1:
        what = f"the term's {len(items)} meetings do" if term else "this meeting's flyer does"
        raise MeetctlError(
            Problem(
                f"{what} not fit one image at a size a phone can show ({len(document.pages)} pages); "
                "make a PDF, or an image of a shorter term (--from/--to)"
            )  # fmt: skip
        )
    return first_page_png(tagged_pdf(document), IMAGES[image][2][0])


def _fitted(
    templates: Templates,
    programmes: Sequence[Programme],
    items: Sequence[Occurrence],
    paper: str,
    term: bool,
    base_url: Path,
    template_dirs: Sequence[Path],
    page_url: str | None,
    large_print: bool,
    brief: bool = False,
) -> Any:
    """The flyer laid out at the largest type scale that keeps it to one page, else at full size."""
    fits = TERM_FITS if term else ONE_MEETING_FITS
    layouts: dict[float, Any] = {}  # each scale is laid out at most once
    folders = [*templates.group_dirs, *template_dirs]

    def one_page(fit: float) -> bool:
        if fit not in layouts:
            html = flyer_html(templates, programmes, items, paper, term, fit, page_url, large_print, brief)
            layouts[fit] = laid_out(html, base_url, folders)
        return len(layouts[fit].pages) == 1

    full = fits.index(1.0)
    if one_page(1.0):  # room to spare, perhaps: look for the largest scale above full size that fits
        lo, hi, best = 0, full - 1, 1.0
    elif one_page(fits[-1]):  # fits once shrunk: look for the largest scale below full size that fits
        lo, hi, best = full + 1, len(fits) - 2, fits[-1]
    else:
        return layouts[1.0]  # too long for one page even at the smallest: full size over several
    while lo <= hi:  # fits[lo..hi] are the candidates left, largest first; halve them
        mid = (lo + hi) // 2
        if one_page(fits[mid]):
            best, hi = fits[mid], mid - 1
        else:
            lo = mid + 1
    return layouts[best]


# --------------------------------------------------------------------------- the flyer's file

#: The extensions a flyer's file may have, and the format each says.
FLYER_SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".png": "png"}


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
                    f"-o {output}: meetctl writes flyers as HTML, PDF or PNG, not {what}; "
                    "name the file .html, .pdf or .png, or give --format"
                )
            )
    if asked is not None and named is not None and asked != named:
        raise MeetctlError(Problem(f"--format {asked} does not match -o {output}: name the file .{asked}"))
    return asked or named or "html"


def output_kind(output: Path, asked: str | None = None) -> str:
    """The kind of file (:data:`meetctl.output.KINDS`) -o will hold, for the checks made before the flyer is."""
    return asked or FLYER_SUFFIXES.get(output.suffix.lower(), "html")


def flyer_bytes(
    templates: Templates,
    programmes: Sequence[Programme],
    items: Sequence[Occurrence],
    paper: str,
    term: bool,
    fmt: str,
    base_url: Path,
    page_url: str | None = None,
    large_print: bool = False,
    square: bool = False,
) -> bytes:
    """The flyer as ``fmt`` (``html``, ``pdf`` or ``png``: see :func:`flyer_html`, :func:`flyer_pdf`
    and :func:`flyer_png`), ready to write. An image ignores ``paper``: it is 1080x1350, or 1080x1080 if ``square``.
    """
    if fmt == "html":
        return flyer_html(templates, programmes, items, paper, term, page_url=page_url,
                          large_print=large_print).encode("utf-8")  # fmt: skip
    if fmt == "png":
        image = "square" if square else "post"
        return flyer_png(templates, programmes, items, image, term, base_url, (), page_url, large_print)
    return flyer_pdf(templates, programmes, items, paper, term, base_url, (), page_url, large_print)


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
