"""The programme as the rest of meetctl sees it: frozen dataclasses of the group, venues, series and meetings.

Stage: the validated model. Built only by :mod:`meetctl.model.loading`; every value in it
has been checked, so outputs never re-validate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from meetctl.model.errors import Location
from meetctl.model.locations import KeyLocator, KeyPath
from meetctl.model.notice import NoticeRule
from meetctl.model.recurrence import Rule

DEFAULT_DURATION = timedelta(hours=2)
MAIL_SECURITY = ("starttls", "tls", "none")

#: The agenda's standing items, in order, as ``[agenda] standing_items`` names them. These
#: words stand for items meetctl fills in; any other string is a standing item of the group's own.
STANDING_WORDS = ("apologies", "minutes", "matters_arising", "items", "aob", "next_meeting")
DEFAULT_STANDING_ITEMS = STANDING_WORDS


@dataclass(frozen=True)
class Group:
    """The group that keeps the programme."""

    name: str
    timezone: str
    zone: ZoneInfo = field(compare=False, repr=False)
    email: str | None = None
    mailing_list: str | None = None
    website: str | None = None
    welcome: str | None = None
    #: ISO 3166 country, optionally with a region: "GB-ENG", "ES-CT", "FR" (public holidays).
    country: str | None = None
    #: A locale for dates and fixed words in documents: "en_GB", "cy_GB", "fr_FR".
    locale: str | None = None
    #: Days before a notice deadline the formal notice goes out (``notice_lead``; None: the default).
    notice_lead: int | None = None
    #: A network's own words about itself (``[network] description``).
    description: str | None = None
    #: True for a network (``network.toml``'s ``[network]``): its meetings are all its groups'.
    network: bool = False


@dataclass(frozen=True)
class Venue:
    """A place the group meets, known by its id (the key under ``[venues]``)."""

    id: str
    name: str
    address: str | None = None
    directions: str | None = None
    accessibility: str | None = None
    #: A join link (http/https) for meetings here; a venue with no address is online only.
    online: str | None = None

    @property
    def online_only(self) -> bool:
        """A venue that is only a link: no address to go to."""
        return self.online is not None and self.address is None


@dataclass(frozen=True)
class AgendaItem:
    """One item of a meeting's own business (``[[meetings.agenda]]``)."""

    title: str
    lead: str | None = None
    #: The time allowed for it, in minutes.
    minutes: int | None = None
    #: A paper to read beforehand: a link or a file name.
    paper: str | None = None


@dataclass(frozen=True)
class MailSettings:
    """How ``remind --send`` delivers (the ``[mail]`` table)."""

    smtp_host: str | None = None
    smtp_port: int | None = None
    security: str = "starttls"
    user: str | None = None


@dataclass(frozen=True)
class Series:
    """A recurring slot: a rule, a time of day, a venue, a range of dates."""

    id: str
    title: str
    rule: Rule
    start: time
    duration: timedelta
    from_date: date
    venue: str | None = None
    until: date | None = None
    skip: tuple[date, ...] = ()
    description: str | None = None
    lead: str | None = None
    uid: str | None = None
    #: What happens when a date falls on a public holiday: None (nothing), "skip", "before", "after".
    on_holiday: str | None = None
    #: A join link for every meeting of the series (hybrid or online).
    online: str | None = None
    #: "agm", "committee" or the group's own word; with ``notice``, the period its meetings need.
    kind: str | None = None
    notice: NoticeRule | None = None
    #: Days before its deadline the formal notice goes out (``notice_lead``).
    notice_lead: int | None = None
    key_path: KeyPath = field(default=(), compare=False)
    locator: KeyLocator | None = field(default=None, compare=False, repr=False)

    @property
    def location(self) -> Location | None:
        """Where the series was written (its ``[[series]]`` header)."""
        return self.locator.locate(self.key_path) if self.locator else None

    def dates(self, first: date, last: date) -> list[date]:
        """The series' dates in ``first..last`` (inclusive), skipped dates left out."""
        return [d for d in self.rule_dates(first, last) if d not in self.skip]

    def rule_dates(self, first: date, last: date) -> list[date]:
        """The rule's dates in ``first..last`` within ``from..until``, skipped dates included."""
        # Counted from `from` (where "every other Friday" starts) without expanding the
        # years between `from` and the window: see Rule.dates_within.
        if self.until is not None:
            last = min(last, self.until)
        return list(self.rule.dates_within(self.from_date, first, last))

    def has_date(self, day: date) -> bool:
        """Whether ``day`` is one of the series' dates (not counting skips)."""
        if day < self.from_date or (self.until is not None and day > self.until):
            return False
        quick = self.rule.holds_on(self.from_date, day)  # the usual rules, without building an rrule
        return quick if quick is not None else day in self.rule_dates(day, day)


