"""Documents everyone can read: type sizes (pypdf), tagged PDFs (pikepdf), large print, images (zbarimg).

PRODUCT.md, "Documents people can read" and "Everyone can read it, wherever they look".
Type sizes are measured per text run with pypdf: the font size times the scale of the
text and graphics matrices, as a PDF viewer draws it.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from datetime import date, timedelta

import pytest

from tests.conftest import ROOT
from tests.document_helpers import in_words, parse_html, pdf_reader
from tests.test_agenda import BRANCH
from tests.test_flyer import DAY_SCHOOL
from tests.test_flyer import PROGRAMME as FLYER_PROGRAMME

NETWORK = ROOT / "examples" / "network"

TITLES = [
    "Housing and the council",
    "What would a society without bosses, landlords or borders look like, and how would we get there?",
    "Rent strikes in history",
    "Reading: The Conquest of Bread, chapters 1 to 3",
]


def weekly(n: int, first: date = date(2027, 1, 6)) -> str:
    """A group meeting every Wednesday (``first`` is one), with ``n`` meetings written out."""
    last = first + timedelta(weeks=n - 1)
    text = FLYER_PROGRAMME.split("[[series]]")[0] + (
        '[[series]]\nid = "discussion"\ntitle = "Discussion meeting"\nrule = "every Wednesday"\n'
        f'start = "19:00"\nduration = "2h"\nvenue = "hall"\nfrom = {first}\nuntil = {last}\n'
    )
    for i in range(n):
        day = first + timedelta(weeks=i)
        text += f'\n[[meetings]]\nseries = "discussion"\ndate = {day}\ntitle = "{TITLES[i % 4]}"\n'
    return text


def type_sizes(pdf: bytes) -> list[tuple[int, float, float, str]]:
    """Every text run: (page, size in points, baseline height above the page's foot, text)."""
    runs: list[tuple[int, float, float, str]] = []
    for number, page in enumerate(pdf_reader(pdf).pages):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                scale = math.sqrt(abs(tm[0] * tm[3] - tm[1] * tm[2])) * math.sqrt(abs(cm[0] * cm[3] - cm[1] * cm[2]))
                runs.append((number, size * scale, tm[5] * cm[3] + cm[5], text.strip()))

        page.extract_text(visitor_text=visit)
    return runs


def smallest(pdf: bytes) -> float:
    return min(size for _, size, _, _ in type_sizes(pdf))


def size_of(pdf: bytes, words: str) -> float:
    return next(size for _, size, _, text in type_sizes(pdf) if words in text)


def pages(pdf: bytes) -> int:
    return len(pdf_reader(pdf).pages)


def term_flyer(cli, path, paper: str, *extra: str, first="2027-01-01", last="2027-12-31") -> bytes:
    result = cli("flyer", "-f", path, "--from", first, "--to", last, "--format", "pdf", "--paper", paper, *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


# --------------------------------------------------------------------------- sizes (issue 22, item 5)

#: Full-size table rows: 13pt on A4 (9.4pt on A5), a term of more than 8 meetings 11pt (7.6pt on A5).
ROW_PT = {("a4", False): 13.0, ("a5", False): 13 * 0.72, ("a4", True): 11.0, ("a5", True): 7.6}


@pytest.mark.parametrize("paper", ["a4", "a5"])
@pytest.mark.parametrize("meetings", [3, 11, 20])
def test_no_term_flyer_sets_type_under_8pt_and_a_short_one_grows_to_fill(cli, write_programme, paper, meetings):
    pdf = term_flyer(cli, write_programme(weekly(meetings)), paper)
    assert smallest(pdf) >= 8 - 0.05
    row = size_of(pdf, "Rent strikes")
    if pages(pdf) == 1:
        runs = type_sizes(pdf)
        last_baseline = min(height for _, _, height, _ in runs)
        height = float(pdf_reader(pdf).pages[0].mediabox.height)
        # Filled: the last line (the contact) is in the bottom quarter of the page, or the type has grown.
        assert last_baseline < height / 4 or row > ROW_PT[paper, meetings > 8] * 1.1
    else:  # ran on: never smaller than full size
        assert row >= max(ROW_PT[paper, meetings > 8], 8) - 0.05
    if meetings == 3:  # room to spare: the rows grow past their full size
        assert row > ROW_PT[paper, False] * 1.2


def test_a_term_that_would_need_small_type_runs_to_a_second_page(cli, write_programme):
    path = write_programme(weekly(30))
    pdf = term_flyer(cli, path, "a5")
    assert pages(pdf) >= 2
    assert smallest(pdf) >= 8 - 0.05
    # Every meeting is there, the last one on the last page.
    last = date(2027, 1, 6) + timedelta(weeks=29)
    assert any(page == pages(pdf) - 1 and in_words(last, year=False) in text for page, _, _, text in type_sizes(pdf))


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_the_networks_term_flyer_keeps_to_8pt_and_two_pages(cli, paper):
    pdf = term_flyer(cli, NETWORK, paper, first="2017-01-01", last="2017-03-31")
    assert smallest(pdf) >= 8 - 0.05
    assert pages(pdf) <= 2


@pytest.mark.parametrize("paper", ["a4", "a5", "letter"])
def test_a_day_school_flyer_keeps_to_8pt(cli, write_programme, paper):
    result = cli("flyer", "-f", write_programme(DAY_SCHOOL), "2027-03-20", "--format", "pdf", "--paper", paper)
    assert result.exit_code == 0, result.stderr
    assert smallest(result.stdout_bytes) >= 8 - 0.05


def test_an_agenda_keeps_to_8pt(cli, write_programme):
    result = cli("agenda", "-f", write_programme(BRANCH), "2024-03-04", "--format", "pdf", "--today", "2024-02-01")
    assert result.exit_code == 0, result.stderr
    assert smallest(result.stdout_bytes) >= 8


# --------------------------------------------------------------------------- large print


def fonts(pdf: bytes) -> set[str]:
    """The names of the fonts a PDF's pages use."""
    names: set[str] = set()
    for page in pdf_reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_a_large_print_term_flyer_has_no_type_under_16pt_and_runs_to_more_pages(cli, write_programme):
    path = write_programme(weekly(11))
    normal, large = term_flyer(cli, path, "a4"), term_flyer(cli, path, "a4", "--large-print")
    assert smallest(normal) < 16 <= smallest(large) + 0.05
    assert pages(large) > pages(normal)
    # Clear print: one plain sans-serif face, never the condensed one a long term uses.
    assert any("Condensed" in f for f in fonts(normal))
    assert fonts(large) and all("Sans" in f and "Condensed" not in f for f in fonts(large))


@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_a_large_print_one_meeting_flyer_has_no_type_under_16pt(cli, write_programme, paper):
    path = write_programme(DAY_SCHOOL)
    result = cli("flyer", "-f", path, "2027-03-20", "--format", "pdf", "--paper", paper, "--large-print")
    assert result.exit_code == 0, result.stderr
    assert smallest(result.stdout_bytes) >= 16 - 0.05
    # Black on white: no grey text left in the large-print HTML's own rules.
    html = cli("flyer", "-f", path, "2027-03-20", "--format", "html", "--large-print").stdout
    large_rules = html.split("Large print (RNIB clear print)")[1]
    assert "text-transform: none" in large_rules and "color: #000" in large_rules


def test_a_large_print_agenda_has_no_type_under_16pt(cli, write_programme):
    path = write_programme(BRANCH)
    args = ("agenda", "-f", path, "2024-03-04", "--format", "pdf", "--today", "2024-02-01")
    normal, large = cli(*args), cli(*args, "--large-print")
    assert large.exit_code == 0, large.stderr
    assert smallest(normal.stdout_bytes) < 16 <= smallest(large.stdout_bytes) + 0.05


def test_large_print_of_a_text_agenda_is_refused(cli, write_programme):
    result = cli("agenda", "-f", write_programme(BRANCH), "2024-03-04", "--large-print", "--today", "2024-02-01")
    assert result.exit_code == 2
    assert (
        result.stderr == "meetctl: error: --large-print sets the type of an HTML or PDF agenda; text has none to set\n"
    )


# --------------------------------------------------------------------------- tagged PDFs (PDF/UA-1)


def structure(pdf: bytes):
    """(the opened PDF, every structure element's type and /Alt, in reading order)."""
    import pikepdf

    document = pikepdf.open(io.BytesIO(pdf))
    elements: list[tuple[str, str | None]] = []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                alt = node.get("/Alt")
                elements.append((str(node["/S"]), str(alt) if alt is not None else None))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, pikepdf.Array):
            for child in node:
                walk(child)

    assert "/StructTreeRoot" in document.Root, "untagged: no structure tree"
    walk(document.Root.StructTreeRoot)
    return document, elements


def assert_tagged(pdf: bytes, lang: str, title: str) -> list[tuple[str, str | None]]:
    document, elements = structure(pdf)
    root, info = document.Root, document.docinfo
    assert bool(root.MarkInfo.Marked) is True
    assert str(root.Lang) == lang
    assert str(info.Title) == title
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True  # a reader shows the title, not the file name
    headings = [int(kind[2:]) for kind, _ in elements if kind in {f"/H{i}" for i in range(1, 7)}]
    assert headings and headings[0] == 1
    assert all(b <= a + 1 for a, b in zip(headings, headings[1:], strict=False)), headings  # none skipped
    assert all(alt for kind, alt in elements if kind == "/Figure"), "a figure without alternative text"
    return elements


def test_a_one_meeting_flyer_is_tagged_and_its_qr_code_says_its_url(cli, write_programme):
    pytest.importorskip("pikepdf")
    path = write_programme(FLYER_PROGRAMME)
    day = date(2017, 1, 25)
    result = cli("flyer", "-f", path, day.isoformat(), "--format", "pdf", "--base-url", "https://site.example.org/")
    assert result.exit_code == 0, result.stderr
    elements = assert_tagged(result.stdout_bytes, "en", f"Rent & rates: <script>alert(1)</script> – {in_words(day)}")
    figures = [alt for kind, alt in elements if kind == "/Figure"]
    assert figures == [f"QR code of this meeting's page: https://site.example.org/meetings/{day}-discussion.html"]


def test_a_term_flyer_and_an_agenda_are_tagged_in_the_groups_language(cli, write_programme):
    pytest.importorskip("pikepdf")
    pytest.importorskip("babel")
    text = FLYER_PROGRAMME.replace('timezone = "Europe/London"', 'timezone = "Europe/London"\nlocale = "fr_FR"')
    pdf = term_flyer(cli, write_programme(text), "a5", first="2017-01-01", last="2017-03-31")
    html = cli("flyer", "-f", write_programme(text), "--from", "2017-01-01", "--to", "2017-03-31", "--format", "html")
    title = parse_html(html.stdout).findtext(".//title")
    assert title.startswith("Test Group") and "2017" in title
    elements = assert_tagged(pdf, "fr-FR", title)
    assert ("/Table", None) in elements
    result = cli("agenda", "-f", write_programme(BRANCH), "2024-03-04", "--format", "pdf", "--today", "2024-02-01")
    elements = assert_tagged(
        result.stdout_bytes, "en", "Annual General Meeting: Annual General Meeting & <elections> – Monday 4 March 2024"
    )
    assert [k for k, _ in elements if k.startswith("/H")] == ["/H1", "/H2", "/H2"]


# --------------------------------------------------------------------------- images


def png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    return Image.open(io.BytesIO(data)).size


def qr_codes(data: bytes, tmp_path) -> list[str]:
    assert shutil.which("zbarimg"), "needs Debian's zbar-tools"
    png = tmp_path / "image.png"
    png.write_bytes(data)
    found = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
    return found.stdout.split()


@pytest.mark.parametrize(("shape", "size"), [((), (1080, 1350)), (("--square",), (1080, 1080))])
def test_a_png_flyer_is_sized_for_phones_with_its_qr_code(cli, write_programme, tmp_path, shape, size):
    pytest.importorskip("pypdfium2")
    path = write_programme(FLYER_PROGRAMME)
    out = tmp_path / "flyer.png"
    result = cli("flyer", "-f", path, "2017-01-25", "-o", out, "--base-url", "https://site.example.org/", *shape)
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and png_size(data) == size
    assert qr_codes(data, tmp_path) == ["https://site.example.org/meetings/2017-01-25-discussion.html"]
    # Same programme, same image.
    again = cli("flyer", "-f", path, "2017-01-25", "--format", "png", "--base-url", "https://site.example.org/", *shape)
    assert again.stdout_bytes == data


def test_an_image_has_no_type_a_phone_shows_under_10px(write_programme):
    """Laid out for the image, the type is at least 16pt of a 540pt page: 10.7 px when shown 360 px wide."""
    from meetctl.documents.environment import Templates
    from meetctl.documents.flyers import IMAGES, flyer_pdf
    from meetctl.model.loading import load_programme

    programme = load_programme(write_programme(DAY_SCHOOL))
    (o,) = [o for o in _occurrences(programme) if o.date == date(2027, 3, 20)]
    for image in IMAGES:
        pdf = flyer_pdf(Templates(), [programme], [o], image, False, ROOT)
        width = float(pdf_reader(pdf).pages[0].mediabox.width)
        assert smallest(pdf) * 360 / width >= 10


def _occurrences(programme):
    from meetctl.model.schedule import occurrences

    return occurrences(programme, date(2027, 1, 1), date(2027, 12, 31))


def test_a_term_too_long_for_one_image_is_refused(cli, write_programme, tmp_path):
    pytest.importorskip("pypdfium2")
    out = tmp_path / "term.png"
    result = cli("flyer", "-f", write_programme(weekly(20)), "--from", "2027-01-01", "--to", "2027-06-30", "-o", out)
    assert result.exit_code == 2
    assert result.stderr.startswith("meetctl: error: the term's 20 meetings do not fit one image")
    assert not out.exists()
    short = cli("flyer", "-f", write_programme(weekly(3)), "--from", "2027-01-01", "--to", "2027-01-31", "-o", out)
    assert short.exit_code == 0, short.stderr
    assert png_size(out.read_bytes()) == (1080, 1350)


def test_square_without_an_image_is_refused(cli, write_programme):
    result = cli("flyer", "-f", write_programme(FLYER_PROGRAMME), "2017-01-25", "--format", "pdf", "--square")
    assert result.exit_code == 2
    assert result.stderr == "meetctl: error: --square is the shape of an image: give it with --format png\n"
