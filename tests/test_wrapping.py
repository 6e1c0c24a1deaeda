"""Text output wraps at 72 columns: announce, remind (text and email) and agenda; only a URL may be longer.

Long group names, venues, reasons and links, in several locales, and (a property) any
words at all: each line is at most 72 characters, or is a URL on a line of its own.
"""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

WIDTH = 72
LONG_URL = "https://meet.example.org/join/extraordinarily-long-meeting-identifier-1234567890-abcdefghij"

PROGRAMME = """\
[group]
name = "{group}"
timezone = "Europe/London"
email = "secretary@example.org"
mailing_list = "members@example.org"
website = "https://example.org/a/very/long/path/that/goes/on/and/on/and/on/for/ever/and/ever/index.html"

[venues.hall]
name = "{venue}"
address = "The Community Centre, 102 Regent Road, Off Upper King Street, Near the Station, Leicester LE1 7DA"
accessibility = "Step-free entrance round the back beside the car park; ring the bell marked 'Meetings'"

[[series]]
id = "discussion"
title = "{title}"
description = "Paragraphs wrap at seventy-two columns in every output. A link stays whole: {url} and on."
rule = "last Wednesday of the month"
start = "19:00"
venue = "hall"
from = 2027-01-01

[[meetings]]
series = "discussion"
date = 2027-02-24
cancelled = true
reason = "{reason}"

[[meetings]]
date = 2027-02-10
title = "{title} (annual general meeting)"
venue = "hall"
start = "18:30"
kind = "agm"
notice = "14 clear days"
online = "{url}"
agenda = [{{ title = "{title}", lead = "{venue}" }}]
"""

LONG = {
    "group": "The Extraordinarily Long-Named Federation of Tenants' and Residents' Associations of Leicestershire",
    "venue": "The Great Hall of the Community Centre on the Corner of Regent Road and Upper King Street",
    "title": "Monthly discussion of housing, rents, repairs, landlords and everything else members raise",
    "reason": "The hall is being used for a by-election count and the caretaker cannot open it that evening",
    "url": LONG_URL,
}


def too_wide(text: str) -> list[str]:
    """Lines over 72 characters that are not a URL on a line of its own."""
    return [line for line in text.splitlines() if len(line) > WIDTH and not re.fullmatch(r"\s*https?://\S+", line)]


def _plain_body(message: str) -> str:
    msg = email.message_from_string(message, policy=policy.default)
    return "\n".join(p.get_content() for p in msg.walk() if p.get_content_type() == "text/plain")


def _outputs(cli, path, locale: str = "en_GB", quick: bool = False):
    """(what, text) for every text output of the programme over its first quarter."""
    today = ("--today", "2027-01-20")
    yield "announce", cli("announce", "-f", path, *today, "--to", "2027-03-31", "--locale", locale).stdout
    for day in ("2027-02-10",) if quick else ("2027-02-10", "2027-03-31"):
        yield f"agenda {day}", cli("agenda", "-f", path, day, *today, "--locale", locale).stdout
    for days in (21,) if quick else (7, 21, 35):  # the AGM's formal notice, a reminder, the cancellation
        yield f"remind {days}", cli("remind", "-f", path, *today, "--days", days).stdout
        mail = cli("remind", "-f", path, *today, "--days", days, "--format", "email").stdout
        yield f"remind email {days}", _plain_body(mail)


@pytest.mark.parametrize("locale", ["en_GB", "fr_FR", "cy_GB", "ca_ES", "de_DE"])
def test_long_names_venues_reasons_and_links_wrap_at_72_columns(cli, write_programme, locale):
    path = write_programme(PROGRAMME.format(**LONG))
    seen = 0
    for what, text in _outputs(cli, path, locale):
        assert text.strip(), what
        assert too_wide(text) == [], what
        seen += len(text.splitlines())
    assert seen > 100


def test_the_cancellation_and_the_heading_are_wrapped_not_cut(cli, write_programme):
    path = write_programme(PROGRAMME.format(**LONG))
    text = cli("announce", "-f", path, "--today", "2027-01-20", "--to", "2027-03-31").stdout
    words = " ".join(text.split())
    assert f"CANCELLED ({LONG['reason']})" in words
    assert f"{LONG['group']}: meetings, January to March 2027" in words
    lines = text.splitlines()
    underline = next(line for line in lines if set(line) == {"="})
    assert len(underline) == max(len(line) for line in lines[: lines.index(underline)]) <= WIDTH
    assert f"Join online:\n  {LONG_URL}" in text


def test_a_network_heading_over_several_groups_wraps(cli, tmp_path):
    for i, name in enumerate(["Leicester Renters' Union, North West Branch", "Leicester Renters' Union, City"]):
        text = PROGRAMME.format(**{**LONG, "group": name}).replace("discussion", f"discussion{i}")
        (tmp_path / f"g{i}.toml").write_text(text, encoding="utf-8")
    for what, text in _outputs(cli, tmp_path):
        assert too_wide(text) == [], what


_word = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéàñçł'-", min_size=1, max_size=18),
    st.sampled_from(["https://example.org/" + "x" * 70, "a-very-long-hyphenated-word-with-no-spaces-at-all-in-it"]),
)
_phrase = st.lists(_word, min_size=1, max_size=25).map(" ".join)


# No shrinking: each example runs a dozen commands, and a failing one is readable as it is.
@settings(
    max_examples=10,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)  # cli keeps no state between runs
@given(group=_phrase, venue=_phrase, title=_phrase, reason=_phrase)
def test_any_words_wrap_at_72_columns(cli, tmp_path_factory, group, venue, title, reason):
    path = tmp_path_factory.mktemp("wrap") / "programme.toml"
    values = {"group": group, "venue": venue, "title": title, "reason": reason, "url": LONG_URL}
    path.write_text(PROGRAMME.format(**values), encoding="utf-8")
    for what, text in _outputs(cli, path, quick=True):
        # A word longer than a line cannot be wrapped: it may stand alone (after an item's number).
        wide = [line for line in too_wide(text) if not re.fullmatch(r"\s*(\d+\.\s+|- )?\S+", line)]
        assert wide == [], what


def test_a_group_name_with_words_longer_than_a_header_line_keeps_the_headers_whole(cli, write_programme):
    # The email package folds two over-long words with an empty line between them, which
    # ended the headers at From: (To and Subject became body text): the name is left out.
    name = f"{LONG_URL} {LONG_URL} branch"
    path = write_programme(PROGRAMME.format(**{**LONG, "group": name}))
    out = cli("remind", "-f", path, "--today", "2027-01-20", "--days", "7", "--format", "email").stdout
    headers = out.split("\n\n", 1)[0]
    assert "\nTo: members@example.org" in headers and "\nSubject: " in headers
    msg = email.message_from_string(out, policy=policy.default)
    assert msg["From"].addresses[0].addr_spec == "secretary@example.org"
    assert msg["To"] == "members@example.org"
