"""A network's site on a phone, in Debian's Chromium: its name and the subscribe links on the first screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_network_toml import NETWORK, NORTH, PERTH, last_saturday
from tests.test_site_browser import SHOTS, browser  # noqa: F401 (the fixture)

#: A small phone's first screen, in CSS pixels (iPhone SE: 375 x 667).
PHONE = {"width": 375, "height": 667}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("network-site")
    for name, text in (("network.toml", NETWORK), ("north.toml", NORTH), ("perth.toml", PERTH)):
        (folder / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"), "MEETCTL_FILE": ""}
    subprocess.run([sys.executable, "-m", "meetctl", "site", "-f", str(folder), "--today", "2027-06-01",
                    "--base-url", "https://renters.example.org/"], check=True, env=env, capture_output=True)  # fmt: skip
    return folder / "site"


@pytest.mark.parametrize(
    "name",
    ["index.html", "group-perth-renters.html", f"meetings/renters-network-{last_saturday(2027, 6)}-assembly.html"],
)
def test_the_networks_name_and_the_subscribe_links_are_on_a_phones_first_screen(browser, site: Path, name: str):  # noqa: F811
    tab = browser.new_page(viewport=PHONE)
    tab.goto((site / name).as_uri())
    assert tab.inner_text(".site-name") == "Renters' Network"
    links = tab.evaluate(
        "Array.from(document.querySelectorAll('ul.subscribe a'),"
        " a => [a.textContent, a.getAttribute('href'), a.getBoundingClientRect().bottom])"
    )
    assert [text for text, _, _ in links] == ["Calendar (.ics)", "Subscribe in your calendar app", "News feed (Atom)"]
    assert "webcal://renters.example.org/calendar.ics" in [href for _, href, _ in links]
    assert all(bottom <= PHONE["height"] for _, _, bottom in links), links
    # The page's own heading starts on the first screen too: the header is not all there is to see.
    assert tab.evaluate("document.querySelector('h1').getBoundingClientRect().top") < PHONE["height"] / 2
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"network-phone-{name.replace('/', '-')}.png"))
    tab.close()
