"""`meetctl site` in a real browser: Debian's Chromium, driven by Playwright's Python package.

No browser is downloaded (never `playwright install`): Playwright is pointed at
/usr/bin/chromium, which .ci/run installs. Each page is opened at a phone's width
(375px) and a desktop's: nothing scrolls sideways on the phone, every link resolves
(a file of the site, or a well-formed http(s)/webcal/mailto address), and axe-core
(pinned in tests/js/package-lock.json) finds no serious or critical accessibility
problem. Screenshots go to the test's tmp folder and to /tmp/site-shots for a person.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.test_site import PROGRAMME, TODAY

JS = Path(__file__).parent / "js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path("/tmp/site-shots")
WIDTHS = {"phone": 375, "desktop": 1280}


def axe_script() -> Path:
    """axe-core's browser build, installed from tests/js's lock file on first use."""
    script = JS / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install axe-core (Debian package npm)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS, check=True, timeout=300)
    return script


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test programme's site with a report and a flyer, written by the real command."""
    import os
    import sys

    folder = tmp_path_factory.mktemp("browser")
    (folder / "programme.toml").write_text(PROGRAMME, encoding="utf-8")
    (folder / "reports").mkdir()
    (folder / "reports" / "2027-01-27-is-the-working-class-movement-dead.md").write_text(
        "# Report back\n\nTwelve came; **lively**.\n\n- [notes](https://example.org/notes)\n", encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"), "MEETCTL_FILE": ""}
    subprocess.run([sys.executable, "-m", "meetctl", "site", "-f", str(folder / "programme.toml"), "--today", TODAY,
                    "--flyers", "1"], check=True, env=env, capture_output=True)  # fmt: skip
    return folder / "site"


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed (.ci/run installs it)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # --no-sandbox: CI runs as root in a container, where Chromium's own sandbox cannot start.
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


PAGES = [
    "index.html",
    "meetings/2027-03-14-annual-general-meeting.html",  # agenda, access, map
    "meetings/2027-03-31-discussion.html",  # cancelled, hostile title
    "meetings/2027-02-04-reading.html",  # hybrid, with a join link
    "meetings/2027-01-27-discussion.html",  # past, with its report
]


def check_link(site: Path, page: Path, href: str) -> None:
    parts = urlsplit(href)
    if parts.scheme in ("http", "https", "webcal"):
        assert parts.netloc and " " not in href, href
        return
    if parts.scheme == "mailto":
        assert "@" in parts.path, href
        return
    assert parts.scheme == "", href
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    assert target.is_file(), f"{page.name}: {href} -> {target} does not exist"
    assert target.is_relative_to(site.resolve()), href


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("name", PAGES)
def test_page_in_chromium(browser, site: Path, tmp_path: Path, name: str, width: str):
    page_file = site / name
    tab = browser.new_page(viewport={"width": WIDTHS[width], "height": 800}, java_script_enabled=True)
    tab.goto(page_file.as_uri())

    # Nothing wider than the screen: no sideways scrolling on a phone.
    scroll, client = tab.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"{name} scrolls sideways at {WIDTHS[width]}px ({scroll} > {client})"

    # Every link and stylesheet resolves.
    hrefs = tab.evaluate("Array.from(document.querySelectorAll('a[href], link[href]'), a => a.getAttribute('href'))")
    assert hrefs
    for href in hrefs:
        check_link(site, page_file, href)
    # The stylesheet was applied (a page without CSS would still pass the width check).
    assert tab.evaluate("getComputedStyle(document.body).maxWidth") != "none"

    # axe-core: no serious or critical accessibility problem.
    tab.add_script_tag(path=str(axe_script()))
    result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert bad == [], bad

    shot = f"{width}-{name.replace('/', '-')}.png"
    tab.screenshot(path=str(tmp_path / shot), full_page=True)
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SHOTS / shot), full_page=True)
    tab.close()


def test_print_layout_hides_the_subscribe_links(browser, site: Path, tmp_path: Path):
    tab = browser.new_page()
    tab.goto((site / "meetings/2027-03-14-annual-general-meeting.html").as_uri())
    tab.emulate_media(media="print")
    assert tab.evaluate("getComputedStyle(document.querySelector('ul.subscribe')).display") == "none"
    pdf = tab.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "print.pdf").write_bytes(pdf)
    tab.close()
