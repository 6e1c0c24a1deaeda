"""What each value in a programme file may be: the check for every key of every table.

Stage: programme file -> validated model. Each check takes a value as TOML gave it and
returns it converted (a time, a duration, a notice period) or raises TypeError (the
wrong kind of value) or ValueError (the right kind, wrongly written); the table of
keys says which check each key takes. Here too is the one text policy (what a name
or a description may contain), the one check for links and email addresses, and the
dates meetctl works with. :mod:`meetctl.model.loading` puts the checked values
together into a :class:`~meetctl.model.programme.Programme`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from meetctl.model.notice import parse_lead, parse_notice
from meetctl.model.rules import parse_duration

_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.I)


def parse_time(value: str) -> time:
    """'19:00', '7pm', '7:30pm' -> time; ValueError otherwise."""
    m = _TIME.match(value.strip())
    if not m or (m.group(2) is None and m.group(3) is None):
        # "6.30pm", "18h30", "18.30": the secretary's own way of writing it, answered in HH:MM.
        loose = re.sub(r"^(\d{1,2})\s*[.hH]\s*(\d{2})", r"\1:\2", value.strip())
        if loose != value.strip() and _TIME.match(loose):
            raise ValueError(f"invalid time {value!r} (did you mean '{parse_time(loose):%H:%M}'? write HH:MM)")
        raise ValueError(f"invalid time {value!r} (expected HH:MM, e.g. '19:00')")
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(f"invalid time {value!r}")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"invalid time {value!r} (hours 00-23, minutes 00-59)")
    return time(hour, minute)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("a string")
    if not value.strip():
        raise ValueError("must not be empty")
    return value


# What text may contain, decided once here (README "What text may contain"): no field
# takes a control character (NUL, BEL, ESC, a lone CR, ...), bidirectional overrides or
# Unicode line separators; only the fields that are prose (TEXT_FIELDS) may span lines,
# with newlines and tabs (a CRLF is read as a newline).
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_FORBIDDEN_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_FORBIDDEN_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")


def _bad_character(match: re.Match[str]) -> str:
    return f"U+{ord(match.group()):04X}"


def _line(value: Any) -> str:
    """A one-line string (a name, title, id, address of a person): no control characters at all."""
    value = _str(value)
    if m := _FORBIDDEN_IN_LINE.search(value):
        what = "a line break" if m.group() in "\r\n\u2028\u2029" else f"the control character {_bad_character(m)}"
        raise ValueError(f"must be one line of text; it contains {what}")
    return value


def _text(value: Any) -> str:
    """Prose that may span lines (a description, notes, directions): newlines and tabs only."""
    value = _str(value).replace("\r\n", "\n")
    if m := _FORBIDDEN_IN_TEXT.search(value):
        what = "a lone carriage return" if m.group() == "\r" else f"the control character {_bad_character(m)}"
        raise ValueError(f"contains {what}; only newlines and tabs may be written in text")
    return value


def web_link(value: Any, schemes: Sequence[str] = ("http", "https")) -> str:
    """A link meetctl may write into documents, calendars and mail: an absolute URL of ``schemes``.

    The one check for every link field (``website``, and any later one such as ``online``):
    ``javascript:``, ``data:``, ``file:`` and relative links are refused, and so are
    credentials in the link and anything that is not one line.
    """
    from urllib.parse import urlsplit

    value = _line(value)
    if value != value.strip() or any(c.isspace() for c in value):
        raise ValueError(f"a link must not contain spaces: {value!r}")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        raise ValueError(f"{value!r} is not a link") from None
    del port
    if parts.scheme.lower() not in schemes:
        allowed = " or ".join(f"{s}://" for s in schemes)
        raise ValueError(f"{value!r} is not a link meetctl writes: it must start with {allowed}")
    if not parts.hostname:
        raise ValueError(f"{value!r} has no host name")
    if parts.username is not None or parts.password is not None:
        raise ValueError("a link must not carry a user name or password")
    return value


#: A bare ``local@domain`` with nothing for an address parser to interpret (checked against email.utils).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_%+-]|\.(?![.@]))*@[A-Za-z0-9](?:[A-Za-z0-9-]|\.(?!\.))*")


def email_address(value: Any) -> str:
    """An email address, ``sec@example.org`` or ``Secretary <sec@example.org>``: one, complete, sendable.

    The domain may be international (``exämple.org``); mail encodes it with IDNA.
    """
    value = _line(value)
    if _PLAIN_ADDRESS.fullmatch(value):  # what getaddresses would return, without importing email.utils on cron's path
        pairs = [("", value)]
    else:
        from email.utils import getaddresses

        pairs = getaddresses([value])
    if len(pairs) != 1 or not pairs[0][1]:
        raise ValueError(f"{value!r} is not one email address like 'secretary@example.org'")
    if "<" not in value and pairs[0][1] != value.strip():  # 'a@b.c d': not what was written
        raise ValueError(f"{value!r} is not one email address like 'secretary@example.org'")
    local, at, domain = pairs[0][1].rpartition("@")
    if not at or not local.strip('"') or not domain:
        raise ValueError(f"{value!r} is not an email address like 'secretary@example.org'")
    if not local.isascii():
        raise ValueError(f"{value!r}: the part before @ must be plain ASCII")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{value!r}: {domain!r} is not a valid domain name") from None
    if not re.fullmatch(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}", ascii_domain):
        raise ValueError(f"{value!r}: {domain!r} is not a domain name like 'example.org'")
    return value


#: A count of people at one meeting; more is a typo (and TOML holds no integer past 2**63).
MAX_ATTENDANCE = 1_000_000


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("a whole number")
    if not -(2**63) <= value < 2**63:
        raise ValueError(f"{value} is larger than a TOML whole number can be")
    return value


def _attendance(value: Any) -> int:
    value = _int(value)
    if value > MAX_ATTENDANCE:
        raise ValueError(f"{value} is more than {MAX_ATTENDANCE:,} people")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("true or false")
    return value


#: The dates meetctl works with. Calendars, time zones and "a year ahead" windows need room
#: on both sides of Python's years 1 to 9999, so a date outside these is an input error.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(9899, 12, 31)


def check_date_range(day: date) -> date:
    """``day`` if meetctl can work with it (:data:`FIRST_DATE` to :data:`LAST_DATE`); ValueError otherwise."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"{day} is outside the dates meetctl works with ({FIRST_DATE} to {LAST_DATE})")
    return day