@dataclass(frozen=True)
class Session:
    """One item of a day school's or conference's timetable."""

    title: str
    date: date
    start: time
    end: time
    room: str | None = None
    chair: str | None = None
    speakers: tuple[str, ...] = ()
    description: str | None = None
    key_path: KeyPath = field(default=(), compare=False)
    locator: KeyLocator | None = field(default=None, compare=False, repr=False)

    @property
    def location(self) -> Location | None:
        """Where the session was written."""
        return self.locator.locate(self.key_path) if self.locator else None


@dataclass(frozen=True)
class Meeting:
    """What is known about one date: an occurrence of a series, or a one-off."""

    date: date
    series: str | None = None
    title: str | None = None
    description: str | None = None
    lead: str | None = None
    start: time | None = None
    duration: timedelta | None = None
    venue: str | None = None
    end_date: date | None = None
    cancelled: bool = False
    reason: str | None = None
    replaces: date | None = None
    chair: str | None = None
    speakers: tuple[str, ...] = ()
    attendance: int | None = None
    notes: str | None = None
    uid: str | None = None
    sessions: tuple[Session, ...] = ()
    online: str | None = None
    kind: str | None = None
    notice: NoticeRule | None = None
    notice_lead: int | None = None
    agenda: tuple[AgendaItem, ...] = ()
    #: Recorded afterwards: who sent apologies, and the actions agreed (next time's matters arising).
    apologies: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    key_path: KeyPath = field(default=(), compare=False)
    locator: KeyLocator | None = field(default=None, compare=False, repr=False)

    @property
    def location(self) -> Location | None:
        """Where the meeting was written (its ``[[meetings]]`` header)."""
        return self.locator.locate(self.key_path) if self.locator else None

    @property
    def original_date(self) -> date:
        """The series date this meeting stands for (``replaces`` for a moved one)."""
        return self.replaces or self.date


@dataclass(frozen=True)
class Copy:
    """A one-off meeting left out of a group's programme: another file already holds it.

    A meeting of the whole network lives in ``network.toml``; the same meeting written
    again in a group's file (the same start and title, or the same ``uid``) is shown
    once, from the file that holds it, and ``check`` warns of the copy.
    """

    meeting: Meeting
    #: Where it was written in this file, and the file (and group or network) that holds it.
    location: Location | None
    kept_at: Location | None
    kept_by: str


@dataclass(frozen=True)
class Programme:
    """One group's whole programme, as loaded from one file."""

    path: str
    group: Group
    venues: dict[str, Venue]
    series: tuple[Series, ...]
    meetings: tuple[Meeting, ...]
    mail: MailSettings | None = None
    #: The agenda's standing items in order (``[agenda] standing_items``; see STANDING_WORDS).
    standing_items: tuple[str, ...] = DEFAULT_STANDING_ITEMS
    locator: KeyLocator | None = field(default=None, compare=False, repr=False)
    #: Meetings written here that another file holds (see :class:`Copy`), left out of ``meetings``.
    copies: tuple[Copy, ...] = ()

    def series_by_id(self, series_id: str) -> Series:
        """The series with this id (KeyError if none)."""
        for s in self.series:
            if s.id == series_id:
                return s
        raise KeyError(series_id)

    def locate(self, key_path: KeyPath) -> Location:
        """Where ``key_path`` was written in the file."""
        return self.locator.locate(key_path) if self.locator else Location(self.path)


