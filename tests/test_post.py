"""`meetctl post`: one meeting as a short post, counted as Mastodon and Bluesky count it."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, timedelta

import pytest

from tests.document_helpers import in_words, last_weekday

PROGRAMME = """\
[group]
name = "Test Group"
timezone = "Europe/London"
website = "https://example.org/group/"

[venues.hall]
name = "Community Hall"
address = "1 High Street, Leicester LE1 1AA"
accessibility = "Step-free access, hearing loop."

[[series]]
id = "discussion"
title = "Discussion meeting"
rule = "last Wednesday of the month"
start = "19:00"
duration = "2h"
venue = "hall"
from = 2027-01-01

[[meetings]]
series = "discussion"
date = 2027-01-27
title = "Rent strikes in history"

[[meetings]]
series = "discussion"
date = 2027-02-24
cancelled = true
reason = "the hall is flooded"

[[meetings]]
series = "discussion"
date = 2027-03-30
replaces = 2027-03-31
title = "Moved for Easter"
"""

JAN, FEB, MAR = last_weekday(2027, 1, 2), last_weekday(2027, 2, 2), date(2027, 3, 30)
LINK = re.compile(r"https?://\S+")


def graphemes(text: str) -> int:
    """Characters as a reader sees them: a letter and its combining accents count once."""
    return sum(1 for ch in unicodedata.normalize("NFC", text) if not unicodedata.combining(ch))


def mastodon_length(text: str) -> int:
    """Mastodon's count: every link is 23 characters, whatever its length; the rest in graphemes."""
    return graphemes(LINK.sub("x" * 23, text))


def bluesky_length(text: str) -> int:
    """Bluesky's count: graphemes, a link in the text counted in full."""
    return graphemes(text)


@pytest.fixture
def programme(write_programme):
    return write_programme(PROGRAMME)


def test_a_post_says_title_date_time_place_access_and_the_meetings_page(cli, programme):
    result = cli("post", "-f", programme, JAN.isoformat(), "--base-url", "https://site.example.org/")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Rent strikes in history",
        f"{in_words(JAN)}, 7pm to 9pm",
        "Community Hall, 1 High Street, Leicester LE1 1AA",
        "Step-free access, hearing loop.",
        f"https://site.example.org/meetings/{JAN.isoformat()}-discussion.html",
    ]


def test_without_a_date_the_post_is_for_the_next_meeting_on_the_groups_website(cli, programme):
    # The day after January's meeting: February's is cancelled, so March's (moved) is next.
    result = cli("post", "-f", programme, "--today", (JAN + timedelta(days=1)).isoformat())
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"Moved from {in_words(last_weekday(2027, 3, 2))}"
    assert lines[1:3] == ["Moved for Easter", f"{in_words(MAR)}, 7pm to 9pm"]
    assert lines[-1] == f"https://example.org/group/meetings/{MAR.isoformat()}-discussion.html"


def test_a_cancelled_meeting_says_so_first(cli, programme):
    result = cli("post", "-f", programme, FEB.isoformat())
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "CANCELLED: the hall is flooded"
    assert lines[2] == f"{in_words(FEB)}, 7pm to 9pm"


def test_an_online_meeting_gives_its_join_link(cli, write_programme):
    path = write_programme(PROGRAMME.replace('venue = "hall"', 'online = "https://meet.example.org/discussion"'))
    lines = cli("post", "-f", path, JAN.isoformat()).stdout.splitlines()
    assert "Join online: https://meet.example.org/discussion" in lines
    assert not any("Community Hall" in line for line in lines)


LONG_TITLE = " ".join(["What would a society without bosses, landlords or borders look like?"] * 6)


@pytest.mark.parametrize("limit", [None, 300, 150])
def test_a_long_title_is_shortened_with_an_ellipsis_to_fit(cli, write_programme, limit):
    path = write_programme(PROGRAMME.replace('title = "Rent strikes in history"', f'title = "{LONG_TITLE}"'))
    args = ["post", "-f", path, JAN.isoformat(), "--format", "json"] + (["--max", str(limit)] if limit else [])
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    post = json.loads(result.stdout)
    text = post["text"]
    title = text.splitlines()[0]
    assert title.endswith("…") and LONG_TITLE.startswith(title[:-1])
    assert mastodon_length(text) <= (limit or 500)
    assert bluesky_length(text) <= (limit or 500)  # the link counts in full: still within
    assert post["length"] >= mastodon_length(text) and post["max"] == (limit or 500) and post["shortened"] is True
    # The date, the time and the link are never what gives way.
    assert f"{in_words(JAN)}, 7pm to 9pm" in text
    assert text.endswith(f"https://example.org/group/meetings/{JAN.isoformat()}-discussion.html")