def _any_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise TypeError("a date like 2017-01-25 (without a time)")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"invalid date {value!r} (expected YYYY-MM-DD)") from None
    raise TypeError("a date like 2017-01-25")


def _date(value: Any) -> date:
    return check_date_range(_any_date(value))


def _until(value: Any) -> date | None:
    """A series' last date; one beyond :data:`LAST_DATE` (``9999-12-31``, "forever") means no end."""
    day = _any_date(value)
    return None if day > LAST_DATE else check_date_range(day)


def _time(value: Any) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError("a local time without offset; times are in group.timezone")
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str):
        return parse_time(value)
    raise TypeError('a time like "19:00"')


def _duration(value: Any) -> timedelta:
    if not isinstance(value, str):
        raise TypeError('a duration like "2h" or "90m"')
    return parse_duration(value)


def _str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # a lone name is a list of one
        return (_line(value),)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("a list of strings")
    return tuple(_line(v) for v in value)


def _date_list(value: Any) -> tuple[date, ...]:
    if not isinstance(value, list):
        raise TypeError("a list of dates")
    return tuple(_date(v) for v in value)


def _texts(value: Any) -> tuple[str, ...]:
    """A list of non-empty strings (names, actions); a lone string is a list of one."""
    items = _str_list(value)
    if any(not v.strip() for v in items):
        raise ValueError("must not contain empty strings")
    return items


def _paper(value: Any) -> str:
    """A paper to read beforehand: a link (checked as every link is) or a file name."""
    text = _line(value)
    # A scheme of two letters or more ("http:/x", "https:x") is a link written wrong, not a file
    # name; one letter is a Windows drive ("C:\\papers\\a.pdf").
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", text) or re.match(r"(?i)^(https?|www)[:./]", text) or "://" in text:
        return web_link(text)
    return text


def _notice(value: Any):  # -> NoticeRule
    return parse_notice(_line(value))


def _notice_lead(value: Any) -> int:
    if not isinstance(value, str):
        raise TypeError('a length of time like "2 days"')
    return parse_lead(value)


def _minutes(value: Any) -> int:
    n = _int(value)
    if n <= 0:
        raise ValueError("must be a number of minutes above 0")
    return n


def key_id(value: Any) -> str:
    """An id written as a table's key (``[venues.ID]``): one line of text, as every name is."""
    return _line(value)


Check = Callable[[Any], Any]

GROUP_KEYS: dict[str, Check] = {
    "name": _line, "timezone": _line, "email": email_address, "mailing_list": email_address,
    "website": web_link, "welcome": _text, "country": _line, "locale": _line,
    "notice_lead": _notice_lead,
}  # fmt: skip
#: ``[network]`` in network.toml: a group's keys, and the network's description.
NETWORK_KEYS: dict[str, Check] = {**GROUP_KEYS, "description": _text}
ON_HOLIDAY = ("skip", "before", "after")
VENUE_KEYS: dict[str, Check] = {
    "name": _line, "address": _text, "directions": _text, "accessibility": _text,
    "online": web_link,
}  # fmt: skip
MAIL_KEYS: dict[str, Check] = {
    "smtp_host": _line, "smtp_port": _int, "security": _line, "user": _line,
}  # fmt: skip
SERIES_KEYS: dict[str, Check] = {
    "id": _line, "title": _line, "rule": _line, "start": _time, "duration": _duration,
    "venue": _line, "from": _date, "until": _until, "skip": _date_list,
    "description": _text, "lead": _line, "uid": _line, "on_holiday": _line,
    "online": web_link, "kind": _line, "notice": _notice, "notice_lead": _notice_lead,
}  # fmt: skip
MEETING_KEYS: dict[str, Check] = {
    "series": _line, "date": _date, "title": _line, "description": _text, "lead": _line,
    "start": _time, "duration": _duration, "venue": _line, "end_date": _date,
    "cancelled": _bool, "reason": _text, "replaces": _date, "chair": _line,
    "speakers": _str_list, "attendance": _attendance, "notes": _text, "uid": _line,
    "sessions": lambda v: v,  # checked item by item below
    "online": web_link, "kind": _line, "notice": _notice, "notice_lead": _notice_lead,
    "agenda": lambda v: v,  # checked item by item below
    "apologies": _texts, "actions": _texts,
}  # fmt: skip
AGENDA_ITEM_KEYS: dict[str, Check] = {
    "title": _line, "lead": _line, "minutes": _minutes, "paper": _paper,
}  # fmt: skip
AGENDA_KEYS: dict[str, Check] = {"standing_items": _texts}
SESSION_KEYS: dict[str, Check] = {
    "title": _line, "date": _date, "start": _time, "end": _time, "room": _line,
    "chair": _line, "speakers": _str_list, "description": _text,
}  # fmt: skip
TOP_KEYS = ("group", "network", "venues", "mail", "agenda", "series", "meetings")
