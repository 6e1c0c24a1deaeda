"""Posts: one meeting as a short text for Mastodon, Bluesky or a group chat, within a length limit.

Stage: outputs (documents). A post says, one line each: a cancellation or a move first,
the title, the date and time, the place (or the join link), the venue's access in a few
words when there is room, and the meeting's page (or the group's website).

How long a post is, is counted so that it fits both networks: in characters (Unicode
code points, never fewer than the graphemes Mastodon and Bluesky count), with each link
counted as 23 characters or its own length, whichever is more (Mastodon counts every
link as 23; Bluesky counts a link in the text in full).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from meetctl.documents.environment import colon, words
from meetctl.documents.views import meeting_view
from meetctl.model.errors import MeetctlError, Problem
from meetctl.model.schedule import Occurrence

#: Mastodon's default limit; Bluesky's is 300 (`post --max 300`).
DEFAULT_MAX = 500
#: What Mastodon counts any link as, whatever its length.
LINK_LENGTH = 23
#: A title is never cut shorter than this (with its ellipsis): below it, the post says nothing.
SHORTEST_TITLE = 12
#: A link, as Mastodon finds one in a post's text.
_LINK = re.compile(r"https?://\S+")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Post:
    """A meeting's post: its text, how long it counts, and what it is about."""

    text: str
    length: int
    limit: int
    occurrence: Occurrence
    url: str | None
    shortened: bool

    def as_json(self) -> dict[str, Any]:
        """The post for scripts (`post --format json`)."""
        o = self.occurrence
        status = "cancelled" if o.cancelled else "moved" if o.moved else "scheduled"
        return {
            "text": self.text,
            "length": self.length,
            "max": self.limit,
            "date": o.date.isoformat(),
            "start": o.start.isoformat(),
            "title": o.title,
            "status": status,
            "url": self.url,
            "shortened": self.shortened,
        }


def post_length(text: str) -> int:
    """How long ``text`` counts on Mastodon and Bluesky alike: characters, each link at least 23."""
    links = _LINK.findall(text)
    return len(text) - sum(len(u) for u in links) + sum(max(len(u), LINK_LENGTH) for u in links)


def shorten(text: str, length: int) -> str:
    """``text`` cut to at most ``length`` characters with an ellipsis, at a word break when one is near."""
    if len(text) <= length:
        return text
    cut = text[: max(length - 1, 0)]
    space = cut.rfind(" ")
    if space >= len(cut) * 0.6:  # a word break not too far back: do not cut a word in two
        cut = cut[:space]
    return cut.rstrip(" ,.;:–-") + ELLIPSIS


def meeting_post(o: Occurrence, limit: int = DEFAULT_MAX, page_url: str | None = None) -> Post:
    """The post for ``o`` in at most ``limit`` characters (counted by :func:`post_length`).

    ``page_url`` is the meeting's page on the group's site; without it, the group's website.
    What gives way when the post is too long: the venue's access, then its address, then the
    title (shortened with an ellipsis), then the reason for a cancellation. A limit too small
    for the date, the place and the link is a problem (exit 2), never a post that misleads.
    """
    view = meeting_view(o)
    loc = o.group.locale
    c = colon(loc)
    url = page_url or o.group.website
    notice = reason = None
    if o.cancelled:
        notice, reason = words(loc, "Cancelled").upper(), o.reason
    elif view["moved_from"]:
        notice = words(loc, "Moved from %(date)s") % {"date": view["moved_from"]}
    when = f"{view['date_words']}, {view['time_words']}"
    venue = view["venue"] if o.venue and not view["online_only"] else None
    join = f"{words(loc, 'Join online:')} {o.online}" if o.online and not o.cancelled else None
    access = venue["accessibility"] if venue else None

    def text(title: str, why: str | None, address: bool, with_access: bool) -> str:
        head = f"{notice}{c} {why}" if notice and why else notice
        place = None
        if venue:
            place = f"{venue['name']}, {venue['address']}" if address and venue["address"] else venue["name"]
        lines = [head, title, when, place, join, access if with_access else None, url]
        return "\n".join(x for x in lines if x)

    full = text(o.title, reason, True, True)
    title = o.title
    # Give way in order: access, address; then shorten the title, then the reason.
    for address, with_access in ((True, True), (True, False), (False, False)):
        candidate = text(title, reason, address, with_access)
        if post_length(candidate) <= limit:
            return Post(candidate, post_length(candidate), limit, o, url, candidate != full)
    over = post_length(text(title, reason, False, False)) - limit
    title = shorten(title, max(len(title) - over, SHORTEST_TITLE))
    over = post_length(text(title, reason, False, False)) - limit
    if over > 0 and reason:
        reason = shorten(reason, max(len(reason) - over, SHORTEST_TITLE))
    candidate = text(title, reason, False, False)
    if post_length(candidate) > limit:
        raise MeetctlError(
            Problem(
                f"a post of at most {limit} characters cannot say the meeting on {o.date}: it needs "
                f"{post_length(candidate)} for the date, time, place and link; give a larger --max"
            )  # fmt: skip
        )
    return Post(candidate, post_length(candidate), limit, o, url, True)