def test_access_and_then_the_address_give_way_before_the_title(cli, programme):
    full = cli("post", "-f", programme, JAN.isoformat(), "--format", "json")
    length = json.loads(full.stdout)["length"]
    without_access = json.loads(cli("post", "-f", programme, JAN.isoformat(), "--format", "json",
                                    "--max", str(length - 1)).stdout)  # fmt: skip
    assert "Step-free" not in without_access["text"] and "1 High Street" in without_access["text"]
    assert without_access["text"].startswith("Rent strikes in history\n")
    shorter = len("\nStep-free access, hearing loop.") + len(", 1 High Street, Leicester LE1 1AA")
    bare = json.loads(cli("post", "-f", programme, JAN.isoformat(), "--format", "json",
                          "--max", str(length - shorter)).stdout)  # fmt: skip
    assert bare["text"].splitlines()[:3] == [
        "Rent strikes in history",
        f"{in_words(JAN)}, 7pm to 9pm",
        "Community Hall",
    ]


def test_the_json_has_the_posts_text_and_what_it_is_about(cli, programme):
    post = json.loads(cli("post", "-f", programme, FEB.isoformat(), "--format", "json").stdout)
    assert set(post) == {"text", "length", "max", "date", "start", "title", "status", "url", "shortened"}
    assert (post["date"], post["status"], post["shortened"]) == (FEB.isoformat(), "cancelled", False)
    assert post["start"] == f"{FEB.isoformat()}T19:00:00+00:00"
    assert post["url"] == f"https://example.org/group/meetings/{FEB.isoformat()}-discussion.html"
    assert post["length"] == bluesky_length(post["text"])  # the link here is longer than 23: in full


def test_a_link_counts_23_characters_or_its_length_whichever_is_more():
    from meetctl.documents.posts import post_length

    short, long = "https://ex.org/a", "https://example.org/group/meetings/2027-01-27-discussion.html"
    assert post_length(f"Rent strikes\n{short}") == len("Rent strikes\n") + 23  # Mastodon's count
    assert post_length(f"Rent strikes\n{long}") == len(f"Rent strikes\n{long}")  # Bluesky's count


def _shipped_locales() -> list[str]:
    from meetctl.documents.environment import shipped_languages

    regions = {"fr": "fr_FR", "ca": "ca_ES", "cy": "cy_GB"}
    return ["en_GB", *(regions.get(lang, lang) for lang in shipped_languages())]


@pytest.mark.parametrize("locale", _shipped_locales())
@pytest.mark.parametrize("limit", [500, 300])
def test_every_locale_offered_keeps_within_the_limit(cli, write_programme, locale, limit):
    pytest.importorskip("babel")
    address = "Unit 4, The Old Co-operative Buildings, 102 Regent Road, Leicester LE1 7DA, United Kingdom"
    text = PROGRAMME.replace('timezone = "Europe/London"', f'timezone = "Europe/London"\nlocale = "{locale}"')
    text = text.replace('title = "Rent strikes in history"', f'title = "{LONG_TITLE}"')
    text = text.replace('address = "1 High Street, Leicester LE1 1AA"', f'address = "{address}"')
    path = write_programme(text)
    for day in (JAN, FEB, MAR):
        result = cli("post", "-f", path, day.isoformat(), "--max", str(limit), "--format", "json")
        assert result.exit_code == 0, result.stderr
        post = json.loads(result.stdout)["text"]
        assert mastodon_length(post) <= limit and bluesky_length(post) <= limit, (locale, day)
        assert str(day.day) in post and str(day.year) in post  # the date is there, in the locale's words
        assert post.endswith(f"{day.isoformat()}-discussion.html")


def test_a_limit_too_small_for_the_essentials_is_an_error(cli, programme):
    result = cli("post", "-f", programme, JAN.isoformat(), "--max", "60")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"meetctl: error: a post of at most 60 characters cannot say the meeting on {JAN}")
    assert len(result.stderr.splitlines()) == 1
    result = cli("post", "-f", programme, JAN.isoformat(), "--max", "10")
    assert result.exit_code == 2 and "--max" in result.stderr
